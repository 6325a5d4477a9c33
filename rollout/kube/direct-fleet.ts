// Direct mode: no Karmada; one kubeconfig context per cluster. In cluster C the canary is a
// Deployment DEPLOY-canary; promotion patches the base's version there and remembers the
// previous value in an annotation; rolling a promotion back restores it.
import type { V1Deployment } from '@kubernetes/client-node';
import type { AppConfig } from '../config.js';
import type { Rollout } from '../model.js';
import { applyObject, DEPLOYMENTS, settleAll, type ClusterApi, type JsonPatchOp } from './cluster-api.js';
import { FleetError, type BaseInfo, type Fleet } from './fleet.js';
import { podReady, readNewVersionPods } from './new-version-pods.js';
import { canaryDeployment, canaryName, currentVersion, PREVIOUS_VERSION_ANNOTATION, ROLLOUT_ID_ANNOTATION, versionPatch, type KubeObject } from './objects.js';
import { combineReadiness, deploymentProgress } from './readiness.js';
import { isMesh } from '../traffic/route-objects.js';
import { directRouteWriter } from '../traffic/route-writers.js';
import { replicaShares, weightedCanaries, weightedReplicas } from '../traffic/weighted-clusters.js';

/** JSON pointer escaping for an annotation key ("rollgate.dev/x" -> "rollgate.dev~1x"). */
const annotationPath = (key: string) => `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

export function createDirectFleet(options: { clusters: Record<string, ClusterApi> }): Fleet {
  const api = (cluster: string): ClusterApi => {
    const found = options.clusters[cluster];
    if (!found) throw new FleetError('misconfigured', `cluster ${cluster} has no kubeconfig context (fleet.clusters[].context)`, cluster);
    return found;
  };

  async function readBase(app: AppConfig, cluster: string): Promise<V1Deployment> {
    const base = await api(cluster).get<V1Deployment>(DEPLOYMENTS, app.namespace, app.deployment);
    if (!base) throw new FleetError('not-found', `Deployment ${app.namespace}/${app.deployment} does not exist in ${cluster}`, cluster);
    return base;
  }

  /** Sets the base's version in one cluster, keeping (or consuming) the previous-version annotation. */
  async function patchBase(app: AppConfig, cluster: string, base: V1Deployment, to: string, annotations: JsonPatchOp[]): Promise<void> {
    const { path, value, current } = versionPatch(app, base, to);
    const ops: JsonPatchOp[] = current === value ? [] : [{ op: 'test', path, value: current }, { op: 'replace', path, value }];
    if (ops.length === 0 && annotations.length === 0) return;
    await api(cluster).jsonPatch(DEPLOYMENTS, app.namespace, app.deployment, [...ops, ...annotations]);
  }

  async function promote(rollout: Rollout, app: AppConfig, cluster: string): Promise<void> {
    const base = await readBase(app, cluster);
    const annotations = base.metadata?.annotations ?? {};
    if (annotations[ROLLOUT_ID_ANNOTATION] === rollout.id && annotations[PREVIOUS_VERSION_ANNOTATION] !== undefined) {
      return patchBase(app, cluster, base, rollout.version, []); // promoted before (a re-run): keep the first previous value
    }
    const previous = currentVersion(app, base);
    const remember: JsonPatchOp[] = base.metadata?.annotations
      ? [
          { op: 'add', path: annotationPath(PREVIOUS_VERSION_ANNOTATION), value: previous },
          { op: 'add', path: annotationPath(ROLLOUT_ID_ANNOTATION), value: rollout.id },
        ]
      : [{ op: 'add', path: '/metadata/annotations', value: { [PREVIOUS_VERSION_ANNOTATION]: previous, [ROLLOUT_ID_ANNOTATION]: rollout.id } }];
    await patchBase(app, cluster, base, rollout.version, remember);
  }

  /** Restores the version remembered when this rollout promoted the cluster; nothing to do if it never did. */
  async function unpromote(rollout: Rollout, app: AppConfig, cluster: string): Promise<void> {
    const base = await readBase(app, cluster);
    const annotations = base.metadata?.annotations ?? {};
    const previous = annotations[PREVIOUS_VERSION_ANNOTATION];
    if (annotations[ROLLOUT_ID_ANNOTATION] !== rollout.id || previous === undefined) return;
    const forget: JsonPatchOp[] = [
      { op: 'remove', path: annotationPath(PREVIOUS_VERSION_ANNOTATION) },
      { op: 'remove', path: annotationPath(ROLLOUT_ID_ANNOTATION) },
    ];
    await patchBase(app, cluster, base, previous, forget);
  }

  /**
   * The canary Deployment (sized for its weight with the replicas provider) and, for a mesh, its
   * Service. The live canary is read beside the base: one round trip before the write, not two.
   */
  async function addCanary(rollout: Rollout, app: AppConfig, cluster: string): Promise<{ baseReplicas: number }> {
    const [base, live] = await Promise.all([readBase(app, cluster), api(cluster).get<KubeObject>(DEPLOYMENTS, app.namespace, canaryName(app))]);
    const replicas = weightedReplicas(rollout, app, [cluster], base.spec?.replicas ?? 1);
    await applyObject(api(cluster), canaryDeployment(app, base, rollout.id, rollout.version, undefined, replicas), { readFirst: { live } });
    const traffic = app.canary.traffic;
    if (isMesh(traffic)) await directRouteWriter(api(cluster), app, traffic).addCanaryService(rollout.id);
    return { baseReplicas: base.spec?.replicas ?? 1 };
  }

  /** Traffic back to the stable Service first (the route as it was), then the canary goes. */
  async function removeCanary(app: AppConfig, cluster: string): Promise<void> {
    const traffic = app.canary.traffic;
    if (isMesh(traffic)) await directRouteWriter(api(cluster), app, traffic).restore();
    await api(cluster).remove(DEPLOYMENTS, app.namespace, canaryName(app));
  }

  return {
    async readBase(app, cluster): Promise<BaseInfo> {
      const base = await readBase(app, cluster ?? (app.clusters[0] as string));
      return { version: currentVersion(app, base), replicas: base.spec?.replicas ?? 1 };
    },

    async setCanaries(rollout, app, clusters) {
      // Each cluster is its own API server and its own objects: side by side, canaries first.
      await settleAll(rollout.clusters.filter((c) => clusters.includes(c)).map((cluster) => addCanary(rollout, app, cluster)));
      await settleAll(rollout.clusters.filter((c) => !clusters.includes(c)).map((cluster) => removeCanary(app, cluster)));
    },

    async setPromoted(rollout, app, clusters) {
      for (const cluster of rollout.clusters) {
        if (clusters.includes(cluster)) await promote(rollout, app, cluster);
        else await unpromote(rollout, app, cluster);
      }
    },

    async podsReady(rollout, app, clusters) {
      // From the namespace's shared pod list, the one the pod signals read this tick: no read of its own.
      const counts: Record<string, { ready: number; total: number }> = {};
      await Promise.all(
        clusters.map(async (cluster) => {
          const pods = (await readNewVersionPods(api(cluster), rollout, app, cluster, 'direct')).flatMap((w) => w.pods);
          counts[cluster] = { ready: pods.filter(podReady).length, total: pods.length };
        }),
      );
      return counts;
    },

    async checkReady(rollout, app) {
      const stage = rollout.stages[rollout.stage];
      if (!stage) return { ready: true, pods: {} };
      const name = stage.action === 'promote' ? app.deployment : canaryName(app);
      const what = stage.action === 'promote' ? 'base' : 'canary';
      const parts = await Promise.all(
        stage.clusters.map(async (cluster) => {
          const deployment = await api(cluster).get<V1Deployment>(DEPLOYMENTS, app.namespace, name);
          const status = deployment?.status && { ...deployment.status, generation: deployment.metadata?.generation };
          return deploymentProgress(cluster, what, deployment?.spec?.replicas ?? 1, deployment ? (status ?? {}) : undefined);
        }),
      );
      return combineReadiness(parts);
    },

    async finalize(rollout, app) {
      // Like Karmada's finalize: every cluster's base ends on the new version; the previous
      // value is forgotten and the canaries are gone.
      for (const cluster of rollout.clusters) {
        const base = await readBase(app, cluster);
        const ours = base.metadata?.annotations?.[ROLLOUT_ID_ANNOTATION] === rollout.id;
        const forget: JsonPatchOp[] = ours
          ? [
              { op: 'remove', path: annotationPath(PREVIOUS_VERSION_ANNOTATION) },
              { op: 'remove', path: annotationPath(ROLLOUT_ID_ANNOTATION) },
            ]
          : [];
        await patchBase(app, cluster, base, rollout.version, forget);
        await removeCanary(app, cluster);
      }
    },

    async setWeights(rollout, app) {
      const traffic = app.canary.traffic;
      const clusters = weightedCanaries(rollout);
      const baseReplicas: Record<string, number> = {};
      for (const cluster of clusters) {
        const weight = rollout.cluster[cluster]?.weight as number;
        if (isMesh(traffic)) await directRouteWriter(api(cluster), app, traffic).setWeight(weight);
        else baseReplicas[cluster] = (await addCanary(rollout, app, cluster)).baseReplicas;
      }
      return isMesh(traffic) ? {} : replicaShares(rollout, app, clusters, (c) => baseReplicas[c] ?? 1);
    },
  };
}
