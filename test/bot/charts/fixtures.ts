// Rollout histories for the chart tests, shaped like rollout.cluster[name].history.
import type { MetricChartsInput } from '../../../bot/charts/metric-chart.js';

export const START = Date.UTC(2026, 2, 14, 14, 2, 0);
const MINUTE = 60_000;

/** Three clusters, ten 1-minute intervals; member3's success rate falls to 85 and it is rolled back. */
export function realisticRollout(): MetricChartsInput {
  const success: Record<string, (number | null)[]> = {
    member1: [99.94, 99.91, 99.95, 99.9, 99.93, 99.89, 99.92, 99.95, 99.91, 99.93],
    member2: [99.9, 99.93, null, 99.88, 99.92, 99.94, 99.9, 99.91, 99.89, 99.92],
    member3: [99.92, 99.9, 99.87, 99.91, 99.6, 98.7, 97.1, 93.4, 88.9, 85.0],
  };
  const p99: Record<string, (number | null)[]> = {
    member1: [118, 121, 117, 124, 119, 122, 120, 116, 123, 119],
    member2: [126, 123, null, 129, 125, 131, 127, 124, 128, 126],
    member3: [115, 119, 122, 128, 141, 158, 176, 204, 233, 262],
  };
  return {
    title: 'checkout v1.8.2 → v1.9.0 · rolled back',
    metrics: [
      { name: 'request-success-rate', unit: '%', min: 99 },
      { name: 'request-duration', unit: 'ms', max: 500 },
    ],
    clusters: Object.keys(success).map((name) => ({
      name,
      points: success[name]!.map((value, i) => ({
        at: START + i * MINUTE,
        values: { 'request-success-rate': value, 'request-duration': p99[name]![i] ?? null },
      })),
    })),
  };
}

/** Deterministic wiggle, so every run draws the same picture. */
const wave = (i: number, k: number) => Math.sin(i * 0.9 + k * 1.7) * 0.5 + Math.cos(i * 0.37 + k) * 0.5;

export function largeRollout(clusterCount: number, metricCount: number, intervals = 12): MetricChartsInput {
  const metrics = Array.from({ length: metricCount }, (_, m) =>
    m % 2 === 0 ? { name: `success-rate-${m}`, unit: '%', min: 99 } : { name: `latency-p99-${m}`, unit: 'ms', max: 400 + m * 10 },
  );
  return {
    title: `payments v3 → v4 · ${clusterCount} clusters`,
    metrics,
    clusters: Array.from({ length: clusterCount }, (_, c) => ({
      name: `prod-eu-${c + 1}`,
      points: Array.from({ length: intervals }, (_, i) => ({
        at: START + i * 5 * MINUTE,
        values: Object.fromEntries(metrics.map((metric, m) => [metric.name, metric.unit === '%' ? 99.6 + 0.3 * wave(i, c + m) : 150 + 40 * wave(i, c * 3 + m)])),
      })),
    })),
  };
}
