// Karmada mode: every write goes to the Karmada API server, as in the side-by-side canary
// seed. Canary Deployment + PropagationPolicy per cluster (or one region-wide pair), one
// OverridePolicy whose clusterNames lists the promoted clusters, zero-churn finalize.
import type { V1Deployment } from '@kubernetes/client-node';
import type { AppConfig } from '../config.js';
import type { Rollout } from '../model.js';
import { applyObject, DEPLOYMENTS, OVERRIDE_POLICIES, PROPAGATION_POLICIES, RESOURCE_BINDINGS, settleAll, type ClusterApi } from './cluster-api.js';
import type { KubeObject } from './objects.js';
import { FleetError, type BaseInfo, type Fleet, type Readiness } from './fleet.js';
import { usesRegionCanary } from './naming.js';
import {
  bindingName,
  canaryDeployment,
  canaryName,
  canaryPropagationPolicy,
  currentVersion,
  overrideName,
  promoteOverridePolicy,
  propagationName,
  versionPatch,
} from './objects.js';
import { combineReadiness, deploymentProgress, type DeploymentStatusLike } from './readiness.js';
import { karmadaRouteWriter } from '../traffic/route-writers.js';
import { isMesh, podShare } from '../traffic/route-objects.js';
import { replicaShares, weightedCanaries, weightedReplicas, weightsOf } from '../traffic/weighted-clusters.js';

interface Binding {
  /**
   * `replicas`: the template's, as Karmada copies it onto the binding. `clusters`: the scheduler's
   * answer, per target cluster the replicas it runs (a share of the template's with Divided scheduling).
   */
  spec?: { replicas?: number; clusters?: { name: string; replicas?: number }[] };
  status?: { aggregatedStatus?: { clusterName: string; applied?: boolean; status?: DeploymentStatusLike }[] };
}

/** Finalize writes the new version over the base: only if the base still holds the version the rollout started from. */
function assertUnchanged(app: AppConfig, base: V1Deployment, rollout: Rollout): void {
  const now = currentVersion(app, base);
  if (rollout.fromVersion !== undefined && now !== rollout.fromVersion) {
    throw new FleetError('invalid', `the base ${app.namespace}/${app.deployment} changed during the rollout (it runs ${now}, the rollout started from ${rollout.fromVersion}); not overwriting it`);
  }
}

