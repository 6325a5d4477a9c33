// The Kubernetes objects rollgate writes, built exactly as the Karmada side-by-side canary
// seed shows them. Pure functions of the app, the rollout and the live base Deployment.
import type { V1Container, V1Deployment } from '@kubernetes/client-node';
import type { AppConfig } from '../config.js';
import { FleetError } from './fleet.js';

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'rollgate' } as const;
export const ROLLOUT_ID_ANNOTATION = 'rollgate.dev/rollout-id';
export const PREVIOUS_VERSION_ANNOTATION = 'rollgate.dev/previous-version';
export const KARMADA_POLICY_API = 'policy.karmada.io/v1alpha1';
/** On the canary's pods when the app has canary.traffic: what `<service>-canary` selects, whichever cluster's canary it is. */
export const TRACK_LABEL = 'rollgate.dev/track';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  spec?: unknown;
  [key: string]: unknown;
}

export const canaryName = (app: AppConfig, cluster?: string) => (cluster ? `${app.deployment}-canary-${cluster}` : `${app.deployment}-canary`);
export const propagationName = (deployment: string) => `${deployment}-propagation`;
export const overrideName = (app: AppConfig) => `${app.deployment}-promote-override`;
export const bindingName = (deployment: string) => `${deployment}-deployment`;

const ownership = (rolloutId: string) => ({ labels: { ...MANAGED_BY }, annotations: { [ROLLOUT_ID_ANNOTATION]: rolloutId } });

/** Index of the app's container in the base's pod template; the version path needs it. */
export function containerIndex(app: AppConfig, base: V1Deployment): number {
  const containers = base.spec?.template.spec?.containers ?? [];
  const index = containers.findIndex((c) => c.name === app.container);
  if (index < 0) {
    const names = containers.map((c) => c.name).join(', ') || 'none';
    throw new FleetError('misconfigured', `Deployment ${app.namespace}/${app.deployment} has no container "${app.container}" (it has: ${names}); fix apps[].container`);
  }
  return index;
}

/** JSON pointer of the version inside the Deployment, and the value it must hold for `version`. */
export function versionPatch(app: AppConfig, base: V1Deployment, version: string): { path: string; value: string; current: string } {
  const i = containerIndex(app, base);
  const container = base.spec?.template.spec?.containers[i] as V1Container;
  if ('env' in app.version) {
    const name = app.version.env;
    const j = (container.env ?? []).findIndex((e) => e.name === name);
    if (j < 0) throw new FleetError('misconfigured', `container "${app.container}" of ${app.namespace}/${app.deployment} has no env variable ${name}; fix apps[].version.env`);
    return { path: `/spec/template/spec/containers/${i}/env/${j}/value`, value: version, current: container.env?.[j]?.value ?? '' };
  }
  const image = container.image ?? '';
  return { path: `/spec/template/spec/containers/${i}/image`, value: withTag(image, version), current: image };
}

export function imageTag(image: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(colon + 1) : 'latest';
}

export function withTag(image: string, tag: string): string {
  const withoutDigest = image.split('@')[0] as string;
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return `${colon > slash ? withoutDigest.slice(0, colon) : withoutDigest}:${tag}`;
}

export function currentVersion(app: AppConfig, base: V1Deployment): string {
  const patch = versionPatch(app, base, '');
  return 'env' in app.version ? patch.current : imageTag(patch.current);
}

/** Canary pods per cluster: {replicas: N}, or ceil(base × P / 100) and at least one (the resize seed's rule). */
export function canaryReplicas(app: AppConfig, baseReplicas: number): number {
  if ('replicas' in app.canary) return app.canary.replicas;
  return Math.max(1, Math.ceil((baseReplicas * app.canary.percentage) / 100));
}

function setPath(target: unknown, pointer: string, value: string): void {
  const keys = pointer.split('/').slice(1);
  const last = keys.pop() as string;
  let node = target as Record<string, unknown>;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  node[last] = value;
}

/**
 * The canary Deployment: the base's pod template with the new version and `version: canary[-C]`.
 * `replicas`: the replicas provider's count for the current weight (canary.traffic), instead of canary.replicas.
 */
export function canaryDeployment(app: AppConfig, base: V1Deployment, rolloutId: string, version: string, cluster?: string, replicas?: number): KubeObject {
  const name = canaryName(app, cluster);
  const track = cluster ? `canary-${cluster}` : 'canary';
  const selector = { ...(base.spec?.selector.matchLabels ?? {}), version: track };
  const template = structuredClone(base.spec?.template ?? {}) as NonNullable<V1Deployment['spec']>['template'];
  const { path, value } = versionPatch(app, base, version);
  const copy = { spec: { template } };
  setPath(copy, path, value);
  const own = ownership(rolloutId);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: app.namespace,
      labels: { ...(base.spec?.selector.matchLabels ?? {}), version: 'canary', ...own.labels },
      annotations: own.annotations,
    },
    spec: {
      replicas: replicas ?? canaryReplicas(app, base.spec?.replicas ?? 1),
      selector: { matchLabels: selector },
      template: { ...template, metadata: { ...template.metadata, labels: { ...(template.metadata?.labels ?? {}), ...selector, ...(app.canary.traffic ? { [TRACK_LABEL]: 'canary' } : {}) } } },
    },
  };
}

export function canaryPropagationPolicy(app: AppConfig, rolloutId: string, deployment: string, clusters: string[]): KubeObject {
  return {
    apiVersion: KARMADA_POLICY_API,
    kind: 'PropagationPolicy',
    metadata: { name: propagationName(deployment), namespace: app.namespace, ...ownership(rolloutId) },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment }],
      placement: { clusterAffinity: { clusterNames: [...clusters] } },
    },
  };
}

/** One rule whose clusterNames lists every promoted cluster; promoting the next one updates this object. */
export function promoteOverridePolicy(app: AppConfig, base: V1Deployment, rolloutId: string, version: string, promoted: string[]): KubeObject {
  const { path, value } = versionPatch(app, base, version);
  return {
    apiVersion: KARMADA_POLICY_API,
    kind: 'OverridePolicy',
    metadata: { name: overrideName(app), namespace: app.namespace, ...ownership(rolloutId) },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app.deployment }],
      overrideRules: [{ targetCluster: { clusterNames: [...promoted] }, overriders: { plaintext: [{ path, operator: 'replace', value }] } }],
    },
  };
}

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
