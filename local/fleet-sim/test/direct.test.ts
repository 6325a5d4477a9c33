// Direct mode: no Karmada, the seed written straight into every member, rollgate's writes go
// to the members (promote = patch the base's version in one cluster).
import https from 'node:https';
import { KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetSimulator } from '../src/index.js';
import { clientsFor, eventually, startFleet } from './helpers.js';

describe('direct mode', () => {
  let sim: FleetSimulator;
  beforeAll(async () => {
    sim = await startFleet({ mode: 'direct', members: ['member1', 'member2'] });
  });
  afterAll(() => sim.close());

  it('has no Karmada server and one context per member', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    expect(kc.getContexts().map((c) => c.name)).toEqual(['member1', 'member2']);
    expect(kc.getCurrentContext()).toBe('member1');
    const status = await new Promise<number>((resolve, reject) =>
      https
        .get(`${sim.url}/karmada/apis`, { ca: sim.caCertificate(), headers: { Authorization: 'Bearer local-fleet-token' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject),
    );
    expect(status).toBe(404);
  });

  it('seeds every member directly, with no Karmada labels', async () => {
    for (const m of ['member1', 'member2']) {
      const d = await clientsFor(sim, m).apps.readNamespacedDeployment({ name: 'http-probe-app', namespace: 'default' });
      expect(d.metadata!.labels).toEqual({ app: 'http-probe-app' });
      expect(d.status).toMatchObject({ replicas: 2, readyReplicas: 2 });
    }
  });

  it('rolls a member whose base Deployment is patched, and only that member', async () => {
    const m1 = clientsFor(sim, 'member1');
    const before = sim.state().members['member2']!.pods.map((p) => p['metadata'].name);
    await m1.apps.patchNamespacedDeployment(
      {
        name: 'http-probe-app',
        namespace: 'default',
        body: [
          { op: 'test', path: '/spec/template/spec/containers/0/env/0/value', value: 'v1' },
          { op: 'replace', path: '/spec/template/spec/containers/0/env/0/value', value: 'v2' },
          { op: 'add', path: '/metadata/annotations', value: { 'rollgate.dev/previous-version': 'v1' } },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await eventually(async () => {
      const pods = await m1.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=http-probe-app' });
      return pods.items.length === 2 && pods.items.every((p) => p.spec!.containers[0]!.env![0]!.value === 'v2' && p.status!.conditions!.some((c) => c.type === 'Ready' && c.status === 'True'));
    }, 5000, 'member1 on v2');
    const d = await m1.apps.readNamespacedDeployment({ name: 'http-probe-app', namespace: 'default' });
    expect(d.metadata!.generation).toBe(2);
    expect(d.status).toMatchObject({ observedGeneration: 2, updatedReplicas: 2, readyReplicas: 2 });
    expect(d.status!.conditions!.find((c) => c.type === 'Progressing')!.reason).toBe('NewReplicaSetAvailable');
    expect(sim.state().members['member2']!.pods.map((p) => p['metadata'].name)).toEqual(before);
  });
});
