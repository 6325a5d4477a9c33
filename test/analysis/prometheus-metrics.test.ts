// rollgate's Prometheus analysis (templates, variables, query code) against a real Prometheus
// scraping an exporter whose pods have known traffic, error shares and latencies.
//
// Timing: rollgate's window is max(analysis interval, 30s) and the test does not wait 30 s
// for it to fill. It need not: every built-in metric and every custom metric here is a ratio
// of rates (success share, histogram_quantile over bucket rates, sum/count), and Prometheus's
// rate() extrapolation multiplies each series' increase by a factor that depends only on the
// sample timestamps (and on the counter's zero point, which the exporter puts an hour back).
// All series come from one scrape target, so they share timestamps and the factor cancels:
// the ratios are exact as soon as each series has two samples in the window. beforeAll waits
// for three scrapes: about 7 s, as Prometheus 2.42 first applies its targets 5 s after start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../rollout/config.js';
import { createPrometheusSource, queryVariables } from '../../rollout/metrics/prometheus.js';
import { BUILT_IN_QUERIES, renderQuery } from '../../rollout/metrics/templates.js';
import type { MetricSample, Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { judged } from '../support/judged-source.js';
import { startPodMetricsExporter, type Latencies, type PodMetricsExporter, type PodTraffic } from '../support/pod-metrics-exporter.js';
import { prometheusAvailable, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { startUnresponsiveServer } from '../support/unresponsive-server.js';

// Latencies as observed values. Buckets are prom-client's (seconds) and Istio's (ms); the
// expected p99 follows histogram_quantile: find the bucket holding rank 0.99 × count and
// interpolate linearly inside it, from the previous bucket's bound to its own.
/** 97 % ≤ 0.1 s, 3 % in (0.1, 0.25]: p99 = 0.1 + 0.15 × (0.99 − 0.97) / 0.03 = 0.2 s. Mean 41.6 ms. */
const FAST: Latencies = [{ seconds: 0.02, share: 0.5 }, { seconds: 0.04, share: 0.3 }, { seconds: 0.08, share: 0.17 }, { seconds: 0.2, share: 0.03 }];
/** 99 % ≤ 0.1 s, the rest ≤ 0.25 s: rank 0.99 × count falls at the top of (0.05, 0.1]: p99 = 0.1 s. */
const EDGE: Latencies = [{ seconds: 0.02, share: 0.6 }, { seconds: 0.04, share: 0.25 }, { seconds: 0.08, share: 0.14 }, { seconds: 0.2, share: 0.01 }];
/** 95 % ≤ 1 s, 5 % in (1, 2.5]: p99 = 1 + 1.5 × (0.99 − 0.95) / 0.05 = 2.2 s. */
const SLOW: Latencies = [{ seconds: 0.3, share: 0.5 }, { seconds: 0.8, share: 0.45 }, { seconds: 2, share: 0.05 }];

const pod = (namespace: string, name: string, workload: string, requestsPerSecond: number, errorShare: number, latencies: Latencies): PodTraffic => ({
  namespace,
  pod: name,
  workload,
  requestsPerSecond,
  errorShare,
  latencies,
});

const PODS: PodTraffic[] = [
  // member1's own canary (canary-first): 150 req/s, 3 of them 5xx: 2 %, so 98 % success
  // (the mean of the pods' rates, 97.5 %, would be wrong: rates are summed, then divided).
  pod('default', 'http-probe-app-canary-member1-6c7d8e9f0a-qwert', 'http-probe-app-canary-member1', 100, 0.01, FAST),
  pod('default', 'http-probe-app-canary-member1-6c7d8e9f0a-zx9kp', 'http-probe-app-canary-member1', 50, 0.04, FAST),
  // The stable base, bad: 20 % 5xx and slow. It must not move the canary's numbers.
  pod('default', 'http-probe-app-5f6d7c8b9a-abcde', 'http-probe-app', 200, 0.2, SLOW),
  pod('default', 'http-probe-app-5f6d7c8b9a-fghij', 'http-probe-app', 200, 0.2, SLOW),
  // The region-wide canary (a canary stage over several clusters): 95 % success, p99 100 ms.
  pod('default', 'http-probe-app-canary-7d9f8c6b5d-x2x4z', 'http-probe-app-canary', 80, 0.05, EDGE),
  // Same pod name in another namespace, terrible: the namespace matcher must keep it out.
  pod('staging', 'http-probe-app-canary-member1-6c7d8e9f0a-qwert', 'http-probe-app-canary-member1', 100, 0.5, SLOW),
  // A canary that serves nothing: every rate is 0, so the ratios are NaN.
  pod('default', 'idle-app-canary-member1-5b6c7d8e9f-lmnop', 'idle-app-canary-member1', 0, 0, FAST),
];

const CANARY = { successRate: 98, p99Ms: 200 };
const REGION_CANARY = { successRate: 95, p99Ms: 100 };
const BASE = { successRate: 80, p99Ms: 2200 };
// Canary and base together (550 req/s): 5xx = 1 + 2 + 40 + 40 = 83 req/s. Cumulative bucket
// rates: le=1 s holds 150 + 0.95 × 400 = 530, le=2.5 s all 550; rank 0.99 × 550 = 544.5, so
// p99 = 1 + 1.5 × (544.5 − 530) / 20 = 2.0875 s.
const PROMOTED = { successRate: (100 * (550 - 83)) / 550, p99Ms: 2087.5 };

const SUCCESS_MIN = 90;
const DURATION_MAX_MS = 500;

describe.skipIf(!prometheusAvailable)('analysis against a real Prometheus', () => {
  let exporter: PodMetricsExporter;
  let prometheus: RunningPrometheus;

  beforeAll(async () => {
    exporter = await startPodMetricsExporter(PODS);
    prometheus = await startPrometheus({ targets: [exporter.target] });
    await prometheus.scraped(3);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
  });

  /** An app from the config schema (as operators write it), every cluster's Prometheus set. */
  function appAndSource(app: Record<string, unknown>, prometheusOf: Record<string, { url: string; timeout?: string }> = {}) {
    const config = testConfig((doc) => {
      for (const cluster of doc.fleet.clusters) cluster.prometheus = prometheusOf[cluster.name] ?? { url: prometheus.url };
      doc.apps[0] = { ...doc.apps[0], ...app };
    });
    return { app: config.apps[0] as AppConfig, source: judged(createPrometheusSource({ clusters: config.fleet.clusters })) };
  }

  const builtIns = (provider: 'plain' | 'istio') => ({
    analysis: { interval: '1m', provider, metrics: [{ name: 'request-success-rate', min: SUCCESS_MIN }, { name: 'request-duration', max: DURATION_MAX_MS }] },
  });

  /** A rollout whose canary is deployed in every cluster; canary-first gives member1 its own canary. */
  function rolloutOf(app: AppConfig, options: { strategy?: 'canary-first' | 'per-cluster'; promoted?: string[] } = {}): Rollout {
    const rollout = newRollout({ id: 'r-analysis', app, version: 'v2', requester: 'U0DEV', nowMs: 0, strategy: options.strategy ?? 'canary-first' });
    for (const cluster of rollout.clusters) (rollout.cluster[cluster] as Rollout['cluster'][string]).canary = 'deployed';
    for (const cluster of options.promoted ?? []) (rollout.cluster[cluster] as Rollout['cluster'][string]).promoted = true;
    return rollout;
  }

  const valueOf = (samples: MetricSample[], metric: string) => {
    const sample = samples.find((s) => s.metric === metric);
    expect(sample?.error, `${metric} has no error`).toBeUndefined();
    return sample?.value as number;
  };

  describe.each(['plain', 'istio'] as const)('built-in metrics, %s provider', (provider) => {
    it('measure the canary pods: success rate summed over pods, p99 interpolated in its bucket', async () => {
      const { app, source } = appAndSource(builtIns(provider));
      const samples = await source.measure(rolloutOf(app), app, 'member1', app.analysis.metrics);
      expect(valueOf(samples, 'request-success-rate')).toBeCloseTo(CANARY.successRate, 6);
      expect(valueOf(samples, 'request-duration')).toBeCloseTo(CANARY.p99Ms, 6);
      expect(samples.map((s) => s.passed)).toEqual([true, true]);
    });

    it('leave the bad base out until the cluster is promoted, then include it', async () => {
      const { app, source } = appAndSource(builtIns(provider));
      const before = await source.measure(rolloutOf(app), app, 'member1', app.analysis.metrics);
      expect(valueOf(before, 'request-success-rate')).toBeCloseTo(CANARY.successRate, 6);
      expect(valueOf(before, 'request-duration')).toBeCloseTo(CANARY.p99Ms, 6);

      const after = await source.measure(rolloutOf(app, { promoted: ['member1'] }), app, 'member1', app.analysis.metrics);
      expect(valueOf(after, 'request-success-rate')).toBeCloseTo(PROMOTED.successRate, 6);
      expect(valueOf(after, 'request-duration')).toBeCloseTo(PROMOTED.p99Ms, 6);
      expect(after.map((s) => s.passed)).toEqual([false, false]);
    });

    it('select only the region canary when the canary stage spans clusters', async () => {
      const { app, source } = appAndSource(builtIns(provider));
      const samples = await source.measure(rolloutOf(app, { strategy: 'per-cluster' }), app, 'member2', app.analysis.metrics);
      expect(valueOf(samples, 'request-success-rate')).toBeCloseTo(REGION_CANARY.successRate, 6);
      expect(valueOf(samples, 'request-duration')).toBeCloseTo(REGION_CANARY.p99Ms, 6);
    });

    it('are a failed sample saying "no data" where nothing matches or nothing was served', async () => {
      for (const app of [{ namespace: 'payments' }, { name: 'idle-app', deployment: 'idle-app', container: 'idle-app' }]) {
        const { app: config, source } = appAndSource({ ...app, ...builtIns(provider) });
        const samples = await source.measure(rolloutOf(config), config, 'member1', config.analysis.metrics);
        for (const sample of samples) {
          expect(sample, `${app.namespace ?? app.name} ${sample.metric}`).toMatchObject({ value: null, passed: false, error: expect.stringMatching(/^no data/) });
        }
      }
    });
  });

  it('renders {{canaryPods}} as an anchored regex Prometheus matches against whole pod names (by name prefix where the cluster is not read)', async () => {
    const { app } = appAndSource(builtIns('plain'));
    const perCluster = queryVariables(rolloutOf(app), app, 'member1');
    expect(perCluster.canaryPods).toBe('http-probe-app-canary-member1-[a-z0-9]+-[a-z0-9]+');
    expect(queryVariables(rolloutOf(app, { promoted: ['member1'] }), app, 'member1').canaryPods).toBe('(http-probe-app-canary-member1-[a-z0-9]+|http-probe-app-[a-z0-9]+)-[a-z0-9]+');
    const query = renderQuery(BUILT_IN_QUERIES.plain['request-success-rate'] as string, perCluster);
    expect(query).toContain('[1m]');
    expect(query).not.toMatch(/\{\{/);
  });

  it('custom metrics: templates with variables, checked against min and max', async () => {
    const canary = 'namespace="{{namespace}}",pod=~"{{canaryPods}}"';
    const base = 'namespace="{{namespace}}",pod=~"{{basePods}}"';
    const rate = (metric: string, selector: string) => `sum(rate(${metric}{${selector}}[{{interval}}]))`;
    const errors = (selector: string) => `${rate('http_requests_total', `${selector},code=~"5.."`)} / ${rate('http_requests_total', selector)}`;
    const { app, source } = appAndSource({
      analysis: {
        interval: '1m',
        metrics: [
          // FAST's mean: 0.5 × 20 + 0.3 × 40 + 0.17 × 80 + 0.03 × 200 = 41.6 ms
          { name: 'mean-latency', max: 50, query: `${rate('http_request_duration_seconds_sum', canary)} / ${rate('http_request_duration_seconds_count', canary)} * 1000` },
          // 2 % − 20 % = −18 points
          { name: 'errors-vs-base', max: 0, query: `100 * (${errors(canary)} - ${errors(base)})` },
          // 150 of 550 req/s = 27.27 %
          { name: 'canary-traffic-share', min: 20, max: 30, query: `100 * ${rate('http_requests_total', canary)} / (${rate('http_requests_total', canary)} + ${rate('http_requests_total', base)})` },
          { name: 'base-success', min: 99, dryRun: true, query: `100 * (1 - ${errors(base)})` },
        ],
      },
    });
    const samples = await source.measure(rolloutOf(app), app, 'member1', app.analysis.metrics);
    expect(valueOf(samples, 'mean-latency')).toBeCloseTo(41.6, 6);
    expect(valueOf(samples, 'errors-vs-base')).toBeCloseTo(BASE.successRate - CANARY.successRate, 6);
    expect(valueOf(samples, 'canary-traffic-share')).toBeCloseTo((100 * 150) / 550, 6);
    expect(valueOf(samples, 'base-success')).toBeCloseTo(BASE.successRate, 6);
    expect(samples.map((s) => [s.metric, s.passed, s.dryRun])).toEqual([
      ['mean-latency', true, false],
      ['errors-vs-base', true, false],
      ['canary-traffic-share', true, false],
      ['base-success', false, true],
    ]);
    expect(samples[2]).toMatchObject({ min: 20, max: 30 });
  });

  it('a query Prometheus rejects is a failed sample carrying Prometheus’s reason', async () => {
    const { app, source } = appAndSource({
      analysis: {
        metrics: [
          { name: 'unbalanced', max: 1, query: 'sum(rate(http_requests_total{namespace="{{namespace}}"}[{{interval}}])' },
          // Valid PromQL that fails when evaluated (HTTP 422): many-to-many matching.
          { name: 'many-to-many', max: 1, query: 'http_requests_total{namespace="{{namespace}}"} / on(namespace) http_requests_total{namespace="{{namespace}}"}' },
        ],
      },
    });
    const [unbalanced, manyToMany] = await source.measure(rolloutOf(app), app, 'member1', app.analysis.metrics);
    expect(unbalanced).toMatchObject({ value: null, passed: false, error: expect.stringMatching(/^Prometheus error: .*parse error/) });
    expect(manyToMany).toMatchObject({ value: null, passed: false, error: expect.stringMatching(/^Prometheus error: .*many-to-many matching not allowed/) });
    // Prometheus answered: a bad query is judged (a failed check), not an outage to wait out.
    expect([unbalanced?.outage, manyToMany?.outage]).toEqual([undefined, undefined]);
  });

  it('a Prometheus that has stopped is a failed sample saying it is unreachable', async () => {
    const second = await startPrometheus({ targets: [exporter.target] });
    const { app, source } = appAndSource({ analysis: { metrics: [{ name: 'answers', min: 1, query: 'vector(1)' }] } }, { member1: { url: second.url } });
    try {
      const answered = await source.measure(rolloutOf(app), app, 'member1', app.analysis.metrics);
      expect(answered[0]).toMatchObject({ value: 1, passed: true });
    } finally {
      await second.stop();
    }
    const [sample] = await source.measure(rolloutOf(app), app, 'member1', app.analysis.metrics);
    expect(sample).toMatchObject({ value: null, passed: false, outage: true, error: expect.stringMatching(/^Prometheus unreachable: .*ECONNREFUSED/) });
  });

  // The server never answers in full: only the cluster's own timeout can end the call, and the
  // sample says it was that timeout (no bound on elapsed time: a loaded machine is slower).
  it.each(['silent', 'trickling'] as const)('a %s Prometheus is a failed sample saying it timed out, after the cluster’s timeout', async (kind) => {
    const hanging = await startUnresponsiveServer(kind);
    try {
      const { app, source } = appAndSource(builtIns('plain'), { member1: { url: hanging.url, timeout: '300ms' } });
      const samples = await source.measure(rolloutOf(app), app, 'member1', app.analysis.metrics);
      for (const sample of samples) expect(sample).toMatchObject({ value: null, passed: false, outage: true, error: expect.stringMatching(/timed out after 300 ms/) });
    } finally {
      await hanging.close();
    }
  });
});
