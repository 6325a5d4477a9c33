// Karmada mode: every write goes to the Karmada API server, as in the side-by-side canary
// seed. Canary Deployment + PropagationPolicy per cluster (or one region-wide pair), one
// OverridePolicy whose clusterNames grows per promotion, zero-churn finalize.
import type { V1Deployment } from '@kubernetes/client-node';
import type { AppConfig } from '../config.js';
import type { Rollout } from '../model.js';
import { applyObject, DEPLOYMENTS, OVERRIDE_POLICIES, PROPAGATION_POLICIES, RESOURCE_BINDINGS, type ClusterApi } from './cluster-api.js';
import { FleetError, type BaseInfo, type Fleet, type Readiness } from './fleet.js';
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
import { usesRegionCanary } from './naming.js';

interface AggregatedStatusItem {
  clusterName: string;
  applied?: boolean;
  health?: string;
  status?: { replicas?: number; readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number; observedGeneration?: number; generation?: number };
}

interface Binding {
  status?: { aggregatedStatus?: AggregatedStatusItem[] };
}

export function createKarmadaFleet(options: { karmada: ClusterApi }): Fleet {
  const { karmada } = options;

  async function readBaseDeployment(app: AppConfig): Promise<V1Deployment> {
    const base = await karmada.get<V1Deployment>(DEPLOYMENTS, app.namespace, app.deployment);
    if (!base) throw new FleetError('not-found', `Deployment ${app.namespace}/${app.deployment} does not exist on the Karmada API server`, karmada.cluster);
    return base;
  }

  async function removeCanaries(rollout: Rollout, app: AppConfig): Promise<void> {
    const names = [canaryName(app), ...rollout.clusters.map((c) => canaryName(app, c))];
    for (const name of names) {
      await karmada.remove(DEPLOYMENTS, app.namespace, name);
      await karmada.remove(PROPAGATION_POLICIES, app.namespace, propagationName(name));
    }
  }

  async function readiness(app: AppConfig, deployment: string, clusters: string[], what: string): Promise<Readiness> {
    const template = await karmada.get<V1Deployment>(DEPLOYMENTS, app.namespace, deployment);
    const binding = await karmada.get<Binding>(RESOURCE_BINDINGS, app.namespace, bindingName(deployment));
    const desired = template?.spec?.replicas ?? 1;
    const pods: Readiness['pods'] = {};
    const waiting: string[] = [];
    for (const cluster of clusters) {
      const item = binding?.status?.aggregatedStatus?.find((s) => s.clusterName === cluster);
      const s = item?.status;
      const ready = s?.readyReplicas ?? 0;
      pods[cluster] = { ready: Math.min(ready, desired), total: desired };
      const settled = s !== undefined && (s.observedGeneration === undefined || s.generation === undefined || s.observedGeneration >= s.generation);
      const complete = settled && (s.updatedReplicas ?? 0) >= desired && ready >= desired && (s.replicas ?? 0) === desired;
      if (!template || !item || item.applied === false || !complete) waiting.push(`${cluster}: ${what} ${ready}/${desired} ready${s && (s.updatedReplicas ?? 0) < desired ? `, ${s.updatedReplicas ?? 0} updated` : ''}`);
    }
    return waiting.length === 0 ? { ready: true, pods } : { ready: false, waitingFor: waiting.join('; '), pods };
  }

  return {
    async readBase(app): Promise<BaseInfo> {
      const base = await readBaseDeployment(app);
      return { version: currentVersion(app, base), replicas: base.spec?.replicas ?? 1 };
    },

    async deployCanary(rollout, app) {
      const base = await readBaseDeployment(app);
      const clusters = rollout.stages[0]?.clusters ?? [];
      const pairs = usesRegionCanary(rollout) ? [{ cluster: undefined, targets: clusters }] : clusters.map((c) => ({ cluster: c, targets: [c] }));
      for (const { cluster, targets } of pairs) {
        const deployment = canaryDeployment(app, base, rollout.id, rollout.version, cluster);
        await applyObject(karmada, deployment);
        await applyObject(karmada, canaryPropagationPolicy(app, rollout.id, deployment.metadata.name, targets));
      }
    },

    async promote(rollout, app) {
      const base = await readBaseDeployment(app);
      const stageClusters = rollout.stages[rollout.stage]?.clusters ?? [];
      const promoted = rollout.clusters.filter((c) => rollout.cluster[c]?.promoted || stageClusters.includes(c));
      await applyObject(karmada, promoteOverridePolicy(app, base, rollout.id, rollout.version, promoted));
    },

    async checkReady(rollout, app) {
      const stage = rollout.stages[rollout.stage];
      if (!stage) return { ready: true, pods: {} };
      if (stage.action === 'promote') return readiness(app, app.deployment, stage.clusters, 'base');
      if (usesRegionCanary(rollout)) return readiness(app, canaryName(app), stage.clusters, 'canary');
      const parts = await Promise.all(stage.clusters.map((c) => readiness(app, canaryName(app, c), [c], 'canary')));
      const waiting = parts.flatMap((p) => (p.waitingFor ? [p.waitingFor] : []));
      const pods = Object.assign({}, ...parts.map((p) => p.pods)) as Readiness['pods'];
      return waiting.length === 0 ? { ready: true, pods } : { ready: false, waitingFor: waiting.join('; '), pods };
    },

    async finalize(rollout, app) {
      const base = await readBaseDeployment(app);
      const { path, value, current } = versionPatch(app, base, rollout.version);
      // Re-running after a crash finds the base already at the new version: nothing to patch.
      if (current !== value) {
        await karmada.jsonPatch(DEPLOYMENTS, app.namespace, app.deployment, [
          { op: 'test', path, value: current },
          { op: 'replace', path, value },
        ]);
      }
      await karmada.remove(OVERRIDE_POLICIES, app.namespace, overrideName(app));
      await removeCanaries(rollout, app);
    },

    async rollBack(rollout, app) {
      await karmada.remove(OVERRIDE_POLICIES, app.namespace, overrideName(app));
      await removeCanaries(rollout, app);
    },
  };
}
