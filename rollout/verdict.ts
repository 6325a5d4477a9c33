// Judging analysis results: each metric against its range, each cluster's failed checks
// as a running total (Flagger), and whether the failure limit is reached.
import type { RollbackCause } from './events.js';
import type { ClusterState, ClusterTick, MetricSample, Rollout } from './model.js';

export function metricPassed(value: number | null, range: { min?: number; max?: number }): boolean {
  if (value === null || !Number.isFinite(value)) return false;
  if (range.min !== undefined && value < range.min) return false;
  if (range.max !== undefined && value > range.max) return false;
  return true;
}

/** A cluster's tick fails when any deciding (non dry-run) metric failed or had no value. */
export function tickFailed(metrics: MetricSample[]): boolean {
  return metrics.some((m) => !m.dryRun && !m.passed);
}

export interface JudgedTick {
  cluster: Record<string, ClusterState>;
  breach?: RollbackCause;
}

export function judgeTick(rollout: Rollout, results: ClusterTick[], nowMs: number): JudgedTick {
  const cluster = { ...rollout.cluster };
  let breach: RollbackCause | undefined;
  for (const result of results) {
    const current = cluster[result.cluster];
    if (!current) continue;
    const failed = tickFailed(result.metrics);
    const failedChecks = current.failedChecks + (failed ? 1 : 0);
    cluster[result.cluster] = {
      ...current,
      failedChecks,
      lastVerdict: failed ? 'failed' : 'passed',
      history: [...current.history, { at: nowMs, metrics: Object.fromEntries(result.metrics.map((m) => [m.metric, m.value])) }],
    };
    if (failed && failedChecks >= rollout.settings.failureLimit && !breach) {
      breach = { cluster: result.cluster, failing: result.metrics.filter((m) => !m.dryRun && !m.passed), failedChecks };
    }
  }
  return breach ? { cluster, breach } : { cluster };
}
