// What karmada-webhook's mutating handlers do to policies on create/update
// (pkg/webhook/propagationpolicy/mutating.go, pkg/webhook/overridepolicy/mutating.go):
// resource selectors get the policy's namespace, PropagationPolicies get the default
// not-ready/unreachable cluster tolerations and a permanent-id label.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../kube/store.js';

const PERMANENT_ID = 'propagationpolicy.karmada.io/permanent-id';
const TOLERATION_SECONDS = 300;

function defaultSelectorNamespaces(policy: KubeObject): void {
  const ns = policy['metadata']?.namespace;
  for (const s of policy['spec']?.resourceSelectors ?? []) if (s && typeof s === 'object' && !s.namespace && ns) s.namespace = ns;
}

export function mutatePropagationPolicy(policy: KubeObject): void {
  if (!policy['spec'] || typeof policy['spec'] !== 'object') return;
  defaultSelectorNamespaces(policy);
  const placement = (policy['spec'].placement ??= {});
  const tolerations: KubeObject[] = (placement.clusterTolerations ??= []);
  for (const key of ['cluster.karmada.io/not-ready', 'cluster.karmada.io/unreachable']) {
    if (!tolerations.some((t) => t['key'] === key && t['effect'] === 'NoExecute')) {
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: TOLERATION_SECONDS });
    }
  }
  const labels = (policy['metadata'].labels ??= {});
  labels[PERMANENT_ID] ??= randomUUID();
}

export function mutateOverridePolicy(policy: KubeObject): void {
  if (!policy['spec'] || typeof policy['spec'] !== 'object') return;
  defaultSelectorNamespaces(policy);
}
