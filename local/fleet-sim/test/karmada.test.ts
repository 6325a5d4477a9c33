// The side-by-side canary seed, driven through the Karmada API with client-node: canary per
// cluster, promotion through one OverridePolicy, promotion rollback, zero-churn finalize.
import { afterEach, describe, expect, it } from 'vitest';
import { Watch, type V1Deployment } from '@kubernetes/client-node';
import type { FleetSimulator } from '../src/index.js';
import { versionOf } from '../src/version.js';
import { clientsFor, eventually, startFleet, type Clients } from './helpers.js';

const NS = 'default';
const POLICY = { group: 'policy.karmada.io', version: 'v1alpha1', namespace: NS };
const PP = { ...POLICY, plural: 'propagationpolicies' };
const OP = { ...POLICY, plural: 'overridepolicies' };
const RB = { group: 'work.karmada.io', version: 'v1alpha2', namespace: NS, plural: 'resourcebindings' };

const canary = (cluster: string): V1Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: `http-probe-app-canary-${cluster}`, labels: { app: 'http-probe-app', version: 'canary' } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'http-probe-app', version: `canary-${cluster}` } },
    template: {
      metadata: { labels: { app: 'http-probe-app', version: `canary-${cluster}` } },
      spec: {
        containers: [
          {
            name: 'http-probe-app',
            image: 'ghcr.io/cmontemuino/http-probe-test-app:v0.5.0',
            ports: [{ containerPort: 8080 }],
            env: [{ name: 'ROLLOUT_LABEL', value: 'v2' }],
            resources: { requests: { cpu: '25m', memory: '64Mi' }, limits: { cpu: '25m', memory: '64Mi' } },
            readinessProbe: { httpGet: { path: '/readyz', port: 8080 }, initialDelaySeconds: 3, periodSeconds: 5 },
          },
        ],
      },
    },
  },
});

const canaryPolicy = (cluster: string) => ({
  apiVersion: 'policy.karmada.io/v1alpha1',
  kind: 'PropagationPolicy',
  metadata: { name: `http-probe-app-canary-${cluster}-propagation` },
  spec: {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: `http-probe-app-canary-${cluster}` }],
    placement: { clusterAffinity: { clusterNames: [cluster] } },
  },
});

const promoteOverride = (clusters: string[]) => ({
  apiVersion: 'policy.karmada.io/v1alpha1',
  kind: 'OverridePolicy',
  metadata: { name: 'http-probe-promote-override' },
  spec: {
    resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'http-probe-app' }],
    overrideRules: [
      {
        targetCluster: { clusterNames: clusters },
        overriders: { plaintext: [{ path: '/spec/template/spec/containers/0/env/0/value', operator: 'replace', value: 'v2' }] },
      },
    ],
  },
});

interface PodView {
  name: string;
  version: string;
  ready: boolean;
}

/** Base pods of http-probe-app in a member (not the canary's), from the in-process snapshot. */
function basePods(sim: FleetSimulator, cluster: string): PodView[] {
  return sim
    .state()
    .members[cluster]!.pods.filter((p) => BASE_POD.test(p['metadata'].name))
    .map((p) => ({ name: p['metadata'].name, version: p.version, ready: p['status'].conditions.some((c: any) => c.type === 'Ready' && c.status === 'True') }));
}

function memberDeployment(sim: FleetSimulator, cluster: string, name: string) {
  return sim.state().members[cluster]!.deployments.find((d) => d['metadata'].name === name);
}

const settled = (sim: FleetSimulator, cluster: string, version: string) => () => {
  const pods = basePods(sim, cluster);
  const d = memberDeployment(sim, cluster, 'http-probe-app');
  return pods.length === 2 && pods.every((p) => p.version === version && p.ready) && d?.['status']?.updatedReplicas === 2 && d['status'].observedGeneration === d['metadata'].generation;
};

const BASE_POD = /^http-probe-app-[a-z0-9]{10}-[a-z0-9]{5}$/;

/**
 * Every state a member's base pods go through, from a Kubernetes watch: each change arrives as
 * an event, so no state is missed however slowly the test runs (polling could skip a short one).
 * States are recorded once the watch has listed the pods that were there when it started.
 */
