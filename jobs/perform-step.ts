// Runs one rollout step against the world and says what happened, as an event.
import type { AppConfig } from '../rollout/config.js';
import type { RolloutEvent, StepName } from '../rollout/events.js';
import type { Fleet } from '../rollout/kube/fleet.js';
import type { MetricsSource } from '../rollout/metrics/source.js';
import { analysedClusters, type Rollout } from '../rollout/model.js';
import { desiredSets } from '../rollout/operations.js';
import { judgeMeasurements, measurementOutage } from '../rollout/verdict.js';
import type { Webhooks } from '../rollout/webhooks/webhooks.js';
import { confirmationHeld, rollbackSignal } from '../rollout/webhooks/hook-verdicts.js';
import type { HookCall } from '../rollout/webhooks/hook-call.js';

export async function performStep(step: StepName, rollout: Rollout, app: AppConfig, ports: { fleet: Fleet; metrics: MetricsSource; webhooks?: Webhooks }): Promise<RolloutEvent> {
  const { fleet, metrics, webhooks } = ports;
  switch (step) {
    case 'start': {
      // The base first: a start of the version already running ends quietly, without asking
      // any confirm-rollout webhook about a rollout that will not happen.
      const base = await fleet.readBase(app, rollout.clusters[0]);
      if (base.version === rollout.version) return { type: 'AlreadyRunning' };
      const confirmations = (await webhooks?.confirm(rollout, app, 'confirm-rollout')) ?? [];
      if (confirmationHeld(confirmations)) return { type: 'StartHeldByWebhook', hooks: confirmations };
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
          // Webhooks first (Flagger: before the metric checks); a failing pre-rollout hook measures nothing else.
          const hooks = webhooks ? await webhooks.tick(rollout, app, cluster) : { samples: [], skipMetrics: false };
          const measured = [...hooks.samples, ...(hooks.skipMetrics ? [] : judgeMeasurements(await metrics.measure(rollout, app, cluster, app.analysis.metrics), app.analysis.metrics))];
          const ready = pods[cluster];
          const { weight, actualWeight } = rollout.cluster[cluster] ?? {};
          const traffic = { ...(weight !== undefined ? { weight } : {}), ...(actualWeight !== undefined ? { actualWeight } : {}) };
          return ready ? { cluster, metrics: measured, podsReady: ready, ...traffic } : { cluster, metrics: measured, ...traffic };
        }),
      );
      // The measuring system being down says nothing about the canary: hold, do not judge
      // (unless a rollback webhook asks to roll back: that needs no measurement).
      const outage = measurementOutage(results);
      if (outage && !rollbackSignal(results)) return { type: 'StepHeld', step, problem: outage };
      const gateHooks = await autoPromotionHooks(rollout, app, webhooks);
      return gateHooks.length > 0 ? { type: 'AnalysisTicked', results, gateHooks } : { type: 'AnalysisTicked', results };
    }
    case 'finalize': {
      await fleet.finalize(rollout, app);
      const hooks = (await webhooks?.postRollout(rollout, app, 'Succeeded')) ?? [];
      return hooks.length > 0 ? { type: 'Finalized', hooks } : { type: 'Finalized' };
    }
    case 'shift-traffic': {
      const actual = await fleet.setWeights(rollout, app);
      return Object.keys(actual).length > 0 ? { type: 'TrafficShifted', actual } : { type: 'TrafficShifted' };
    }
    case 'rollback': {
      // Demo 3, steps 5 and 6: undo every promotion, then remove every canary.
      await fleet.setPromoted(rollout, app, []);
      await fleet.setCanaries(rollout, app, []);
      const hooks = (await webhooks?.postRollout(rollout, app, 'Failed')) ?? [];
      return hooks.length > 0 ? { type: 'RolledBack', hooks } : { type: 'RolledBack' };
    }
  }
}

/**
 * confirm-promotion, asked every interval while a gate waits (its answer shows in the summary;
 * Approve asks again) and when this interval may complete a stage that promotes without a button.
 */
async function autoPromotionHooks(rollout: Rollout, app: AppConfig, webhooks: Webhooks | undefined): Promise<HookCall[]> {
  const next = rollout.stages[rollout.stage + 1];
  const completes = rollout.phase === 'analysing' && rollout.settings.autoPromote && rollout.ticksInStage + 1 >= rollout.settings.iterations;
  const open = rollout.phase === 'awaiting-approval' ? rollout.gates.find((g) => g.state === 'open') : undefined;
  if (!webhooks || (!open && (!next || !completes))) return [];
  return webhooks.confirm(rollout, app, 'confirm-promotion', open?.clusters ?? next?.clusters ?? []);
}
