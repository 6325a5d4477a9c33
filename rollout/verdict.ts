// Judging analysis results: each metric against its range, each cluster's failed checks
// as a running total (Flagger), and whether the failure limit is reached.
import type { RollbackCause } from './events.js';
import { appendHistory } from './history.js';
import type { ClusterState, ClusterTick, MetricSample, Rollout, RolloutSettings } from './model.js';

/** A metric's configured range, without undefined keys (samples are stored as JSON). */
export function metricRange(metric: { min?: number | undefined; max?: number | undefined }): { min?: number; max?: number } {
  return { ...(metric.min !== undefined ? { min: metric.min } : {}), ...(metric.max !== undefined ? { max: metric.max } : {}) };
}

export function metricPassed(value: number | null, range: { min?: number; max?: number }): boolean {
  if (value === null || !Number.isFinite(value)) return false;
  if (range.min !== undefined && value < range.min) return false;
  if (range.max !== undefined && value > range.max) return false;
  return true;
}

type Limits = Pick<RolloutSettings, 'consecutiveErrorLimit'>;

/**
 * A cluster's tick fails when any deciding (non dry-run) metric is out of range, or had no
 * value. With a consecutiveErrorLimit (Argo Rollouts), a value that could not be measured is
 * counted apart, as an error, and does not fail the check.
 */
export function tickFailed(metrics: MetricSample[], limits: Limits = {}): boolean {
  return metrics.some((m) => !m.dryRun && !m.outage && !m.passed && (limits.consecutiveErrorLimit === undefined || !m.error));
}

export function tickErrored(metrics: MetricSample[], limits: Limits): boolean {
  return limits.consecutiveErrorLimit !== undefined && metrics.some((m) => !m.dryRun && !m.outage && m.error !== undefined);
}

/**
 * Why an interval cannot be judged at all: the system measuring a deciding metric did not
 * answer (Prometheus refused, timed out, 5xx; a cluster API down). Such an interval neither
 * passes nor fails; the analysis holds until it answers. Undefined when every deciding
 * metric was measured, or answered "no data" (that is a failure, judged as usual).
 */
export function measurementOutage(results: ClusterTick[]): string | undefined {
  const down = results.flatMap((r) => r.metrics.filter((m) => !m.dryRun && m.outage).map((m) => `${r.cluster} ${m.metric}: ${m.error ?? 'no answer'}`));
  if (down.length === 0) return undefined;
  const shown = down.slice(0, 3).join('; ') + (down.length > 3 ? ` (and ${down.length - 3} more)` : '');
  return `analysis cannot measure (${shown}); this interval is neither passed nor failed`;
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
    const failed = tickFailed(result.metrics, rollout.settings);
    const failedChecks = current.failedChecks + (failed ? 1 : 0);
    const consecutiveErrors = tickErrored(result.metrics, rollout.settings) ? (current.consecutiveErrors ?? 0) + 1 : 0;
    cluster[result.cluster] = {
      ...current,
      failedChecks,
      consecutiveErrors,
      lastVerdict: failed ? 'failed' : 'passed',
      history: appendHistory(current.history, { at: nowMs, metrics: Object.fromEntries(result.metrics.map((m) => [m.metric, m.value])) }),
    };
    if (failed && failedChecks >= rollout.settings.failureLimit && !breach) {
      breach = { cluster: result.cluster, failing: result.metrics.filter((m) => !m.dryRun && !m.passed), failedChecks };
    }
    const errorLimit = rollout.settings.consecutiveErrorLimit;
    if (errorLimit !== undefined && consecutiveErrors >= errorLimit && !breach) {
      breach = { cluster: result.cluster, failing: result.metrics.filter((m) => !m.dryRun && m.error !== undefined), failedChecks, consecutiveErrors };
    }
  }
  if (!breach) return { cluster };
  const first = breach.cluster;
  const alsoFailing = results
    .filter((r) => r.cluster !== first && cluster[r.cluster] && tickFailed(r.metrics, rollout.settings))
    .map((r) => ({ cluster: r.cluster, failing: r.metrics.filter((m) => !m.dryRun && !m.passed), failedChecks: cluster[r.cluster]?.failedChecks ?? 0 }));
  return { cluster, breach: alsoFailing.length > 0 ? { ...breach, alsoFailing } : breach };
}
