// Metrics from each cluster's Prometheus query API. A Prometheus that errors, times out or
// has no data yields a failed sample whose error says so; it never throws.
import type { AppConfig, ClusterConfig, MetricConfig } from '../config.js';
import { promDuration } from '../duration.js';
import type { MetricSample, Rollout } from '../model.js';
import { metricPassed, metricRange } from '../verdict.js';
import { basePodsPattern, canaryPodsPattern, usesRegionCanary } from '../kube/naming.js';
import { canaryName } from '../kube/objects.js';
import { getJson } from './http-json.js';
import { baselineRule, rangeValues, withBaseline } from './compare-baseline.js';
import type { MetricsSource } from './source.js';
import { BUILT_IN_QUERIES, renderQuery, type TemplateVariables } from './templates.js';

const MIN_WINDOW_MS = 30_000;

export function queryVariables(rollout: Rollout, app: AppConfig, cluster: string): TemplateVariables {
  const canary = canaryName(app, usesRegionCanary(rollout) ? undefined : cluster);
  const promoted = rollout.cluster[cluster]?.promoted ?? false;
  return {
    namespace: app.namespace,
    deployment: app.deployment,
    canary,
    canaryPods: canaryPodsPattern(rollout, app, cluster),
    canaryWorkloads: promoted ? `(${canary}|${app.deployment})` : canary,
    basePods: basePodsPattern(app),
    cluster,
    interval: promDuration(Math.max(rollout.settings.intervalMs, MIN_WINDOW_MS)),
    weight: String(rollout.cluster[cluster]?.weight ?? 0),
  };
}

export function metricQuery(metric: MetricConfig, app: AppConfig): string {
  const template = metric.query ?? BUILT_IN_QUERIES[app.analysis.provider][metric.name];
  if (!template) throw new Error(`no query for metric ${metric.name}`);
  return template;
}

type QueryAnswer = { value: number } | { error: string };

export async function queryPrometheus(baseUrl: string, query: string, options: { timeoutMs: number; ca?: string }): Promise<QueryAnswer> {
  const url = `${baseUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
  let answer;
  try {
    answer = await getJson(url, options);
  } catch (error) {
    return { error: `Prometheus unreachable: ${error instanceof Error ? error.message : String(error)}` };
  }
  const body = answer.body as { status?: string; error?: string; data?: { resultType?: string; result?: unknown } } | string;
  if (answer.status !== 200 || typeof body !== 'object' || body.status !== 'success') {
    const reason = typeof body === 'object' && body?.error ? body.error : `HTTP ${answer.status}`;
    return { error: `Prometheus error: ${reason}` };
  }
  const result = body.data?.result;
  if (body.data?.resultType === 'scalar' && Array.isArray(result)) return numberOf(result[1]);
  if (!Array.isArray(result) || result.length === 0) return { error: 'no data: the query returned no series' };
  if (result.length > 1) return { error: `the query returned ${result.length} series, not one; aggregate it (for example with sum())` };
  return numberOf((result[0] as { value?: [number, string] }).value?.[1]);
}

function numberOf(text: unknown): QueryAnswer {
  const value = Number(text);
  if (typeof text !== 'string' || !Number.isFinite(value)) return { error: `no data: the query returned ${String(text)}` };
  return { value };
}

export function createPrometheusSource(options: { clusters: ClusterConfig[]; ca?: string; clock?: () => number }): MetricsSource {
  const byName = new Map(options.clusters.map((c) => [c.name, c]));
  const clock = options.clock ?? Date.now;
  return {
    async measure(rollout, app, cluster, metrics) {
      const prometheus = byName.get(cluster)?.prometheus;
      const variables = queryVariables(rollout, app, cluster);
      // The baseline: the same query over the stable pods, while they still run the old version.
      const promoted = rollout.cluster[cluster]?.promoted ?? false;
      const baselineVariables = { ...variables, canaryPods: variables.basePods, canaryWorkloads: app.deployment };
      const windowMs = Math.max(rollout.settings.intervalMs, 30_000);
      return Promise.all(
        metrics.map(async (metric): Promise<MetricSample> => {
          const range = metricRange(metric);
          if (!prometheus) return { metric: metric.name, value: null, ...range, passed: false, dryRun: metric.dryRun, error: `cluster ${cluster} has no Prometheus configured` };
          const http = { timeoutMs: prometheus.timeout, ...(options.ca ? { ca: options.ca } : {}) };
          const template = metricQuery(metric, app);
          const query = renderQuery(template, variables);
          const answer = await queryPrometheus(prometheus.url, query, http);
          const value = 'value' in answer ? answer.value : null;
          const sample: MetricSample = { metric: metric.name, value, ...range, passed: metricPassed(value, range), dryRun: metric.dryRun, ...('error' in answer ? { error: answer.error } : {}) };
          const rule = baselineRule(metric);
          if (!rule) return sample;
          if (promoted) return withBaseline(sample, rule, { note: 'no baseline: the base runs the new version here' });
          const baseQuery = renderQuery(template, baselineVariables);
          const base = await queryPrometheus(prometheus.url, baseQuery, http);
          const points = { ...http, nowMs: clock() };
          const [canaryPoints, baselinePoints] = await Promise.all([rangeValues(prometheus.url, query, windowMs, points), rangeValues(prometheus.url, baseQuery, windowMs, points)]);
          return withBaseline(sample, rule, { value: 'value' in base ? base.value : null, canaryPoints, baselinePoints });
        }),
      );
    },
  };
}
