// Runs one rollout step against the world and says what happened, as an event.
import type { AppConfig } from '../rollout/config.js';
import type { RolloutEvent, StepName } from '../rollout/events.js';
import type { Fleet } from '../rollout/kube/fleet.js';
import type { MetricsSource } from '../rollout/metrics/source.js';
import { analysedClusters, type Rollout } from '../rollout/model.js';
import { desiredSets } from '../rollout/operations.js';

export async function performStep(step: StepName, rollout: Rollout, app: AppConfig, ports: { fleet: Fleet; metrics: MetricsSource }): Promise<RolloutEvent> {
  const { fleet, metrics } = ports;
  switch (step) {
    case 'start': {
      const base = await fleet.readBase(app, rollout.clusters[0]);
      if (base.version === rollout.version) {
        return { type: 'StepFailed', step, reason: `${app.namespace}/${app.deployment} already runs ${rollout.version}` };
      }
      return { type: 'RolloutStarted', fromVersion: base.version };
    }
    case 'deploy-canary':
      await fleet.setCanaries(rollout, app, rollout.stages[0]?.clusters ?? []);
      return { type: 'CanaryDeployed' };
    case 'promote': {
      const stage = rollout.stages[rollout.stage]?.clusters ?? [];
      await fleet.setPromoted(rollout, app, rollout.clusters.filter((c) => rollout.cluster[c]?.promoted || stage.includes(c)));
      return { type: 'PromotionApplied' };
    }
    case 'operate': {
      const { canaries, promoted } = desiredSets(rollout);
      await fleet.setPromoted(rollout, app, promoted);
      await fleet.setCanaries(rollout, app, canaries);
      return { type: 'OperationApplied' };
    }
    case 'check-ready': {
      const readiness = await fleet.checkReady(rollout, app);
      return readiness.waitingFor ? { type: 'ReadinessChecked', ready: readiness.ready, waitingFor: readiness.waitingFor } : { type: 'ReadinessChecked', ready: readiness.ready };
    }
    case 'tick': {
      // Weights as the rollout holds them (a no-op unless a pause skipped the shift-traffic step).
      if (rollout.settings.traffic) await fleet.setWeights(rollout, app);
      const clusters = analysedClusters(rollout);
      const pods = await fleet.podsReady(rollout, app, clusters).catch(() => ({}) as Record<string, { ready: number; total: number }>);
      const results = await Promise.all(
        clusters.map(async (cluster) => {
          const measured = await metrics.measure(rollout, app, cluster, app.analysis.metrics);
          const ready = pods[cluster];
          const { weight, actualWeight } = rollout.cluster[cluster] ?? {};
          const traffic = { ...(weight !== undefined ? { weight } : {}), ...(actualWeight !== undefined ? { actualWeight } : {}) };
          return ready ? { cluster, metrics: measured, podsReady: ready, ...traffic } : { cluster, metrics: measured, ...traffic };
        }),
      );
      return { type: 'AnalysisTicked', results };
    }
    case 'finalize':
      await fleet.finalize(rollout, app);
      return { type: 'Finalized' };
    case 'shift-traffic': {
      const actual = await fleet.setWeights(rollout, app);
      return Object.keys(actual).length > 0 ? { type: 'TrafficShifted', actual } : { type: 'TrafficShifted' };
    }
    case 'rollback':
      // Demo 3, steps 5 and 6: undo every promotion, then remove every canary.
      await fleet.setPromoted(rollout, app, []);
      await fleet.setCanaries(rollout, app, []);
      return { type: 'RolledBack' };
  }
}
