// Metrics from each cluster's Prometheus query API, over the new version's own pods. A
// Prometheus that errors, times out or has no data yields a measurement without a value whose
// error says so (marked as an outage when Prometheus itself did not answer); it never throws.
// Nothing is judged here: rollout/verdict.ts compares values to thresholds and baselines.
import type { AppConfig, ClusterConfig, MetricConfig } from '../config.js';
import { promDuration } from '../duration.js';
import type { Rollout } from '../model.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import { basePodsPattern } from '../kube/naming.js';
import { canaryWorkload, newVersionPodsPattern, newVersionWorkloads, readNewVersionPods, type FleetMode, type WorkloadPods } from '../kube/new-version-pods.js';
import { analysisWindowMs } from '../analysis/window.js';
import { getJson } from './http-json.js';
import { hasBaselineRule, rangeValues } from './compare-baseline.js';
import type { Measurement, MetricsSource } from './source.js';
import { BUILT_IN_QUERIES, renderQuery, type TemplateVariables } from './templates.js';

export interface QueryContext {
  /** Now, for the window: never back past the moment the new-version pods were ready. */
  nowMs?: number;
  mode?: FleetMode;
  /** The new version's ReplicaSets as read from the cluster; without them, pods are matched by name prefix. */
  pods?: Pick<WorkloadPods, 'workload' | 'hashes'>[];
}

export function queryVariables(rollout: Rollout, app: AppConfig, cluster: string, context: QueryContext = {}): TemplateVariables {
  const canary = canaryWorkload(rollout, app, cluster, context.mode);
  const workloads = newVersionWorkloads(rollout, app, cluster, context.mode);
  const known = new Map((context.pods ?? []).map((p) => [p.workload, p.hashes]));
  return {
    namespace: app.namespace,
    deployment: app.deployment,
    canary,
    canaryPods: newVersionPodsPattern(workloads.map((workload) => ({ workload, hashes: known.get(workload) ?? [] }))),
    canaryWorkloads: workloads.length > 1 ? `(${workloads.join('|')})` : canary,
    basePods: basePodsPattern(app),
    cluster,
    interval: promDuration(analysisWindowMs(rollout, cluster, context.nowMs ?? Number.POSITIVE_INFINITY)),
    weight: String(rollout.cluster[cluster]?.weight ?? 0),
  };
}

export function metricQuery(metric: MetricConfig, app: AppConfig): string {
  const template = metric.query ?? BUILT_IN_QUERIES[app.analysis.provider][metric.name];
  if (!template) throw new Error(`no query for metric ${metric.name}`);
  return template;
}

/** `outage`: Prometheus itself did not answer (refused, timed out, DNS, 5xx, 429), as opposed to answering "no". */
export type QueryAnswer = { value: number } | { error: string; outage?: true };

/** 5xx and 429 are the server (or a proxy in front of it) not answering the query; 4xx is a bad query or URL. */
const isOutageStatus = (status: number) => status >= 500 || status === 429;

export async function queryPrometheus(baseUrl: string, query: string, options: { timeoutMs: number; ca?: string }): Promise<QueryAnswer> {
  const url = `${baseUrl.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(query)}`;
  let answer;
  try {
    answer = await getJson(url, options);
  } catch (error) {
    return { error: `Prometheus unreachable: ${error instanceof Error ? error.message : String(error)}`, outage: true };
  }
  const body = answer.body as { status?: string; error?: string; data?: { resultType?: string; result?: unknown } } | string;
  if (answer.status !== 200 || typeof body !== 'object' || body.status !== 'success') {
    const reason = typeof body === 'object' && body?.error ? body.error : `HTTP ${answer.status}`;
    return isOutageStatus(answer.status) ? { error: `Prometheus error: ${reason}`, outage: true } : { error: `Prometheus error: ${reason}` };
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

/**
 * `members`: the clusters whose API rollgate reads (direct mode: all; Karmada mode: those with
 * a context); there `{{canaryPods}}` names the new version's ReplicaSets, elsewhere a name prefix.
 */
export function createPrometheusSource(options: { clusters: ClusterConfig[]; ca?: string; clock?: () => number; members?: Record<string, ClusterApi>; mode?: FleetMode }): MetricsSource {
  const byName = new Map(options.clusters.map((c) => [c.name, c]));
  const clock = options.clock ?? Date.now;
  /** The new version's ReplicaSets in the cluster; undefined where they cannot be read (the name prefix then stands in). */
  async function podsOf(rollout: Rollout, app: AppConfig, cluster: string): Promise<WorkloadPods[] | undefined> {
    const api = options.members?.[cluster];
    if (!api) return undefined;
    return readNewVersionPods(api, rollout, app, cluster, options.mode).catch(() => undefined);
  }
  return {
    async measure(rollout, app, cluster, metrics) {
      const prometheus = byName.get(cluster)?.prometheus;
      const nowMs = clock();
      const pods = prometheus ? await podsOf(rollout, app, cluster) : undefined;
      const variables = queryVariables(rollout, app, cluster, { nowMs, ...(options.mode ? { mode: options.mode } : {}), ...(pods ? { pods } : {}) });
      // The baseline: the same query over the stable pods, while they still run the old version.
      const promoted = rollout.cluster[cluster]?.promoted ?? false;
      const baselineVariables = { ...variables, canaryPods: variables.basePods, canaryWorkloads: app.deployment };
      const windowMs = analysisWindowMs(rollout, cluster, nowMs);
      return Promise.all(
        metrics.map(async (metric): Promise<Measurement> => {
          if (!prometheus) return { metric: metric.name, value: null, error: `cluster ${cluster} has no Prometheus configured` };
          const http = { timeoutMs: prometheus.timeout, ...(options.ca ? { ca: options.ca } : {}) };
          const template = metricQuery(metric, app);
          const query = renderQuery(template, variables);
          const answer = await queryPrometheus(prometheus.url, query, http);
          const value = 'value' in answer ? answer.value : null;
          const failure = 'error' in answer ? { error: answer.error, ...(answer.outage ? { outage: true } : {}) } : {};
          const measured: Measurement = { metric: metric.name, value, ...failure };
          if (!hasBaselineRule(metric)) return measured;
          if (promoted) return { ...measured, baseline: { skipped: 'promoted' } };
          const baseQuery = renderQuery(template, baselineVariables);
          const base = await queryPrometheus(prometheus.url, baseQuery, http);
          if ('error' in base && base.outage) return { ...measured, baseline: { value: null, canaryPoints: [], baselinePoints: [], error: base.error, outage: true } };
          const points = { ...http, nowMs };
          const [canaryPoints, baselinePoints] = await Promise.all([rangeValues(prometheus.url, query, windowMs, points), rangeValues(prometheus.url, baseQuery, windowMs, points)]);
          return { ...measured, baseline: { value: 'value' in base ? base.value : null, canaryPoints, baselinePoints } };
        }),
      );
    },
  };
}
