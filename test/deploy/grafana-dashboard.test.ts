// Every metric the Grafana dashboard queries is one rollgate exposes (a renamed metric would
// leave an empty panel, silently).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { createMetrics } from '../../jobs/metrics.js';
import { createQueues } from '../../jobs/queues.js';
import { createRolloutStore } from '../../jobs/store.js';

const dashboard = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../deploy/grafana-dashboard.json'), 'utf8'));
const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
const prefix = `dash-${process.pid}`;
const queues = createQueues({ connection: redis, prefix, clock: Date.now });
const metrics = createMetrics({ store: createRolloutStore({ redis, prefix }), queues });
afterAll(async () => {
  metrics.close();
  await queues.close();
  redis.disconnect();
});

/** The series names a metric exposes: histograms also _bucket, _sum and _count. */
function exposed(): Set<string> {
  const names = new Set<string>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

it('queries only metrics rollgate exposes, and uses every rollgate_ metric', () => {
  const exprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
  exprs.push(...dashboard.templating.list.map((v: { query: unknown }) => String(v.query)));
  // Label matchers and `by (...)` lists name labels, not metrics.
  const metricPart = (expr: string) => expr.replace(/\{[^}]*\}/g, '').replace(/\bby \([^)]*\)/g, '');
  const used = new Set(exprs.flatMap((expr) => metricPart(expr).match(/\b(?:rollgate|process|nodejs)_[a-z0-9_]+\b/g) ?? []));
  const names = exposed();
  expect([...used].filter((name) => !names.has(name))).toEqual([]);
  const ours = [...names].filter((n) => n.startsWith('rollgate_') && !/_(bucket|sum|count)$/.test(n));
  expect(ours.filter((name) => ![...used].some((u) => u.startsWith(name)))).toEqual([]);
});
