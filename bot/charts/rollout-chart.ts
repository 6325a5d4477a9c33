// The end-of-rollout chart: every metric over the whole rollout, one line per cluster.
import type { Rollout } from '../../rollout/model.js';
import { renderMetricCharts } from './metric-chart.js';

export function rolloutChart(rollout: Rollout): { filename: string; title: string; png: Buffer; comment: string } {
  const how = rollout.phase === 'succeeded' ? 'rolled out' : 'rolled back';
  const title = `${rollout.app} ${rollout.fromVersion ?? ''} → ${rollout.version} · ${how}`;
  const names = rollout.settings.metrics ?? [...new Set(Object.values(rollout.cluster).flatMap((c) => c.history.flatMap((h) => Object.keys(h.metrics))))].map((name) => ({ name }));
  const png = renderMetricCharts({
    title,
    metrics: names.map((m) => ({ ...m, ...(m.name === 'request-duration' ? { unit: 'ms' } : m.name === 'request-success-rate' ? { unit: '%' } : {}) })),
    clusters: rollout.clusters.map((name) => ({ name, points: (rollout.cluster[name]?.history ?? []).map((h) => ({ at: h.at, values: h.metrics })) })),
  });
  return { filename: `${rollout.id}-metrics.png`, title: `Metrics of ${rollout.id}`, png, comment: `:bar_chart: Every metric of \`${rollout.id}\` over the whole rollout, per cluster, with its thresholds.` };
}
