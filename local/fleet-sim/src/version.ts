// The version a pod template runs: the first container's ROLLOUT_LABEL / VERSION env value,
// else its image tag. The Prometheus numbers and the describe view both key off it.
import type { KubeObject } from './kube/store.js';

const VERSION_ENV = ['ROLLOUT_LABEL', 'VERSION'];

export function imageTag(image: string): string {
  const ref = image.split('@')[0]!;
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : 'latest';
}

/** `podSpec` is a Deployment's spec.template.spec or a Pod's spec. */
export function versionOf(podSpec: KubeObject | undefined): string {
  const first = podSpec?.['containers']?.[0];
  if (!first) return 'unknown';
  for (const name of VERSION_ENV) {
    const hit = (first.env ?? []).find((e: KubeObject) => e['name'] === name && typeof e['value'] === 'string');
    if (hit) return hit.value as string;
  }
  return imageTag(String(first.image ?? ''));
}
