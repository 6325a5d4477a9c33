// Which pods in one cluster run the rollout's new version: its canary Deployment's, plus the
// base's once promoted, each narrowed to the ReplicaSet (pod-template-hash) whose pods run the
// new version. Analysis judges those pods only, not a previous canary's that shared a name
// prefix (issue 8). Read from the member cluster where rollgate reaches it.
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { AppConfig } from '../config.js';
import type { Rollout } from '../model.js';
import { DEPLOYMENTS, type ClusterApi } from './cluster-api.js';
import { FleetError } from './fleet.js';
import { usesRegionCanary } from './naming.js';
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

/** A pod of this Deployment's ReplicaSet `<workload>-<hash>` (the base's selector also matches the canary's pods). */
const ownedBy = (pod: V1Pod, workload: string) => {
  const hash = pod.metadata?.labels?.[TEMPLATE_HASH];
  return hash !== undefined && (pod.metadata?.ownerReferences ?? []).some((o) => o.kind === 'ReplicaSet' && o.name === `${workload}-${hash}`);
};

/**
 * The new version's pods per workload, terminating pods left out. Throws FleetError when a
 * cluster call fails or a workload's Deployment is missing.
 */
export async function readNewVersionPods(api: ClusterApi, rollout: Rollout, app: AppConfig, cluster: string, mode: FleetMode = 'karmada'): Promise<WorkloadPods[]> {
  return Promise.all(
    newVersionWorkloads(rollout, app, cluster, mode).map(async (workload): Promise<WorkloadPods> => {
      const deployment = await api.get<V1Deployment>(DEPLOYMENTS, app.namespace, workload);
      const labels = deployment?.spec?.selector.matchLabels;
      if (!labels) throw new FleetError('not-found', `no Deployment ${app.namespace}/${workload} in ${cluster}`, cluster);
      const listed = await api.listPods(app.namespace, Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','));
      const pods = listed.filter((p) => ownedBy(p, workload) && !p.metadata?.deletionTimestamp && podVersion(app, p) === rollout.version);
      const hashes = [...new Set(pods.map((p) => p.metadata?.labels?.[TEMPLATE_HASH] as string))].sort();
      return { workload, hashes, pods };
    }),
  );
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
