// The baseline side of a metric, as measured: the same query over the stable pods of the same
// cluster in the same interval, and both sides' points over the interval. Judging them (the
// rule, the Mann-Whitney comparison) is rollout/verdict.ts's.
import type { MetricConfig } from '../config.js';
import { getJson } from './http-json.js';

const POINTS = 12;

/** A metric judged against its baseline (maxIncrease / maxDecrease) needs the stable pods measured too. */
export function hasBaselineRule(metric: MetricConfig): boolean {
  return metric.maxIncrease !== undefined || metric.maxDecrease !== undefined;
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
