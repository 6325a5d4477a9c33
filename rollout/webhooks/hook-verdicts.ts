// What hook answers mean for a rollout, decided in the pure domain from the calls that the
// edge made and put in events. A call's result travels as a MetricSample of the cluster it was
// about, so every rule that reads samples (failed checks, a stage's passing interval, the
// summary, the rollback notice) sees a failing `rollout` hook the way it sees a failing metric.
import type { ClusterTick, MetricSample, Rollout } from '../model.js';
import type { HookCall } from './hook-call.js';
import type { HookType } from './hook-config.js';

/** The sample key of a hook: never a metric name (metric names are DNS labels, without ":"). */
export const hookKey = (name: string) => `webhook:${name}`;

/** Hooks whose failure is a failed check of their cluster (Flagger). The rest only wait or signal. */
const CHECK_TYPES: readonly HookType[] = ['pre-rollout', 'rollout'];

export function hookSample(call: HookCall): MetricSample {
  const deciding = CHECK_TYPES.includes(call.type);
  // A rollback hook "passes" while it does not signal; confirm-* hooks pass once they confirm.
  const passed = call.type === 'rollback' ? !call.ok : call.ok;
  // No `error`: a hook that does not answer is a failed check, not a measurement error
  // (consecutiveErrorLimit is about metrics).
  return { metric: hookKey(call.name), value: call.status ?? null, passed, dryRun: !deciding, hook: call };
}

export function hookCalls(results: ClusterTick[], type: HookType): HookCall[] {
  return results.flatMap((r) => r.metrics.flatMap((m) => (m.hook?.type === type ? [m.hook] : [])));
}

/** The first rollback hook that answered 2xx in this interval: roll back (Flagger's rollback hook). */
export function rollbackSignal(results: ClusterTick[]): HookCall | undefined {
  return hookCalls(results, 'rollback').find((call) => call.ok);
}

/** The first confirm-* call that did not confirm, if any: what holds the start, the gate or the step. */
export function confirmationHeld(calls: HookCall[] | undefined): HookCall | undefined {
  return calls?.find((call) => !call.ok);
}

/**
 * For traffic steps: may this cluster's weight go up after this interval? False while a
 * confirm-traffic-increase hook of the cluster did not answer 2xx in it (Flagger).
 */
export function trafficIncreaseConfirmed(result: ClusterTick): boolean {
  return result.metrics.every((m) => m.hook?.type !== 'confirm-traffic-increase' || m.hook.ok);
}

/** Pre-rollout hooks run in a cluster until they all pass once (Flagger: before the first traffic step). */
export function preRolloutPassed(rollout: Rollout, cluster: string): boolean {
  return rollout.cluster[cluster]?.preRolloutPassed === true;
}

/** Clusters whose pre-rollout hooks all passed in this interval. */
export function preRolloutPassedIn(results: ClusterTick[]): string[] {
  return results.filter((r) => r.metrics.some((m) => m.hook?.type === 'pre-rollout') && r.metrics.every((m) => m.hook?.type !== 'pre-rollout' || m.hook.ok)).map((r) => r.cluster);
}
