// Synthetic series for one cluster, derived from its live pods: per Ready pod, request counters
// and latency histograms (plain and Istio), plus kube-state-metrics restart counters.
// Numbers depend on the version the pod runs: ~10 req/s, 99.9 % success (about 85 % when the
// version contains "bad"), p99 ~120 ms (~900 ms when it contains "slow"), with small
// deterministic jitter per pod and 15 s window.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../kube/store.js';
import { versionOf } from '../version.js';
import type { Labels } from './ast.js';

export interface SyntheticSeries {
  labels: Labels;
  counter: boolean;
  /** Per-second rate of a counter (0 for gauges). */
  rate: number;
  /** Value at time t (seconds). */
  valueAt(t: number): number;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity];
const MS_BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000, Infinity];

/** Deterministic value in [-1, 1) from the key. */
function noise(key: string): number {
  return createHash('sha1').update(key).digest().readUInt32LE(0) / 2 ** 31 - 1;
}

function normalCdf(z: number): number {
  // Abramowitz-Stegun 7.1.26 approximation of erf.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * Cumulative fractions per bucket bound for a log-normal latency whose p99 is `p99`, with the
 * bucket holding p99 adjusted so histogram_quantile(0.99) interpolates back to exactly `p99`.
 */
export function bucketFractions(bounds: number[], p99: number): number[] {
  const sigma = 0.45;
  const median = p99 / Math.exp(2.326 * sigma);
  const fr = bounds.map((b) => (b === Infinity ? 1 : normalCdf(Math.log(b / median) / sigma)));
  const i = bounds.findIndex((b) => b >= p99);
  const hi = bounds[i]!;
  if (hi === Infinity || i < 0) return fr;
  const lo = i > 0 ? bounds[i - 1]! : 0;
  const t = (p99 - lo) / (hi - lo);
  let a = Math.min(i > 0 ? fr[i - 1]! : 0, 0.99 - 1e-6);
  let b = a + (0.99 - a) / t;
  if (b > 1) {
    b = 1;
    a = Math.max(0, (0.99 - t) / (1 - t));
  }
  if (i > 0) fr[i - 1] = a;
  fr[i] = b;
  return fr.map((f, j) => (j < i - 1 ? Math.min(f, a) : j > i ? Math.max(f, b) : f));
}

export interface TrafficProfile {
  requestsPerSecond: number;
  successRatio: number;
  p99Seconds: number;
}

export function trafficProfile(version: string, pod: string, window: number): TrafficProfile {
  const key = `${pod}/${window}`;
  const bad = version.includes('bad');
  const slow = version.includes('slow');
  const failure = bad ? 0.15 * (1 + 0.06 * noise(`${key}/f`)) : 0.001 * (1 + 0.3 * noise(`${key}/f`));
  return {
    requestsPerSecond: 10 * (1 + 0.05 * noise(`${key}/r`)),
    successRatio: 1 - failure,
    p99Seconds: (slow ? 0.9 : 0.12) * (1 + 0.03 * noise(`${key}/l`)),
  };
}

const isReady = (p: KubeObject) => (p['status']?.conditions ?? []).some((c: KubeObject) => c['type'] === 'Ready' && c['status'] === 'True');
const readySince = (p: KubeObject) => {
  const c = (p['status']?.conditions ?? []).find((x: KubeObject) => x['type'] === 'Ready');
  return c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) / 1000 : 0;
};

function counter(labels: Labels, rate: number, since: number): SyntheticSeries {
  return { labels, counter: true, rate, valueAt: (t) => rate * Math.max(0, t - since) };
}

function histogram(name: string, base: Labels, bounds: number[], p: TrafficProfile, since: number): SyntheticSeries[] {
  const fr = bucketFractions(bounds, p.p99Seconds);
  const fmt = (b: number) => (b === Infinity ? '+Inf' : String(b));
  const out = bounds.map((b, j) => counter({ ...base, __name__: `${name}_bucket`, le: fmt(b) }, p.requestsPerSecond * fr[j]!, since));
  out.push(counter({ ...base, __name__: `${name}_count` }, p.requestsPerSecond, since));
  out.push(counter({ ...base, __name__: `${name}_sum` }, p.requestsPerSecond * p.p99Seconds * 0.4, since));
  return out;
}

/** Series for the pods of one cluster at evaluation time `t` (seconds). */
export function seriesForPods(pods: KubeObject[], t: number, requestFactors?: Map<string, number>): SyntheticSeries[] {
  const out: SyntheticSeries[] = [];
  const window = Math.floor(t / 15);
  for (const pod of pods) {
    const meta = pod['metadata'];
    const container = pod['spec']?.containers?.[0]?.name ?? 'app';
    for (const cs of pod['status']?.containerStatuses ?? []) {
      out.push({
        labels: { __name__: 'kube_pod_container_status_restarts_total', namespace: meta.namespace, pod: meta.name, container: cs.name, job: 'kube-state-metrics' },
        counter: true,
        rate: 0,
        valueAt: () => cs.restartCount ?? 0,
      });
    }
    if (!isReady(pod)) continue;
    const version = versionOf(pod['spec']);
    const rs: string = meta.ownerReferences?.[0]?.name ?? meta.name;
    const workload = rs.slice(0, rs.lastIndexOf('-'));
    const since = readySince(pod);
    const profile = trafficProfile(version, meta.name, window);
    // A weighted route (canary.traffic) moves requests between the canary's pods and the others.
    const p = { ...profile, requestsPerSecond: profile.requestsPerSecond * (requestFactors?.get(meta.name) ?? 1) };
    const base: Labels = { namespace: meta.namespace, pod: meta.name, container, job: 'kubernetes-pods', instance: `${pod['status']?.podIP ?? '10.0.0.1'}:8080` };
    if (meta.labels?.app) base['app'] = meta.labels.app;
    if (meta.labels?.version) base['version'] = meta.labels.version;
    const ok = p.requestsPerSecond * p.successRatio;
    const failed = p.requestsPerSecond - ok;
    out.push(counter({ ...base, __name__: 'http_requests_total', code: '200', method: 'GET' }, ok, since));
    out.push(counter({ ...base, __name__: 'http_requests_total', code: '500', method: 'GET' }, failed, since));
    out.push(...histogram('http_request_duration_seconds', { ...base, method: 'GET' }, SECONDS_BUCKETS, p, since));
    const istio: Labels = {
      namespace: meta.namespace,
      pod: meta.name,
      reporter: 'destination',
      destination_workload: workload,
      destination_workload_namespace: meta.namespace,
      destination_app: meta.labels?.app ?? workload,
      destination_version: meta.labels?.version ?? 'unknown',
      destination_service_name: meta.labels?.app ?? workload,
      source_workload: 'istio-ingressgateway',
      source_workload_namespace: 'istio-system',
      request_protocol: 'http',
    };
    out.push(counter({ ...istio, __name__: 'istio_requests_total', response_code: '200' }, ok, since));
    out.push(counter({ ...istio, __name__: 'istio_requests_total', response_code: '503' }, failed, since));
    const msProfile = { ...p, p99Seconds: p.p99Seconds * 1000 };
    out.push(...histogram('istio_request_duration_milliseconds', istio, MS_BUCKETS, msProfile, since));
  }
  return out;
}
