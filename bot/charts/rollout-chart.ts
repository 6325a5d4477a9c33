// The end-of-rollout chart: every metric over the whole rollout, one line per cluster.
import type { Rollout } from '../../rollout/model.js';
import { drawCharts } from './chart-thread.js';

export async function rolloutChart(rollout: Rollout): Promise<{ filename: string; title: string; png: Buffer; comment: string }> {
  const how = rollout.phase === 'succeeded' ? 'rolled out' : 'rolled back';
  const title = `${rollout.app} ${rollout.fromVersion ?? ''} → ${rollout.version} · ${how}`;
  const names = rollout.settings.metrics ?? [...new Set(Object.values(rollout.cluster).flatMap((c) => c.history.flatMap((h) => Object.keys(h.metrics))))].map((name) => ({ name }));
  const png = await drawCharts({
    title,
    metrics: names.map((m) => ({ ...m, ...(m.name === 'request-duration' ? { unit: 'ms' } : m.name === 'request-success-rate' ? { unit: '%' } : {}) })),
    clusters: rollout.clusters.map((name) => ({ name, points: (rollout.cluster[name]?.history ?? []).map((h) => ({ at: h.at, values: h.metrics })) })),
    marks: weightMarks(rollout),
  });
  return { filename: `${rollout.id}-metrics.png`, title: `Metrics of ${rollout.id}`, png, comment: `:bar_chart: Every metric of \`${rollout.id}\` over the whole rollout, per cluster, with its thresholds; times on the chart are UTC.` };
}

/** Each weight change once ("member1 20 %", or "20 %" when every weighted cluster moved together). */
export function weightMarks(rollout: Rollout): { at: number; label: string }[] {
  const changes = new Map<string, { at: number; weight: number; clusters: string[] }>();
  for (const name of rollout.clusters) {
    for (const change of rollout.cluster[name]?.weights ?? []) {
      const key = `${change.at}/${change.weight}`;
      const entry = changes.get(key) ?? { ...change, clusters: [] };
      entry.clusters.push(name);
      changes.set(key, entry);
    }
  }
  const weighted = rollout.clusters.filter((c) => (rollout.cluster[c]?.weights ?? []).length > 0).length;
  return [...changes.values()]
    .sort((a, b) => a.at - b.at)
    .map((c) => ({ at: c.at, label: c.clusters.length === weighted ? `${c.weight} %` : `${c.clusters.join(', ')} ${c.weight} %` }));
}
