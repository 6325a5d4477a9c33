// The baseline side of a metric: the same query over the stable pods of the same cluster in
// the same interval, the rule check (maxIncrease / maxDecrease), and, where both sides have
// enough points over the interval, a Mann-Whitney verdict with its effect size.
import type { MetricConfig } from '../config.js';
import { baselineBreach, parseAllowance, type BaselineRule } from '../analysis/baseline.js';
import { effectWords, mannWhitney } from '../analysis/mann-whitney.js';
import type { MetricSample } from '../model.js';
import { getJson } from './http-json.js';

const MIN_POINTS = 5;
const POINTS = 12;

export function baselineRule(metric: MetricConfig): BaselineRule | undefined {
  const maxIncrease = metric.maxIncrease !== undefined ? parseAllowance(metric.maxIncrease) : undefined;
  const maxDecrease = metric.maxDecrease !== undefined ? parseAllowance(metric.maxDecrease) : undefined;
  if (!maxIncrease && !maxDecrease) return undefined;
  return { ...(maxIncrease ? { maxIncrease } : {}), ...(maxDecrease ? { maxDecrease } : {}) };
}

/** Values of `query` over the last `windowMs`, one per step; [] when Prometheus has none or fails. */
export async function rangeValues(baseUrl: string, query: string, windowMs: number, options: { timeoutMs: number; ca?: string; nowMs: number }): Promise<number[]> {
  const end = options.nowMs / 1000;
  const start = end - windowMs / 1000;
  const step = Math.max(1, Math.round(windowMs / 1000 / POINTS));
  const url = `${baseUrl.replace(/\/$/, '')}/api/v1/query_range?query=${encodeURIComponent(query)}&start=${start}&end=${end}&step=${step}`;
  try {
    const answer = await getJson(url, options);
    const series = (answer.body as { data?: { result?: { values?: [number, string][] }[] } }).data?.result?.[0]?.values ?? [];
    return series.map(([, v]) => Number(v)).filter(Number.isFinite);
  } catch {
    return [];
  }
}

export interface BaselineSide {
  value: number | null;
  canaryPoints: number[];
  baselinePoints: number[];
}

/** Adds the baseline value, the rule's verdict and the statistical comparison to a canary sample. */
export function withBaseline(sample: MetricSample, rule: BaselineRule, side: BaselineSide | { note: string }): MetricSample {
  if ('note' in side) return { ...sample, baselineNote: side.note };
  const baseline = side.value;
  const stats = mannWhitney(side.canaryPoints, side.baselinePoints);
  const comparison =
    stats && stats.n1 >= MIN_POINTS && stats.n2 >= MIN_POINTS
      ? { p: stats.p, effect: stats.effect, words: `Mann-Whitney p=${stats.p.toPrecision(2)}, effect ${stats.effect >= 0 ? '+' : ''}${stats.effect.toFixed(2)} (${effectWords(stats.effect)})` }
      : undefined;
  const withSide: MetricSample = { ...sample, baseline, ...(comparison ? { comparison } : {}) };
  if (baseline === null) return { ...withSide, baselineNote: 'baseline: no data' };
  if (sample.value === null) return withSide;
  const breach = baselineBreach(sample.value, baseline, rule);
  return breach ? { ...withSide, passed: false, baselineNote: breach } : withSide;
}
