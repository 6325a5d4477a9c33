// The per-cluster Prometheus query API over HTTPS: the queries rollgate sends (plain and Istio),
// numbers that follow the deployed version, errors and injected faults.
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetSimulator } from '../src/index.js';
import { clientsFor, eventually, startFleet } from './helpers.js';

interface PromResponse {
  status: number;
  body: any;
}

function promQuery(sim: FleetSimulator, cluster: string, query: string, method: 'GET' | 'POST' = 'GET'): Promise<PromResponse> {
  const form = new URLSearchParams({ query }).toString();
  const url = `${sim.prometheusUrl(cluster)}/api/v1/query${method === 'GET' ? `?${form}` : ''}`;
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca: sim.caCertificate(), headers: method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? form : undefined);
  });
}

async function scalarOf(sim: FleetSimulator, cluster: string, query: string): Promise<number> {
  const res = await promQuery(sim, cluster, query);
  expect(res.status).toBe(200);
  expect(res.body.data.resultType).toBe('vector');
  expect(res.body.data.result).toHaveLength(1);
  return Number(res.body.data.result[0].value[1]);
}

const plainSuccess = (pods: string) =>
  `sum(rate(http_requests_total{namespace="default",pod=~"${pods}",code!~"5.."}[1m])) / sum(rate(http_requests_total{namespace="default",pod=~"${pods}"}[1m])) * 100`;
const plainP99 = (pods: string) => `histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="default",pod=~"${pods}"}[1m]))) * 1000`;
const istioSuccess = (w: string) =>
  `sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="default",destination_workload=~"${w}",response_code!~"5.*"}[1m])) / sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="default",destination_workload=~"${w}"}[1m])) * 100`;
const istioP99 = (w: string) =>
  `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="default",destination_workload=~"${w}"}[1m])))`;

describe('simulated Prometheus', () => {
  let sim: FleetSimulator;

  beforeAll(async () => {
    sim = await startFleet();
    const karmada = clientsFor(sim, 'karmada-apiserver');
    // Canaries: v2 on member1, v2-bad on member2, v2-slow on member3.
    for (const [cluster, version] of [['member1', 'v2'], ['member2', 'v2-bad'], ['member3', 'v2-slow']] as const) {
      const name = `http-probe-app-canary-${cluster}`;
      const labels = { app: 'http-probe-app', version: `canary-${cluster}` };
      await karmada.apps.createNamespacedDeployment({
        namespace: 'default',
        body: { metadata: { name, labels }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'http-probe-app', image: 'ghcr.io/cmontemuino/http-probe-test-app:v0.5.0', env: [{ name: 'ROLLOUT_LABEL', value: version }] }] } } } },
      });
      await karmada.custom.createNamespacedCustomObject({
        group: 'policy.karmada.io',
        version: 'v1alpha1',
        namespace: 'default',
        plural: 'propagationpolicies',
        body: { apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: `${name}-propagation` }, spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name }], placement: { clusterAffinity: { clusterNames: [cluster] } } } },
      });
    }
    await eventually(() => ['member1', 'member2', 'member3'].every((c) => sim.state().members[c]!.pods.some((p) => p['metadata'].name.includes('canary') && p['status'].conditions.some((x: any) => x.type === 'Ready' && x.status === 'True'))), 30_000, 'canary pods Ready');
  });
  afterAll(() => sim.close());

  it('answers the plain success-rate and p99 queries for a healthy canary', async () => {
    const pods = 'http-probe-app-canary-member1-.*';
    const success = await scalarOf(sim, 'member1', plainSuccess(pods));
    expect(success).toBeGreaterThan(99.8);
    expect(success).toBeLessThan(100);
    const p99 = await scalarOf(sim, 'member1', plainP99(pods));
    expect(p99).toBeGreaterThan(110);
    expect(p99).toBeLessThan(130);
    const asked = Date.now() / 1000;
    const res = await promQuery(sim, 'member1', plainSuccess(pods));
    const answered = Date.now() / 1000;
    expect(res.body).toMatchObject({ status: 'success', data: { resultType: 'vector', result: [{ metric: {} }] } });
    const [ts, value] = res.body.data.result[0].value;
    expect(typeof ts).toBe('number');
    // Evaluated at the time of the query: between asking and the answer (to Prometheus' millisecond precision).
    expect(ts).toBeGreaterThanOrEqual(Math.floor(asked * 1000) / 1000);
    expect(ts).toBeLessThanOrEqual(Math.ceil(answered * 1000) / 1000);
    expect(typeof value).toBe('string');
  });

  it('answers the Istio forms too', async () => {
    expect(await scalarOf(sim, 'member1', istioSuccess('http-probe-app-canary-member1'))).toBeGreaterThan(99.8);
    const p99 = await scalarOf(sim, 'member1', istioP99('http-probe-app-canary-member1'));
    expect(p99).toBeGreaterThan(110);
    expect(p99).toBeLessThan(130);
  });

  it('makes a version containing "bad" fail its success rate and "slow" its latency', async () => {
    expect(await scalarOf(sim, 'member2', plainSuccess('http-probe-app-canary-member2-.*'))).toBeLessThan(90);
    expect(await scalarOf(sim, 'member2', istioSuccess('http-probe-app-canary-member2'))).toBeLessThan(90);
    const slow = await scalarOf(sim, 'member3', plainP99('http-probe-app-canary-member3-.*'));
    expect(slow).toBeGreaterThan(800);
    // The stable pods of the same cluster are unaffected.
    expect(await scalarOf(sim, 'member2', plainSuccess('http-probe-app-[a-z0-9]{10}-.*'))).toBeGreaterThan(99.8);
  });

  it('returns an empty vector when no pod matches, and accepts form POSTs', async () => {
    const res = await promQuery(sim, 'member1', plainSuccess('no-such-pod-.*'));
    expect(res).toEqual({ status: 200, body: { status: 'success', data: { resultType: 'vector', result: [] } } });
    const post = await promQuery(sim, 'member1', 'count(up{job="x"}) or vector(3)', 'POST');
    expect(post.body.data.result[0].value[1]).toBe('3');
    const scalar = await promQuery(sim, 'member1', '1 + 1');
    expect(scalar.body.data).toMatchObject({ resultType: 'scalar', result: [expect.any(Number), '2'] });
  });

  it('answers 400 bad_data for a query that does not parse', async () => {
    const res = await promQuery(sim, 'member1', 'sum(rate(http_requests_total[1m])');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ status: 'error', errorType: 'bad_data', error: expect.stringMatching(/^invalid parameter "query": 1:\d+: parse error: /) });
  });

  it('fails, hangs or goes empty on injected Prometheus faults', async () => {
    const q = plainSuccess('http-probe-app-canary-member1-.*');
    const err = sim.setFault({ type: 'prometheus', cluster: 'member1', mode: 'error' });
    expect(await promQuery(sim, 'member1', q)).toMatchObject({ status: 503, body: { status: 'error', errorType: 'unavailable' } });
    expect((await promQuery(sim, 'member2', q)).status).toBe(200);
    sim.clearFaults(err.id);
    sim.setFault({ type: 'prometheus', cluster: 'member1', mode: 'empty' });
    expect((await promQuery(sim, 'member1', q)).body.data.result).toEqual([]);
    sim.clearFaults();
    sim.setFault({ type: 'prometheus', cluster: 'member1', mode: 'timeout', timeoutMs: 150 });
    const started = Date.now();
    expect(await promQuery(sim, 'member1', q)).toMatchObject({ status: 503, body: { errorType: 'timeout' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    sim.clearFaults();
  });
});
