// Which clusters carry a weight now, and what the replicas provider runs for it. Shared by
// both fleets so that Karmada and direct mode agree on every number.
import type { AppConfig } from '../config.js';
import type { Rollout } from '../model.js';
import { podShare, replicasForWeight } from './route-objects.js';

/** [cluster, weight] for every cluster among `clusters` whose canary has a weight, in the rollout's order. */
export function weightsOf(rollout: Rollout, clusters: string[]): [string, number][] {
  return rollout.clusters.flatMap((c): [string, number][] => {
    const weight = rollout.cluster[c]?.weight;
    return clusters.includes(c) && weight !== undefined ? [[c, weight]] : [];
  });
}

/** Clusters whose canary is deployed and takes a weight. */
export function weightedCanaries(rollout: Rollout): string[] {
  return rollout.clusters.filter((c) => rollout.cluster[c]?.canary === 'deployed' && rollout.cluster[c]?.weight !== undefined);
}

/**
 * The replicas provider's canary size in `clusters` (one cluster, or a region canary's): the highest
 * weight among them, the first weight before any is set. Undefined for other providers (canary.replicas then).
 */
export function weightedReplicas(rollout: Rollout, app: AppConfig, clusters: string[], baseReplicas: number): number | undefined {
  if (app.canary.traffic?.provider !== 'replicas') return undefined;
  const weights = clusters.map((c) => rollout.cluster[c]?.weight).filter((w) => w !== undefined);
  const weight = weights.length > 0 ? Math.max(...weights) : rollout.settings.traffic?.weights[0];
  return weight === undefined ? undefined : replicasForWeight(weight, baseReplicas);
}

/** The share of pods the replicas provider's canary really has, per weighted cluster. */
export function replicaShares(rollout: Rollout, app: AppConfig, clusters: string[], baseReplicas: (cluster: string) => number): Record<string, number> {
  const shares: Record<string, number> = {};
  for (const cluster of clusters) {
    const base = baseReplicas(cluster);
    const canary = weightedReplicas(rollout, app, [cluster], base);
    if (canary !== undefined) shares[cluster] = podShare(canary, base);
  }
  return shares;
}
