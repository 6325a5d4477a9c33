// Traffic-weighted canary steps through the whole stack (Slack emulator, simulated fleet and its
// Prometheus, rollgate as child processes), with the replicas provider: the canary's share of
// the pods behind the shared Service is its share of the requests.
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { ephemeralsOf, stackPerTest } from './conversation.js';
import { waitFor, type Stack } from './stack.js';

const open = stackPerTest();

const weighted = (doc: Record<string, any>) => {
  doc.apps[0].canary = { replicas: 1, traffic: { provider: 'replicas', stepWeight: 10, maxWeight: 50 } };
};

async function start(s: Stack, text: string): Promise<string> {
  const before = ephemeralsOf(s, 'U0DEV').length;
  await s.command('U0DEV', text);
  const answer = await waitFor('the start answer', () => ephemeralsOf(s, 'U0DEV').slice(before).find((t) => t.includes('is queued')));
  return /Rollout `([^`]+)`/.exec(answer)?.[1] as string;
}

/** The weight each summary in the thread reports per cluster, oldest first: "member1 10" ... */
function summaryWeights(s: Stack, id: string): string[] {
  return s
    .thread(id)
    .filter((m) => m.text.startsWith('Analysis #'))
    .flatMap((m) =>
      JSON.stringify(m.blocks ?? [])
        .split('*member')
        .slice(1)
        .flatMap((part) => {
          const match = /^(\d)\*.*?canary at [\d.]+ % \((\d+) % asked\)|^(\d)\*.*?canary at (\d+) % of traffic/.exec(part);
          return match ? [`member${match[1] ?? match[3]} ${match[2] ?? match[4]}`] : [];
        }),
    );
}

const auditCount = async (s: Stack, id: string, what: string) => (await createRolloutStore({ redis: s.redis, prefix: s.prefix }).audit(id)).filter((e) => e.what === what).length;

// Each case runs a rollout through 5 weights and more at a 1 s interval: a generous ceiling for a loaded machine.
const LONG = { timeout: 240_000 };

describe('traffic-weighted canary steps, replicas provider', LONG, () => {
  it.each(['karmada', 'direct'] as const)('%s mode: every cluster walks 10 → 20 → 30 → 40 → 50 %, then the first gate opens', async (fleetMode) => {
    const s = await open({ fleetMode, mutateConfig: weighted });
    const id = await start(s, 'start http-probe-app v2');
    await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 90_000);
    const seen = summaryWeights(s, id);
    for (const cluster of ['member1', 'member2', 'member3']) {
      const walk = seen.filter((w) => w.startsWith(`${cluster} `)).map((w) => Number(w.split(' ')[1]));
      expect(walk).toEqual([10, 20, 30, 40, 50]); // each passing interval moves one step; the one at 50 % is iterations: 1
    }
    expect(await auditCount(s, id, 'TrafficShifted')).toBe(5);
    // The base keeps its 2 replicas; the canary has ceil(50 × 2 / 50) = 2 at 50 %.
    const canary = fleetMode === 'karmada' ? await s.deployment('http-probe-app-canary') : await s.memberDeployment('member2', 'http-probe-app-canary');
    expect(canary.spec.replicas).toBe(2);
    expect(s.rootOf(id)?.blocks && JSON.stringify(s.rootOf(id)?.blocks)).toContain('canary running at 50 % of traffic');
  });

  it('a bad version is rolled back at the first step: no weight above 10 %, the canaries are gone', async () => {
    const s = await open({ fleetMode: 'direct', mutateConfig: weighted });
    const id = await start(s, 'start http-probe-app v2-bad');
    await waitFor('the rollback', () => s.rootOf(id)?.text.includes('Rolled back'), 90_000);
    expect(new Set(summaryWeights(s, id).map((w) => w.split(' ')[1]))).toEqual(new Set(['10']));
    expect(await auditCount(s, id, 'TrafficShifted')).toBe(1);
    for (const member of ['member1', 'member2', 'member3']) expect(await s.memberDeployment(member, 'http-probe-app-canary')).toBeUndefined();
  });

  it('a worker killed with SIGKILL between two weight steps: the next one resumes at the right weight, no step applied twice', async () => {
    const s = await open({ layout: 'split', mutateConfig: weighted });
    const id = await start(s, 'start http-probe-app v2');
    await waitFor('weight 30 written', async () => (await auditCount(s, id, 'TrafficShifted')) === 3, 90_000);
    s.workers[0]!.child.kill('SIGKILL');
    await new Promise((r) => s.workers[0]!.child.once('exit', r));
    s.spawnWorker();
    await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 90_000);
    expect(await auditCount(s, id, 'TrafficShifted')).toBe(5);
    const walk = summaryWeights(s, id).filter((w) => w.startsWith('member1 ')).map((w) => Number(w.split(' ')[1]));
    expect(walk).toEqual([10, 20, 30, 40, 50]);
  });
});

const istio = (doc: Record<string, any>) => {
  doc.apps[0].canary = { replicas: 1, traffic: { provider: 'istio', stepWeight: 10, maxWeight: 50, service: 'http-probe-app', port: 8080, virtualService: 'http-probe-app' } };
};

/** The VirtualService http-probe-app as a server (Karmada's, or a member's) stores it, without what every write changes. */
async function virtualService(s: Stack, context: string): Promise<any> {
  const kube = new KubeConfig();
  kube.loadFromString(s.fleet.kubeconfig());
  kube.setCurrentContext(context);
  const vs: any = await kube.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', namespace: 'default', plural: 'virtualservices', name: 'http-probe-app' });
  const { resourceVersion: _r, generation: _g, managedFields: _m, ...metadata } = vs.metadata;
  return { metadata, spec: vs.spec };
}

describe('traffic-weighted canary steps, istio provider (the simulated mesh splits requests by the VirtualService weights)', LONG, () => {
  it('Karmada mode: one OverridePolicy rule per cluster walks 10 → 50 %, the template is never written', async () => {
    const s = await open({ mutateConfig: istio });
    const before = await virtualService(s, 'karmada-apiserver');
    const id = await start(s, 'start http-probe-app v2');
    await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 90_000);
    const walk = summaryWeights(s, id).filter((w) => w.startsWith('member3 ')).map((w) => Number(w.split(' ')[1]));
    expect(walk).toEqual([10, 20, 30, 40, 50]);
    const override = await s.karmadaObject('overridepolicies', 'http-probe-app-traffic-override');
    expect(override.spec.overrideRules.map((r: any) => `${r.targetCluster.clusterNames.join()} ${r.overriders.plaintext[0].value.map((d: any) => d.weight).join('/')}`)).toEqual([
      'member1 50/50',
      'member2 50/50',
      'member3 50/50',
    ]);
    expect(await virtualService(s, 'karmada-apiserver')).toEqual(before);
  });

  it.each(['karmada', 'direct'] as const)('%s mode: a bad version is rolled back at the first weight and the VirtualService is exactly as it was', async (fleetMode) => {
    const s = await open({ fleetMode, mutateConfig: istio });
    const context = fleetMode === 'karmada' ? 'karmada-apiserver' : 'member2';
    const before = await virtualService(s, context);
    const id = await start(s, 'start http-probe-app v2-bad');
    if (fleetMode === 'direct') {
      const weighted = await waitFor('the route weighted', async () => (await virtualService(s, 'member2')).spec.http[0].route.length === 2 && (await virtualService(s, 'member2')), 60_000);
      expect(weighted.spec.http[0].route.map((d: any) => `${d.destination.host} ${d.weight}`)).toEqual(['http-probe-app 90', 'http-probe-app-canary 10']);
    } else {
      await waitFor('the traffic override', () => s.karmadaObject('overridepolicies', 'http-probe-app-traffic-override'), 60_000);
    }
    await waitFor('the rollback', () => s.rootOf(id)?.text.includes('Rolled back'), 90_000);
    expect(await virtualService(s, context)).toEqual(before);
    expect(JSON.stringify(before)).not.toContain('rollgate');
    expect(new Set(summaryWeights(s, id).map((w) => w.split(' ')[1]))).toEqual(new Set(['10']));
    if (fleetMode === 'karmada') expect(await s.karmadaObject('overridepolicies', 'http-probe-app-traffic-override')).toBeUndefined();
  });
});
