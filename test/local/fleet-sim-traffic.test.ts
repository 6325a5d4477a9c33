// The simulated fleet serves the routes a traffic-weighted canary edits (with the real Istio and
// Gateway API schemas) and its Prometheus splits each Service's requests by their weights.
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSimulator } from '@rollgate/fleet-sim';
import { connectCluster, DEPLOYMENTS, PROPAGATION_POLICIES, RESOURCE_BINDINGS } from '../../rollout/kube/cluster-api.js';
import { createDirectFleet } from '../../rollout/kube/direct-fleet.js';
import { createKarmadaFleet } from '../../rollout/kube/karmada-fleet.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { VIRTUAL_SERVICES } from '../../rollout/traffic/route-objects.js';
import { testConfig } from '../fixtures/config.js';
import { clientsFor, eventually, startFleet } from '../../local/fleet-sim/test/helpers.js';

function query(sim: FleetSimulator, cluster: string, promql: string): Promise<number | undefined> {
  const url = `${sim.prometheusUrl(cluster)}/api/v1/query?${new URLSearchParams({ query: promql })}`;
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: sim.caCertificate() }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => {
          const result = JSON.parse(text).data?.result ?? [];
          resolve(result.length === 1 ? Number(result[0].value[1]) : undefined);
        });
      })
      .on('error', reject);
  });
}

/** The canary pods' share of the app's requests in one cluster, in percent. */
const canaryShare = (sim: FleetSimulator, cluster: string) =>
  query(sim, cluster, 'sum(rate(http_requests_total{namespace="default",pod=~"checkout-canary.*"}[1m])) / sum(rate(http_requests_total{namespace="default",pod=~"checkout-.*"}[1m])) * 100');

const app = (mode: 'karmada' | 'direct') =>
  testConfig((doc) => {
    doc.fleet.mode = mode;
    Object.assign(doc.apps[0], {
      name: 'checkout',
      deployment: 'checkout',
      container: 'checkout',
      version: { image: true },
      canary: { replicas: 1, traffic: { provider: 'istio', stepWeight: 10, maxWeight: 50, service: 'checkout', port: 8080, virtualService: 'checkout' } },
    });
  }).apps[0]!;

const at = (rollout: Rollout, weights: Record<string, number>): Rollout => ({
  ...rollout,
  cluster: Object.fromEntries(Object.entries(rollout.cluster).map(([c, s]) => [c, weights[c] === undefined ? s : { ...s, canary: 'deployed', weight: weights[c] }])),
});