async function recordPods(sim: FleetSimulator, cluster: string): Promise<{ states: () => PodView[][]; stop(): void }> {
  const initial = basePods(sim, cluster).length;
  const pods = new Map<string, PodView>();
  const states: PodView[][] = [];
  let synced = false;
  const request = await new Watch(clientsFor(sim, cluster).kc).watch(
    '/api/v1/namespaces/default/pods',
    {},
    (type: string, pod: any) => {
      const name = String(pod?.metadata?.name ?? '');
      if (!BASE_POD.test(name)) return;
      if (type === 'DELETED') pods.delete(name);
      else pods.set(name, { name, version: versionOf(pod.spec), ready: (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') });
      synced ||= pods.size >= initial;
      if (synced) states.push([...pods.values()]);
    },
    () => {},
  );
  await eventually(() => synced, 30_000, `the ${cluster} pod watch listing its pods`);
  return { states: () => states, stop: () => request.abort() };
}

/** Watches a member's base pods until it runs `version`; returns every distinct state seen. */
async function watchRollout(sim: FleetSimulator, cluster: string, version: string): Promise<PodView[][]> {
  const seen: PodView[][] = [];
  await eventually(() => {
    const pods = basePods(sim, cluster);
    const key = JSON.stringify(pods);
    if (JSON.stringify(seen.at(-1)) !== key) seen.push(pods);
    return settled(sim, cluster, version)();
  }, 10_000, `${cluster} to run ${version}`);
  return seen;
}

describe('Karmada side-by-side canary', () => {
  let sim: FleetSimulator;
  let karmada: Clients;
  afterEach(() => sim.close());

  async function start(options: { readyDelayMs?: number } = {}) {
    sim = await startFleet(options);
    karmada = clientsFor(sim, 'karmada-apiserver');
  }

  it('propagates a canary to member1 only and reports it through its ResourceBinding', async () => {
    await start();
    await karmada.apps.createNamespacedDeployment({ namespace: NS, body: canary('member1') });
    await karmada.custom.createNamespacedCustomObject({ ...PP, body: canaryPolicy('member1') });
    const member1 = clientsFor(sim, 'member1');
    const d = await eventually(() => member1.apps.readNamespacedDeployment({ name: 'http-probe-app-canary-member1', namespace: NS }), 30_000, 'canary in member1');
    expect(d.metadata!.annotations!['propagationpolicy.karmada.io/name']).toBe('http-probe-app-canary-member1-propagation');
    expect(d.metadata!.labels).toMatchObject({ app: 'http-probe-app', version: 'canary', 'karmada.io/managed': 'true' });
    for (const other of ['member2', 'member3']) {
      const err = await clientsFor(sim, other).apps.readNamespacedDeployment({ name: 'http-probe-app-canary-member1', namespace: NS }).catch((e) => e);
      expect(err.code).toBe(404);
    }
    const rb = await eventually(async () => {
      const b = await karmada.custom.getNamespacedCustomObject({ ...RB, name: 'http-probe-app-canary-member1-deployment' });
      return b.status?.aggregatedStatus?.[0]?.status?.readyReplicas === 1 ? b : undefined;
    }, 5000, 'canary binding ready');
    expect(rb.spec.clusters).toEqual([{ name: 'member1', replicas: 1 }]);
    expect(rb.metadata.ownerReferences[0]).toMatchObject({ kind: 'Deployment', name: 'http-probe-app-canary-member1' });
    expect(rb.status.aggregatedStatus).toEqual([
      {
        clusterName: 'member1',
        applied: true,
        health: 'Healthy',
        status: { generation: 1, resourceTemplateGeneration: 1, observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
      },
    ]);
    expect(rb.status.conditions.map((c: any) => [c.type, c.status])).toEqual([
      ['Scheduled', 'True'],
      ['FullyApplied', 'True'],
    ]);
    const template = await karmada.apps.readNamespacedDeployment({ name: 'http-probe-app-canary-member1', namespace: NS });
    expect(template.status).toMatchObject({ observedGeneration: 1, replicas: 1, readyReplicas: 1 });
    // Deleting the canary removes its copy and binding (the seed's Demo 3 rollback).
    await karmada.apps.deleteNamespacedDeployment({ name: 'http-probe-app-canary-member1', namespace: NS });
    await karmada.custom.deleteNamespacedCustomObject({ ...PP, name: 'http-probe-app-canary-member1-propagation' });
    await eventually(() => !memberDeployment(sim, 'member1', 'http-probe-app-canary-member1'), 30_000, 'canary removed');
    const gone = await karmada.custom.getNamespacedCustomObject({ ...RB, name: 'http-probe-app-canary-member1-deployment' }).catch((e) => e);
    expect(gone.code).toBe(404);
    await eventually(() => !sim.state().members['member1']!.pods.some((p) => p['metadata'].name.includes('canary')), 30_000, 'canary pods gone');
  });

  it('promotes member1 then member2 through one OverridePolicy, rolls gradually, and rolls back on delete', async () => {
    // A wider readiness window, so the mixed-version moment is seen even on a loaded machine.
    await start({ readyDelayMs: 250 });
    const before = { m2: basePods(sim, 'member2'), m3: basePods(sim, 'member3'), m3rv: memberDeployment(sim, 'member3', 'http-probe-app')!['metadata'].resourceVersion };
    const recording = await recordPods(sim, 'member1');
    await karmada.custom.createNamespacedCustomObject({ ...OP, body: promoteOverride(['member1']) });
    await watchRollout(sim, 'member1', 'v2');
    // The watch may still be delivering the last changes; the settled state is the last one it reports.
    const last = () => recording.states().at(-1) ?? [];
    await eventually(() => last().length === 2 && last().every((p) => p.version === 'v2' && p.ready), 30_000, 'the watch reporting the settled state');
    recording.stop();
    const states = recording.states();
    // Gradual: a moment with both versions Ready, and never fewer than 2 Ready pods.
    expect(states.some((s) => s.some((p) => p.version === 'v1' && p.ready) && s.some((p) => p.version === 'v2' && p.ready))).toBe(true);
    expect(states.every((s) => s.filter((p) => p.ready).length >= 2)).toBe(true);
    expect(basePods(sim, 'member2')).toEqual(before.m2);
    // The Karmada template is unchanged: the override only patches what member1 receives.
    const template = await karmada.apps.readNamespacedDeployment({ name: 'http-probe-app', namespace: NS });
    expect(template.spec!.template.spec!.containers[0]!.env![0]!.value).toBe('v1');

    const live = await karmada.custom.getNamespacedCustomObject({ ...OP, name: 'http-probe-promote-override' });
    await karmada.custom.replaceNamespacedCustomObject({
      ...OP,
      name: 'http-probe-promote-override',
      body: { ...promoteOverride(['member1', 'member2']), metadata: { ...promoteOverride([]).metadata, resourceVersion: live.metadata.resourceVersion } },
    });
    await watchRollout(sim, 'member2', 'v2');
    expect(basePods(sim, 'member3')).toEqual(before.m3);
    expect(memberDeployment(sim, 'member3', 'http-probe-app')!['metadata'].resourceVersion).toBe(before.m3rv);
    const rb = await karmada.custom.getNamespacedCustomObject({ ...RB, name: 'http-probe-app-deployment' });
    expect(rb.status.aggregatedStatus.map((i: any) => `${i.clusterName}:${i.health}:${i.status.readyReplicas}/${i.status.replicas}`)).toEqual([
      'member1:Healthy:2/2',
      'member2:Healthy:2/2',
      'member3:Healthy:2/2',
    ]);

    // Promotion rollback: deleting the OverridePolicy re-renders v1 to both members.
    await karmada.custom.deleteNamespacedCustomObject({ ...OP, name: 'http-probe-promote-override' });
    await Promise.all([watchRollout(sim, 'member1', 'v1'), watchRollout(sim, 'member2', 'v1')]);
    expect(basePods(sim, 'member3')).toEqual(before.m3);
  });

  it('finalizes with zero churn: promoted clusters restart nothing, the rest roll', async () => {
    await start();
    await karmada.apps.createNamespacedDeployment({ namespace: NS, body: canary('member1') });
    await karmada.custom.createNamespacedCustomObject({ ...PP, body: canaryPolicy('member1') });
    await karmada.custom.createNamespacedCustomObject({ ...OP, body: promoteOverride(['member1', 'member2']) });
    await Promise.all([watchRollout(sim, 'member1', 'v2'), watchRollout(sim, 'member2', 'v2')]);
    const promoted = { m1: basePods(sim, 'member1'), m2: basePods(sim, 'member2') };
    const genBefore = memberDeployment(sim, 'member1', 'http-probe-app')!['metadata'].generation;

    // 1. apply the base manifest with v2 (client-side apply = get + replace).
    const base = await karmada.apps.readNamespacedDeployment({ name: 'http-probe-app', namespace: NS });
    base.spec!.template.spec!.containers[0]!.env![0]!.value = 'v2';
    await karmada.apps.replaceNamespacedDeployment({ name: 'http-probe-app', namespace: NS, body: base });
    // 2. delete the override, 3. delete the canary and its policy.
    await karmada.custom.deleteNamespacedCustomObject({ ...OP, name: 'http-probe-promote-override' });
    await karmada.apps.deleteNamespacedDeployment({ name: 'http-probe-app-canary-member1', namespace: NS });
    await karmada.custom.deleteNamespacedCustomObject({ ...PP, name: 'http-probe-app-canary-member1-propagation' });

    await watchRollout(sim, 'member3', 'v2');
    expect(basePods(sim, 'member1')).toEqual(promoted.m1);
    expect(basePods(sim, 'member2')).toEqual(promoted.m2);
    expect(memberDeployment(sim, 'member1', 'http-probe-app')!['metadata'].generation).toBe(genBefore);
    expect(memberDeployment(sim, 'member1', 'http-probe-app-canary-member1')).toBeUndefined();
    const rb = await eventually(async () => {
      const b = await karmada.custom.getNamespacedCustomObject({ ...RB, name: 'http-probe-app-deployment' });
      return b.status.aggregatedStatus.every((i: any) => i.health === 'Healthy' && i.status.resourceTemplateGeneration === base.metadata!.generation! + 1) ? b : undefined;
    }, 3000, 'binding healthy at the new generation');
    expect(rb.status.aggregatedStatus.map((i: any) => `${i.clusterName}: ${i.health} ready=${i.status.readyReplicas}/${i.status.replicas}`)).toEqual([
      'member1: Healthy ready=2/2',
      'member2: Healthy ready=2/2',
      'member3: Healthy ready=2/2',
    ]);
  });

  it('keeps propagated copies when only the PropagationPolicy is deleted, as Karmada does', async () => {
    await start();
    await karmada.custom.deleteNamespacedCustomObject({ ...PP, name: 'checkout-propagation' });
    sim.reconcile();
    expect(memberDeployment(sim, 'member2', 'checkout')).toBeDefined();
    const rb = await karmada.custom.getNamespacedCustomObject({ ...RB, name: 'checkout-deployment' });
    expect(rb.metadata.annotations?.['propagationpolicy.karmada.io/name']).toBeUndefined();
    // Removing a cluster from a policy's placement does remove that copy.
    const pp = await karmada.custom.getNamespacedCustomObject({ ...PP, name: 'http-probe-app-propagation' });
    pp.spec.placement.clusterAffinity.clusterNames = ['member1', 'member2'];
    await karmada.custom.replaceNamespacedCustomObject({ ...PP, name: 'http-probe-app-propagation', body: pp });
    await eventually(() => !memberDeployment(sim, 'member3', 'http-probe-app'), 30_000, 'member3 copy removed');
    await eventually(() => basePods(sim, 'member3').length === 0, 30_000, 'member3 pods removed');
  });

  it('paces a rolling update deterministically by readyDelayMs and rolloutStepMs on an injected clock', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    sim = await startFleet({ now: () => now, readyDelayMs: 100, rolloutStepMs: 60 });
    karmada = clientsFor(sim, 'karmada-apiserver');
    const versions = () => basePods(sim, 'member1').map((p) => `${p.version}${p.ready ? '' : '(pending)'}`).sort();
    await karmada.custom.createNamespacedCustomObject({ ...OP, body: promoteOverride(['member1']) });
    sim.reconcile();
    expect(versions()).toEqual(['v1', 'v1', 'v2(pending)']);
    now += 99;
    sim.reconcile();
    expect(versions()).toEqual(['v1', 'v1', 'v2(pending)']);
    now += 1;
    sim.reconcile();
    expect(versions()).toEqual(['v1', 'v2', 'v2(pending)']);
    now += 100;
    sim.reconcile();
    expect(versions()).toEqual(['v2', 'v2']);
    expect(settled(sim, 'member1', 'v2')()).toBe(true);
  });
});