export function createKarmadaFleet(options: { karmada: ClusterApi }): Fleet {
  const { karmada } = options;

  async function readBaseDeployment(app: AppConfig): Promise<V1Deployment> {
    const base = await karmada.get<V1Deployment>(DEPLOYMENTS, app.namespace, app.deployment);
    if (!base) throw new FleetError('not-found', `Deployment ${app.namespace}/${app.deployment} does not exist on the Karmada API server`, karmada.cluster);
    return base;
  }

  async function removePair(app: AppConfig, name: string): Promise<void> {
    await karmada.remove(DEPLOYMENTS, app.namespace, name);
    await karmada.remove(PROPAGATION_POLICIES, app.namespace, propagationName(name));
  }

  /**
   * The base's replicas in each member: what Karmada's scheduler gave the cluster in the base's
   * ResourceBinding (Divided scheduling splits the template's replicas), else the template's
   * (Duplicated: every member runs them all). Read only for the replicas provider.
   */
  async function memberBaseReplicas(app: AppConfig, base: V1Deployment): Promise<(cluster: string) => number> {
    const template = base.spec?.replicas ?? 1;
    if (app.canary.traffic?.provider !== 'replicas') return () => template;
    const binding = await karmada.get<Binding>(RESOURCE_BINDINGS, app.namespace, bindingName(app.deployment));
    const scheduled = new Map((binding?.spec?.clusters ?? []).flatMap((c) => (c.replicas !== undefined ? [[c.name, c.replicas] as const] : [])));
    return (cluster) => scheduled.get(cluster) ?? template;
  }

  /**
   * The canary pair for `targets`, sized for their weights beside each member's base: one cluster's
   * canary for its own base; a region canary (Duplicated: the same count in every member) for the
   * cluster that needs the most pods. The live canary and its policy are read beside the base
   * (their names do not depend on it): one round trip instead of three before the first write.
   */
  async function applyPair(rollout: Rollout, app: AppConfig, base: Promise<V1Deployment>, cluster: string | undefined, targets: string[], baseIn?: (cluster: string) => number): Promise<void> {
    const name = canaryName(app, cluster);
    const [template, liveDeployment, livePolicy] = await Promise.all([
      base,
      karmada.get<KubeObject>(DEPLOYMENTS, app.namespace, name),
      karmada.get<KubeObject>(PROPAGATION_POLICIES, app.namespace, propagationName(name)),
    ]);
    const perMember = baseIn ?? (await memberBaseReplicas(app, template));
    const sizes = targets.flatMap((c) => weightedReplicas(rollout, app, [c], perMember(c)) ?? []);
    const replicas = sizes.length > 0 ? Math.max(...sizes) : weightedReplicas(rollout, app, targets, template.spec?.replicas ?? 1);
    const deployment = canaryDeployment(app, template, rollout.id, rollout.version, cluster, replicas);
    await applyObject(karmada, deployment, { readFirst: { live: liveDeployment } });
    await applyObject(karmada, canaryPropagationPolicy(app, rollout.id, deployment.metadata.name, targets), { readFirst: { live: livePolicy } });
  }

  /**
   * Pods ready per cluster from the Deployment's ResourceBinding alone (one read): the template's
   * replicas are on the binding; Karmada's aggregated status gives each member's ready count.
   */
  async function podsFromBinding(app: AppConfig, deployment: string, clusters: string[]): Promise<Record<string, { ready: number; total: number }>> {
    const binding = await karmada.get<Binding>(RESOURCE_BINDINGS, app.namespace, bindingName(deployment));
    return Object.fromEntries(
      clusters.map((cluster) => {
        const item = binding?.status?.aggregatedStatus?.find((s) => s.clusterName === cluster);
        const status = item && item.applied !== false ? item.status : undefined;
        const desired = binding?.spec?.replicas ?? status?.replicas ?? 1;
        return [cluster, { ready: Math.min(status?.readyReplicas ?? 0, desired), total: desired }];
      }),
    );
  }

  async function readiness(app: AppConfig, deployment: string, clusters: string[], what: string): Promise<Readiness> {
    const template = await karmada.get<V1Deployment>(DEPLOYMENTS, app.namespace, deployment);
    const binding = await karmada.get<Binding>(RESOURCE_BINDINGS, app.namespace, bindingName(deployment));
    const desired = template?.spec?.replicas ?? 1;
    return combineReadiness(
      clusters.map((cluster) => {
        const item = binding?.status?.aggregatedStatus?.find((s) => s.clusterName === cluster);
        const applied = template !== undefined && item !== undefined && item.applied !== false;
        return deploymentProgress(cluster, what, desired, applied ? item.status : undefined);
      }),
    );
  }

  return {
    async readBase(app): Promise<BaseInfo> {
      const base = await readBaseDeployment(app);
      return { version: currentVersion(app, base), replicas: base.spec?.replicas ?? 1 };
    },

    async setCanaries(rollout, app, clusters) {
      const wanted = rollout.clusters.filter((c) => clusters.includes(c));
      const traffic = app.canary.traffic;
      if (isMesh(traffic)) {
        // Routes of clusters losing their canary go back to the template first; then the Service follows the canaries.
        const writer = karmadaRouteWriter(karmada, app, traffic);
        await writer.setWeights(rollout.id, weightsOf(rollout, wanted));
        if (wanted.length === 0) await writer.removeCanaryService();
        else await writer.addCanaryService(rollout.id, wanted);
      }
      if (usesRegionCanary(rollout)) {
        if (wanted.length === 0) return removePair(app, canaryName(app));
        return applyPair(rollout, app, readBaseDeployment(app), undefined, wanted);
      }
      // One object pair per cluster, independent of the others: written side by side, canaries first.
      if (wanted.length > 0) {
        const base = readBaseDeployment(app);
        await settleAll(wanted.map((cluster) => applyPair(rollout, app, base, cluster, [cluster])));
      }
      await settleAll(rollout.clusters.filter((c) => !wanted.includes(c)).map((cluster) => removePair(app, canaryName(app, cluster))));
    },

    async setPromoted(rollout, app, clusters) {
      const promoted = rollout.clusters.filter((c) => clusters.includes(c));
      // Demo 3, step 5: with no cluster left, the OverridePolicy goes and every base returns to the template.
      if (promoted.length === 0) return karmada.remove(OVERRIDE_POLICIES, app.namespace, overrideName(app));
      // The base and the live policy in one round trip: this is the write an Approve waits for.
      const [base, live] = await Promise.all([readBaseDeployment(app), karmada.get<KubeObject>(OVERRIDE_POLICIES, app.namespace, overrideName(app))]);
      await applyObject(karmada, promoteOverridePolicy(app, base, rollout.id, rollout.version, promoted), { readFirst: { live } });
    },

    async checkReady(rollout, app) {
      const stage = rollout.stages[rollout.stage];
      if (!stage) return { ready: true, pods: {} };
      if (stage.action === 'promote') return readiness(app, app.deployment, stage.clusters, 'base');
      if (usesRegionCanary(rollout)) return readiness(app, canaryName(app), stage.clusters, 'canary');
      return combineReadiness(await Promise.all(stage.clusters.map((c) => readiness(app, canaryName(app, c), [c], 'canary'))));
    },

    async podsReady(rollout, app, clusters) {
      // One binding read per Deployment (the region canary serves every cluster), not one per cluster.
      const byDeployment = new Map<string, string[]>();
      const add = (name: string, cluster: string) => byDeployment.set(name, [...(byDeployment.get(name) ?? []), cluster]);
      for (const cluster of clusters) {
        const state = rollout.cluster[cluster];
        if (state?.canary === 'deployed') add(canaryName(app, usesRegionCanary(rollout) ? undefined : cluster), cluster);
        if (state?.promoted) add(app.deployment, cluster);
      }
      const counts: Record<string, { ready: number; total: number }> = Object.fromEntries(clusters.map((c) => [c, { ready: 0, total: 0 }]));
      const read = await Promise.all([...byDeployment].map(([name, names]) => podsFromBinding(app, name, names)));
      for (const pods of read) {
        for (const [cluster, { ready, total }] of Object.entries(pods)) {
          const count = counts[cluster] as { ready: number; total: number };
          count.ready += ready;
          count.total += total;
        }
      }
      return counts;
    },

    async finalize(rollout, app) {
      const base = await readBaseDeployment(app);
      const { path, value, current } = versionPatch(app, base, rollout.version);
      // Re-running after a crash finds the base already at the new version: nothing to patch.
      if (current !== value) {
        assertUnchanged(app, base, rollout);
        await karmada.jsonPatch(DEPLOYMENTS, app.namespace, app.deployment, [
          { op: 'test', path, value: current },
          { op: 'replace', path, value },
        ]);
      }
      await karmada.remove(OVERRIDE_POLICIES, app.namespace, overrideName(app));
      const traffic = app.canary.traffic;
      if (isMesh(traffic)) {
        const writer = karmadaRouteWriter(karmada, app, traffic);
        await writer.setWeights(rollout.id, []);
        await writer.removeCanaryService();
      }
      await removePair(app, canaryName(app));
      for (const cluster of rollout.clusters) await removePair(app, canaryName(app, cluster));
    },

    async setWeights(rollout, app) {
      const traffic = app.canary.traffic;
      const clusters = weightedCanaries(rollout);
      if (isMesh(traffic)) {
        await karmadaRouteWriter(karmada, app, traffic).setWeights(rollout.id, weightsOf(rollout, clusters));
        return {};
      }
      // The replicas provider: the canary Deployments, resized for their weights, written as setCanaries writes them.
      const base = await readBaseDeployment(app);
      const baseIn = await memberBaseReplicas(app, base);
      const deployed = rollout.clusters.filter((c) => rollout.cluster[c]?.canary === 'deployed');
      if (usesRegionCanary(rollout)) {
        await applyPair(rollout, app, Promise.resolve(base), undefined, deployed, baseIn);
        // Every member runs the region canary's one count: its real share beside each member's base.
        const sizes = deployed.flatMap((c) => weightedReplicas(rollout, app, [c], baseIn(c)) ?? []);
        const canary = sizes.length > 0 ? Math.max(...sizes) : 0;
        return Object.fromEntries(clusters.map((c) => [c, podShare(canary, baseIn(c))]));
      }
      for (const cluster of clusters) await applyPair(rollout, app, Promise.resolve(base), cluster, [cluster], baseIn);
      return replicaShares(rollout, app, clusters, baseIn);
    },
  };
}
