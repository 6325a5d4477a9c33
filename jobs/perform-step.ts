// Runs one rollout step against the world and says what happened, as an event.
import type { AppConfig } from '../rollout/config.js';
import type { RolloutEvent, StepName } from '../rollout/events.js';
import type { Fleet } from '../rollout/kube/fleet.js';
import type { MetricsSource } from '../rollout/metrics/source.js';
import { analysedClusters, type Rollout } from '../rollout/model.js';

export async function performStep(step: StepName, rollout: Rollout, app: AppConfig, ports: { fleet: Fleet; metrics: MetricsSource }): Promise<RolloutEvent> {
  const { fleet, metrics } = ports;
  switch (step) {
    case 'start': {
      const base = await fleet.readBase(app);
      if (base.version === rollout.version) {
        return { type: 'StepFailed', step, reason: `${app.namespace}/${app.deployment} already runs ${rollout.version}` };
      }
      return { type: 'RolloutStarted', fromVersion: base.version };
    }
    case 'deploy-canary':
      await fleet.deployCanary(rollout, app);
      return { type: 'CanaryDeployed' };
    case 'promote':
      await fleet.promote(rollout, app);
      return { type: 'PromotionApplied' };
    case 'check-ready': {
      const readiness = await fleet.checkReady(rollout, app);
      return readiness.waitingFor ? { type: 'ReadinessChecked', ready: readiness.ready, waitingFor: readiness.waitingFor } : { type: 'ReadinessChecked', ready: readiness.ready };
    }
    case 'tick': {
      const clusters = analysedClusters(rollout);
      const results = await Promise.all(clusters.map(async (cluster) => ({ cluster, metrics: await metrics.measure(rollout, app, cluster) })));
      return { type: 'AnalysisTicked', results };
    }
    case 'finalize':
      await fleet.finalize(rollout, app);
      return { type: 'Finalized' };
    case 'rollback':
      await fleet.rollBack(rollout, app);
      return { type: 'RolledBack' };
  }
}
