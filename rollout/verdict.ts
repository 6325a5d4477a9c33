// Judging analysis results: each measured metric against its range and its baseline (the
// adapters in metrics/ only measure), each cluster's failed checks as a running total
// (Flagger), and whether the failure limit is reached.
import { baselineBreach, parseAllowance, type BaselineRule } from './analysis/baseline.js';
import { effectSize, mannWhitney } from './analysis/mann-whitney.js';
import type { MetricConfig } from './config.js';
import type { RollbackCause } from './events.js';
import { appendHistory } from './history.js';
import type { BaselineFinding, ClusterState, ClusterTick, MetricSample, Rollout, RolloutSettings } from './model.js';
import type { BaselineMeasurement, Measurement } from './metrics/source.js';
import { fallbackBaselineNote, fallbackComparison, type StepProblem } from './why.js';

/** Points each side needs over the interval before the Mann-Whitney comparison is shown. */
const MIN_POINTS = 5;

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

export function baselineRule(metric: Pick<MetricConfig, 'maxIncrease' | 'maxDecrease'>): BaselineRule | undefined {
  const maxIncrease = metric.maxIncrease !== undefined ? parseAllowance(metric.maxIncrease) : undefined;
  const maxDecrease = metric.maxDecrease !== undefined ? parseAllowance(metric.maxDecrease) : undefined;
  if (!maxIncrease && !maxDecrease) return undefined;
  return { ...(maxIncrease ? { maxIncrease } : {}), ...(maxDecrease ? { maxDecrease } : {}) };
}

/** The finding, and its plain words for rollgates from before issue 11. */
const baselineFacts = (finding: BaselineFinding) => ({ baselineFinding: finding, baselineNote: fallbackBaselineNote(finding) });

/** A canary sample against its baseline: the rule's verdict, and the statistical comparison where both sides have points. */
function withBaseline(sample: MetricSample, rule: BaselineRule, side: BaselineMeasurement): MetricSample {
  if ('skipped' in side) return { ...sample, ...baselineFacts({ said: 'no-baseline' }) };
  if (side.outage) return { ...sample, passed: false, error: `baseline: ${side.error ?? 'no answer'}`, outage: true };
  const baseline = side.value;
  const stats = mannWhitney(side.canaryPoints, side.baselinePoints);
  const comparison =
    stats && stats.n1 >= MIN_POINTS && stats.n2 >= MIN_POINTS
      ? { p: stats.p, effect: stats.effect, size: effectSize(stats.effect), words: fallbackComparison(stats.p, stats.effect) }
      : undefined;
  const withSide: MetricSample = { ...sample, baseline, ...(comparison ? { comparison } : {}) };
  if (baseline === null) return { ...withSide, ...baselineFacts({ said: 'no-data' }) };
  if (sample.value === null) return withSide;
  const breach = baselineBreach(sample.value, baseline, rule);
  return breach ? { ...withSide, passed: false, ...baselineFacts(breach) } : withSide;
}

/** One measured metric judged against its configuration: in range, and within its baseline rule. */
export function judgeMeasurement(measured: Measurement, metric: MetricConfig): MetricSample {
  const { baseline, ...seen } = measured;
  const range = metricRange(metric);
  const sample: MetricSample = { ...seen, ...range, passed: metricPassed(measured.value, range), dryRun: metric.dryRun };
  const rule = baselineRule(metric);
  return rule && baseline ? withBaseline(sample, rule, baseline) : sample;
}

/** What a source measured for `metrics`, in the same order, judged. */
export function judgeMeasurements(measured: Measurement[], metrics: MetricConfig[]): MetricSample[] {
  return measured.map((m, i) => judgeMeasurement(m, (metrics.find((c) => c.name === m.metric) ?? metrics[i]) as MetricConfig));
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
export function measurementOutage(results: ClusterTick[]): Extract<StepProblem, { said: 'cannot-measure' }> | undefined {
  const down = results.flatMap((r) => r.metrics.filter((m) => !m.dryRun && m.outage).map((m) => ({ cluster: r.cluster, metric: m.metric, ...(m.error !== undefined ? { error: m.error } : {}) })));
  if (down.length === 0) return undefined;
  return { said: 'cannot-measure', down: down.slice(0, 3), more: Math.max(0, down.length - 3) };
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
