// Injected faults as clients meet them (Status bodies, Retry-After, resets, stalled rollouts,
// restarts) and the /_fleet control API that sets them.
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSimulator } from '../src/index.js';
import { clientsFor, eventually, startFleet, statusOf } from './helpers.js';

function request(sim: FleetSimulator, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${sim.url}${path}`, { method, ca: sim.caCertificate(), headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const AUTH = { Authorization: 'Bearer local-fleet-token' };
const OP = { group: 'policy.karmada.io', version: 'v1alpha1', namespace: 'default', plural: 'overridepolicies' };

describe('faults', () => {
  let sim: FleetSimulator;
  afterEach(() => sim.close());

  it('answers 503 with a Status body for `count` requests, then recovers', async () => {
    sim = await startFleet();
    const m1 = clientsFor(sim, 'member1');
    sim.setFault({ type: 'api', cluster: 'member1', status: 503, count: 2 });
    for (let i = 0; i < 2; i++) {
      const err = await m1.apps.listNamespacedDeployment({ namespace: 'default' }).catch((e) => e);
      expect(err.code).toBe(503);
      expect(statusOf(err)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'ServiceUnavailable', code: 503 });
    }
    expect((await m1.apps.listNamespacedDeployment({ namespace: 'default' })).items).toHaveLength(2);
    // Other clusters were never affected.
    expect((await clientsFor(sim, 'member2').apps.listNamespacedDeployment({ namespace: 'default' })).items).toHaveLength(2);
  });

  it('answers 429 TooManyRequests with Retry-After for `forMs`', async () => {
    let now = 1_000_000;
    sim = await startFleet({ now: () => now });
    sim.setFault({ type: 'api', cluster: 'karmada', status: 429, forMs: 1000, retryAfterSeconds: 3 });
    const res = await request(sim, 'GET', '/karmada/apis/apps/v1/namespaces/default/deployments', undefined, AUTH);
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('3');
    expect(JSON.parse(res.text)).toMatchObject({ reason: 'TooManyRequests', message: 'Too many requests, please try again later.', details: { retryAfterSeconds: 3 }, code: 429 });
    now += 1000;
    expect((await request(sim, 'GET', '/karmada/apis/apps/v1/namespaces/default/deployments', undefined, AUTH)).status).toBe(200);
  });

  it('resets connections of a down cluster and delays a slow one', async () => {
    sim = await startFleet();
    sim.setFault({ type: 'down', cluster: 'member2' });
    await expect(clientsFor(sim, 'member2').apps.listNamespacedDeployment({ namespace: 'default' })).rejects.toThrow();
    sim.setFault({ type: 'latency', cluster: 'member3', ms: 120 });
    const started = Date.now();
    await clientsFor(sim, 'member3').apps.listNamespacedDeployment({ namespace: 'default' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('stalls a rollout while new pods never become Ready, and lets it finish once cleared', async () => {
    sim = await startFleet();
    const karmada = clientsFor(sim, 'karmada-apiserver');
    const oldHash = sim.state().members['member1']!.pods.find((p) => p['metadata'].name.startsWith('http-probe-app-'))!['metadata'].labels['pod-template-hash'];
    const fault = sim.setFault({ type: 'notReady', pods: `^http-probe-app-(?!${oldHash})[a-z0-9]{10}-` });
    await karmada.custom.createNamespacedCustomObject({
      ...OP,
      body: {
        apiVersion: 'policy.karmada.io/v1alpha1',
        kind: 'OverridePolicy',
        metadata: { name: 'promote' },
        spec: {
          resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'http-probe-app' }],
          overrideRules: [{ targetCluster: { clusterNames: ['member1'] }, overriders: { plaintext: [{ path: '/spec/template/spec/containers/0/env/0/value', operator: 'replace', value: 'v2' }] } }],
        },
      },
    });
    const item = () => sim.state().karmada!.resourceBindings.find((b) => b['metadata'].name === 'http-probe-app-deployment')!['status'].aggregatedStatus[0];
    await eventually(() => item().health === 'Unhealthy' && item().status.updatedReplicas === 1, 30_000, 'member1 Unhealthy with one new pod');
    await new Promise((r) => setTimeout(r, 400));
    const pods = sim.state().members['member1']!.pods.filter((p) => p['metadata'].name.startsWith('http-probe-app-') && !p['metadata'].name.includes('canary'));
    expect(pods.map((p) => p.version).sort()).toEqual(['v1', 'v1', 'v2']);
    const d = await clientsFor(sim, 'member1').apps.readNamespacedDeployment({ name: 'http-probe-app', namespace: 'default' });
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 1, readyReplicas: 2, unavailableReplicas: 1 });
    expect(d.status!.conditions!.find((c) => c.type === 'Progressing')!.reason).toBe('ReplicaSetUpdated');
    sim.clearFaults(fault.id);
    await eventually(() => item().health === 'Healthy' && item().status.updatedReplicas === 2, 30_000, 'member1 Healthy on v2');
  });

  it('restarts and OOM-kills matching pods', async () => {
    sim = await startFleet();
    sim.setFault({ type: 'restarts', pods: '^checkout-', oomKilled: true });
    const m2 = clientsFor(sim, 'member2');
    const pods = await eventually(async () => {
      const list = await m2.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=checkout' });
      return list.items.every((p) => p.status!.containerStatuses![0]!.restartCount === 1) ? list.items : undefined;
    }, 3000, 'checkout pods restarted');
    expect(pods[0]!.status!.containerStatuses![0]!.lastState!.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    const probe = await m2.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=http-probe-app' });
    expect(probe.items.every((p) => p.status!.containerStatuses![0]!.restartCount === 0)).toBe(true);
  });

  it('exposes state, faults, describe and reset on the /_fleet control API', async () => {
    sim = await startFleet();
    const bad = await request(sim, 'POST', '/_fleet/faults', { type: 'api', cluster: 'member1', status: 418 });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text).error).toMatch(/^invalid fault: status/);
    const added = await request(sim, 'POST', '/_fleet/faults', [{ type: 'api', cluster: 'member1', status: 500 }, { type: 'notReady', pods: 'x' }]);
    expect(added.status).toBe(201);
    expect(JSON.parse(added.text).faults.map((f: any) => f.id)).toHaveLength(2);
    const err = await clientsFor(sim, 'member1').apps.listNamespacedDeployment({ namespace: 'default' }).catch((e) => e);
    expect(statusOf(err)).toMatchObject({ reason: 'InternalError', code: 500 });
    expect(JSON.parse((await request(sim, 'DELETE', '/_fleet/faults')).text)).toEqual({ faults: [] });

    await clientsFor(sim, 'karmada-apiserver').apps.deleteNamespacedDeployment({ name: 'checkout', namespace: 'default' });
    await eventually(() => !sim.state().members['member1']!.deployments.some((d) => d['metadata'].name === 'checkout'), 30_000, 'checkout removed');
    const state = JSON.parse((await request(sim, 'GET', '/_fleet/state')).text);
    expect(state.karmada.deployments.map((d: any) => d.metadata.name)).toEqual(['http-probe-app']);
    expect(state.members.member1.deployments[0]).toMatchObject({ metadata: { name: 'http-probe-app' }, version: 'v1' });
    expect((await request(sim, 'POST', '/_fleet/reset')).status).toBe(200);
    expect(sim.state().members['member3']!.deployments.map((d) => d['metadata'].name)).toEqual(['checkout', 'http-probe-app']);
    const text = (await request(sim, 'GET', '/_fleet/describe')).text;
    expect(text).toContain('karmada-apiserver');
    expect(text).toMatch(/member2\n\s+checkout\s+7\/7\s+v1\s+pods: v1×7/);
  });
});