let sim: FleetSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('traffic in the simulated fleet', () => {
  it('direct mode: the VirtualService takes the weights, the schema refuses a bad one, and requests follow the weight per cluster', async () => {
    sim = await startFleet({ mode: 'direct' });
    const s = sim;
    const kc = clientsFor(s, 'member1').kc;
    const members = Object.fromEntries(['member1', 'member2', 'member3'].map((c) => [c, connectCluster({ kubeconfig: kc, context: c, cluster: c })]));
    const fleet = createDirectFleet({ clusters: members });
    const checkout = app('direct');
    const rollout = { ...newRollout({ id: 'checkout-1', app: checkout, version: 'v2', requester: 'U0DEV', nowMs: 0 }), fromVersion: 'v1' };
    await fleet.setCanaries(rollout, checkout, ['member1', 'member2']);
    await fleet.setWeights(at(rollout, { member1: 10, member2: 40 }), checkout);
    const vs = await members['member1']!.get<any>(VIRTUAL_SERVICES, 'default', 'checkout');
    expect(vs.spec.http[0].route.map((d: any) => `${d.destination.host} ${d.weight}`)).toEqual(['checkout 90', 'checkout-canary 10']);
    await expect(members['member1']!.jsonPatch(VIRTUAL_SERVICES, 'default', 'checkout', [{ op: 'replace', path: '/spec/http/0/route/1/weight', value: 'ten' }])).rejects.toMatchObject({ code: 'invalid' });

    // checkout has 7 pods and one canary pod per cluster; the canary gets its weight of the requests.
    expect(await eventually(async () => Math.abs(((await canaryShare(s, 'member1')) ?? 0) - 10) < 1, 20_000, 'member1 at 10 %')).toBe(true);
    expect(await eventually(async () => Math.abs(((await canaryShare(s, 'member2')) ?? 0) - 40) < 1, 20_000, 'member2 at 40 %')).toBe(true);
    expect(await canaryShare(s, 'member3')).toBeUndefined(); // no canary there
  });

  it('Karmada mode: each cluster sees the template with its own OverridePolicy rule', async () => {
    sim = await startFleet({ mode: 'karmada' });
    const s = sim;
    const karmada = connectCluster({ kubeconfig: clientsFor(s, 'karmada-apiserver').kc, context: 'karmada-apiserver', cluster: 'karmada-apiserver' });
    const fleet = createKarmadaFleet({ karmada });
    const checkout = app('karmada');
    const rollout = { ...newRollout({ id: 'checkout-1', app: checkout, version: 'v2', requester: 'U0DEV', strategy: 'canary-first', nowMs: 0 }), fromVersion: 'v1' };
    await fleet.setCanaries(rollout, checkout, ['member1']);
    await fleet.setWeights(at(rollout, { member1: 30 }), checkout);
    expect(await eventually(async () => Math.abs(((await canaryShare(s, 'member1')) ?? 0) - 30) < 1, 20_000, 'member1 at 30 %')).toBe(true);
    const template = await karmada.get<any>(VIRTUAL_SERVICES, 'default', 'checkout');
    expect(template.spec.http[0].route).toEqual([{ destination: { host: 'checkout', port: { number: 8080 } } }]);
  });

  it('Karmada mode, replicas provider, the base on Divided scheduling: each canary is sized beside its own member\'s share of the base', async () => {
    sim = await startFleet({ mode: 'karmada' });
    const karmada = connectCluster({ kubeconfig: clientsFor(sim, 'karmada-apiserver').kc, context: 'karmada-apiserver', cluster: 'karmada-apiserver' });
    // The owner splits checkout's 7 replicas 3 : 1 between member1 and member2 (Karmada: 6 and 1).
    const policy = await karmada.get<any>(PROPAGATION_POLICIES, 'default', 'checkout-propagation');
    const divided = {
      clusterAffinity: { clusterNames: ['member1', 'member2'] },
      replicaScheduling: {
        replicaSchedulingType: 'Divided',
        replicaDivisionPreference: 'Weighted',
        weightPreference: { staticWeightList: [{ targetCluster: { clusterNames: ['member1'] }, weight: 3 }, { targetCluster: { clusterNames: ['member2'] }, weight: 1 }] },
      },
    };
    await karmada.replace(PROPAGATION_POLICIES, { ...policy, spec: { ...policy.spec, placement: divided } });
    const scheduled = async () => Object.fromEntries(((await karmada.get<any>(RESOURCE_BINDINGS, 'default', 'checkout-deployment'))?.spec?.clusters ?? []).map((c: any) => [c.name, c.replicas]));
    await eventually(async () => JSON.stringify(await scheduled()) === JSON.stringify({ member1: 6, member2: 1 }), 20_000, 'the base scheduled 6 + 1');

    const fleet = createKarmadaFleet({ karmada });
    const checkout = testConfig((doc) => {
      doc.fleet.mode = 'karmada';
      Object.assign(doc.apps[0], { name: 'checkout', deployment: 'checkout', container: 'checkout', version: { image: true }, clusters: ['member1', 'member2'], canary: { replicas: 1, traffic: { provider: 'replicas', stepWeight: 10, maxWeight: 50 } } });
    }).apps[0]!;
    const rollout = { ...newRollout({ id: 'checkout-1', app: checkout, version: 'v2', requester: 'U0DEV', strategy: 'canary-first', nowMs: 0 }), fromVersion: 'v1' };
    await fleet.setCanaries(rollout, checkout, ['member1', 'member2']);
    const shares = await fleet.setWeights(at(rollout, { member1: 50, member2: 50 }), checkout);
    // At 50 % the canary matches its member's base: 6 pods beside member1's 6, 1 beside member2's 1 (not 7 each, the template's).
    const replicas = async (name: string) => (await karmada.get<any>(DEPLOYMENTS, 'default', name))?.spec.replicas;
    expect([await replicas('checkout-canary-member1'), await replicas('checkout-canary-member2')]).toEqual([6, 1]);
    expect(shares).toEqual({ member1: 50, member2: 50 });
    const low = await fleet.setWeights(at(rollout, { member1: 10, member2: 10 }), checkout);
    expect([await replicas('checkout-canary-member1'), await replicas('checkout-canary-member2')]).toEqual([1, 1]);
    expect(low.member1).toBeCloseTo(100 / 7, 6);
    expect(low.member2).toBe(50); // one pod beside one: the closest a whole pod gets to 10 %
  });
});
