// Which pods in one cluster run the rollout's new version: its canary Deployment's, plus the
// base's once promoted, each narrowed to the ReplicaSet (pod-template-hash) whose pods run the
// new version. Analysis judges those pods only, not a previous canary's that shared a name
// prefix (issue 8). Read from the member cluster where rollgate reaches it, from the
// namespace's shared pod list (one LIST per cluster and namespace per window serves every
// rollout there, issue 13): a pod is the Deployment's when its ReplicaSet is, so neither the
// Deployment nor its selector needs reading.
import type { V1Pod } from '@kubernetes/client-node';
import type { AppConfig } from '../config.js';
import type { Rollout } from '../model.js';
import type { ClusterApi } from './cluster-api.js';
import { usesRegionCanary } from './naming.js';
import type { PodFreshness } from './shared-pod-lists.js';
import { canaryName, currentVersion, escapeRegex } from './objects.js';

export type FleetMode = 'karmada' | 'direct';

const TEMPLATE_HASH = 'pod-template-hash';

/** The canary Deployment's name in a cluster: direct mode always writes DEPLOY-canary; Karmada one per cluster, or one region-wide. */
export function canaryWorkload(rollout: Rollout, app: AppConfig, cluster: string, mode: FleetMode = 'karmada'): string {
  return canaryName(app, mode === 'direct' || usesRegionCanary(rollout) ? undefined : cluster);
}

/** The Deployments whose pods run the new version in a cluster: the canary, plus the base once promoted. */
export function newVersionWorkloads(rollout: Rollout, app: AppConfig, cluster: string, mode: FleetMode = 'karmada'): string[] {
  const canary = canaryWorkload(rollout, app, cluster, mode);
  return rollout.cluster[cluster]?.promoted ? [canary, app.deployment] : [canary];
}

export interface WorkloadPods {
  workload: string;
  /** pod-template-hash of the ReplicaSets whose pods run the new version (normally one). */
  hashes: string[];
  pods: V1Pod[];
}

/** The version a pod runs (env value or image tag), read as the base's is. */
function podVersion(app: AppConfig, pod: V1Pod): string | undefined {
  try {
    return currentVersion(app, { spec: { selector: {}, template: { spec: pod.spec ?? { containers: [] } } } });
  } catch {
    return undefined;
  }
}

/**
 * The pods of a list by owning Deployment: a pod belongs to Deployment D when its ReplicaSet is
 * `D-<its pod-template-hash>` (the base's selector also matches the canary's pods, so labels
 * cannot tell them apart). Indexed once per list, since every rollout of the namespace asks.
 */
const byDeployment = new WeakMap<V1Pod[], Map<string, V1Pod[]>>();

function podsOfDeployment(listed: V1Pod[], workload: string): V1Pod[] {
  let index = byDeployment.get(listed);
  if (!index) {
    index = new Map();
    for (const pod of listed) {
      const hash = pod.metadata?.labels?.[TEMPLATE_HASH];
      const owner = (pod.metadata?.ownerReferences ?? []).find((o) => o.kind === 'ReplicaSet' && hash !== undefined && o.name.endsWith(`-${hash}`));
      if (!owner || hash === undefined) continue;
      const deployment = owner.name.slice(0, -(hash.length + 1));
      const pods = index.get(deployment);
      if (pods) pods.push(pod);
      else index.set(deployment, [pod]);
    }
    byDeployment.set(listed, index);
  }
  return index.get(workload) ?? [];
}

/**
 * How fresh a shared pod list must be for this rollout's tick: half its analysis interval,
 * and taken after the cluster's new-version pods were seen ready (an older one may lack them).
 */
export function podFreshness(rollout: Rollout, cluster: string): PodFreshness {
  const readyAt = rollout.cluster[cluster]?.readyAt;
  return { maxAgeMs: rollout.settings.intervalMs / 2, ...(readyAt !== undefined ? { notBefore: readyAt } : {}) };
}

/** Is the pod's Ready condition true? */
export const podReady = (pod: V1Pod) => (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * The new version's pods per workload, terminating pods left out. Throws FleetError when the
 * cluster's pods cannot be listed. A workload with no pods (not created yet) has none.
 */
export async function readNewVersionPods(api: ClusterApi, rollout: Rollout, app: AppConfig, cluster: string, mode: FleetMode = 'karmada'): Promise<WorkloadPods[]> {
  const listed = await api.sharedPods(app.namespace, podFreshness(rollout, cluster));
  return newVersionWorkloads(rollout, app, cluster, mode).map((workload): WorkloadPods => {
    const pods = podsOfDeployment(listed, workload).filter((p) => !p.metadata?.deletionTimestamp && podVersion(app, p) === rollout.version);
    const hashes = [...new Set(pods.map((p) => p.metadata?.labels?.[TEMPLATE_HASH] as string))].sort();
    return { workload, hashes, pods };
  });
}

/**
 * The Prometheus-anchored regex of those pods: `<workload>-<hash>-<suffix>`. A workload whose
 * ReplicaSet is not known (its cluster not reachable) falls back to its name prefix.
 */
export function newVersionPodsPattern(workloads: { workload: string; hashes?: string[] }[]): string {
  const parts = workloads.map(({ workload, hashes }) => {
    const replicaSet = hashes && hashes.length > 0 ? (hashes.length === 1 ? escapeRegex(hashes[0] as string) : `(${hashes.map(escapeRegex).join('|')})`) : '[a-z0-9]+';
    return `${escapeRegex(workload)}-${replicaSet}`;
  });
  return `${parts.length === 1 ? parts[0] : `(${parts.join('|')})`}-[a-z0-9]+`;
}
