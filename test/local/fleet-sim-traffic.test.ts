// The simulated fleet serves the routes a traffic-weighted canary edits (with the real Istio and
// Gateway API schemas) and its Prometheus splits each Service's requests by their weights.
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSimulator } from '@rollgate/fleet-sim';
import { connectCluster } from '../../rollout/kube/cluster-api.js';
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
});
