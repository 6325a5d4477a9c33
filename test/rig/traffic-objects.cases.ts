// Every object a traffic-weighted canary writes, against real API servers serving the real
// Istio and Gateway API CRDs (shared/traffic-crds): accepted, idempotent, and rollback /
// finalize put the user's route back byte for byte with nothing of rollgate's left.
import { beforeAll, describe, expect, it } from 'vitest';
import { applyObject, connectCluster, DEPLOYMENTS, OVERRIDE_POLICIES, PROPAGATION_POLICIES, SERVICES, type ClusterApi } from '../../rollout/kube/cluster-api.js';
import { createDirectFleet } from '../../rollout/kube/direct-fleet.js';
import { createKarmadaFleet } from '../../rollout/kube/karmada-fleet.js';
import type { KubeObject } from '../../rollout/kube/objects.js';
import { newRollout } from '../../rollout/plan.js';
import { HTTP_ROUTES, VIRTUAL_SERVICES } from '../../rollout/traffic/route-objects.js';
import { baseDeployment, createIfAbsent as create, httpRoute, stableService, trafficApp, virtualService, withWeight } from './fixtures.js';
import { adminKubeconfig } from './rig.js';

/** What a person would compare: the route as stored, minus what the server changes on every write. */
const asWritten = (obj: KubeObject | undefined) => {
  const { resourceVersion: _r, generation: _g, managedFields: _m, ...metadata } = (obj?.metadata ?? {}) as Record<string, unknown>;
  return JSON.stringify({ metadata, spec: obj?.spec });
};

export function trafficObjectCases(): void {
  describe('traffic-weighted canary objects (real Istio and Gateway API CRDs)', () => {
    let member: ClusterApi;
    let karmada: ClusterApi;

    beforeAll(() => {
      const kubeconfig = adminKubeconfig();
      member = connectCluster({ kubeconfig, context: 'member1', cluster: 'member1' });
      karmada = connectCluster({ kubeconfig, context: 'karmada-apiserver', cluster: 'karmada-apiserver' });
    });

    it('direct mode, istio: canary Service, weights 10 → 20 on the named http route, no write when unchanged, rollback restores the VirtualService byte for byte', async () => {
      const app = trafficApp('storefront', { provider: 'istio', stepWeight: 10, maxWeight: 50, service: 'storefront', port: 8080, virtualService: 'storefront', route: 'primary' });
      await applyObject(member, baseDeployment(app));
      await create(member, stableService(app, 'storefront'), SERVICES);
      await create(member, virtualService(app, 'storefront'), VIRTUAL_SERVICES);
      const before = asWritten(await member.get<KubeObject>(VIRTUAL_SERVICES, 'default', 'storefront'));
      const fleet = createDirectFleet({ clusters: { member1: member } });
      const rollout = newRollout({ id: 'storefront-1', app, version: 'v2', requester: 'U0DEV', nowMs: 0 });

      await fleet.setCanaries(rollout, app, ['member1']);
      const canaryService = await member.get<any>(SERVICES, 'default', 'storefront-canary');
      expect(canaryService.spec.selector).toEqual({ app: 'storefront', 'rollgate.dev/track': 'canary' });
      expect(canaryService.spec.ports).toMatchObject([{ name: 'http', port: 8080, targetPort: 8080 }]);
      const canary = await member.get<any>(DEPLOYMENTS, 'default', 'storefront-canary');
      expect(canary.spec.template.metadata.labels['rollgate.dev/track']).toBe('canary');
      expect(asWritten(await member.get<KubeObject>(VIRTUAL_SERVICES, 'default', 'storefront'))).toBe(before); // no traffic before the canary is ready

      await fleet.setWeights(withWeight(rollout, { member1: 10 }), app);
      let vs = await member.get<any>(VIRTUAL_SERVICES, 'default', 'storefront');
      expect(vs.spec.http[1].route).toEqual([
        { destination: { host: 'storefront.default.svc.cluster.local', port: { number: 8080 } }, headers: { response: { set: { 'x-track': 'stable' } } }, weight: 90 },
        { destination: { host: 'storefront-canary', port: { number: 8080 } }, weight: 10 },
      ]);
      expect(vs.spec.http[0].route).toEqual([{ destination: { host: 'storefront', port: { number: 8080 } } }]);
      const version = vs.metadata.resourceVersion;
      await fleet.setWeights(withWeight(rollout, { member1: 10 }), app); // a redelivered step
      expect((await member.get<any>(VIRTUAL_SERVICES, 'default', 'storefront')).metadata.resourceVersion).toBe(version);

      await fleet.setWeights(withWeight(rollout, { member1: 20 }), app);
      vs = await member.get<any>(VIRTUAL_SERVICES, 'default', 'storefront');
      expect(vs.spec.http[1].route.map((d: { weight: number }) => d.weight)).toEqual([80, 20]);

      const weighted = withWeight(rollout, { member1: 20 });
      for (let run = 0; run < 2; run++) {
        await fleet.setPromoted(weighted, app, []);
        await fleet.setCanaries(weighted, app, []);
      }
      expect(asWritten(await member.get<KubeObject>(VIRTUAL_SERVICES, 'default', 'storefront'))).toBe(before);
      expect(await member.get(SERVICES, 'default', 'storefront-canary')).toBeUndefined();
      expect(await member.get(DEPLOYMENTS, 'default', 'storefront-canary')).toBeUndefined();
    });

    it('direct mode, gateway-api: weighted backendRefs on an HTTPRoute without annotations; finalize leaves it as the user wrote it', async () => {
      const app = trafficApp('shop', { provider: 'gateway-api', steps: [5, 25, 50], service: 'shop', port: 8080, httpRoute: 'shop' });
      await applyObject(member, baseDeployment(app));
      await create(member, stableService(app, 'shop'), SERVICES);
      await create(member, httpRoute(app, 'shop'), HTTP_ROUTES);
      const before = asWritten(await member.get<KubeObject>(HTTP_ROUTES, 'default', 'shop'));
      const fleet = createDirectFleet({ clusters: { member1: member } });
      const rollout = withWeight(newRollout({ id: 'shop-1', app, version: 'v2', requester: 'U0DEV', nowMs: 0 }), { member1: 25 });

      await fleet.setCanaries(rollout, app, ['member1']);
      await fleet.setWeights(rollout, app);
      const route = await member.get<any>(HTTP_ROUTES, 'default', 'shop');
      expect(route.spec.rules[0].backendRefs).toMatchObject([
        { name: 'shop', port: 8080, weight: 75 },
        { name: 'shop-canary', port: 8080, weight: 25 },
      ]);
      expect(Object.keys(route.metadata.annotations)).toEqual(['rollgate.dev/original-route']);

      await fleet.finalize(rollout, app);
      await fleet.finalize(rollout, app);
      expect(asWritten(await member.get<KubeObject>(HTTP_ROUTES, 'default', 'shop'))).toBe(before);
      expect(await member.get(SERVICES, 'default', 'shop-canary')).toBeUndefined();
    });

    it('direct mode, replicas: the canary is sized for the weight beside a base of 2 and the real share is reported', async () => {
      const app = trafficApp('cart', { provider: 'replicas', stepWeight: 10, maxWeight: 50 });
      await applyObject(member, baseDeployment(app));
      const fleet = createDirectFleet({ clusters: { member1: member } });
      const rollout = newRollout({ id: 'cart-1', app, version: 'v2', requester: 'U0DEV', nowMs: 0 });
      await fleet.setCanaries(rollout, app, ['member1']);
      expect((await member.get<any>(DEPLOYMENTS, 'default', 'cart-canary')).spec.replicas).toBe(1);
      expect(await fleet.setWeights(withWeight(rollout, { member1: 10 }), app)).toEqual({ member1: 100 / 3 });
      expect(await fleet.setWeights(withWeight(rollout, { member1: 50 }), app)).toEqual({ member1: 50 });
      expect((await member.get<any>(DEPLOYMENTS, 'default', 'cart-canary')).spec.replicas).toBe(2);
      expect((await member.get<any>(DEPLOYMENTS, 'default', 'cart')).spec.replicas).toBe(2);
      await fleet.setCanaries(rollout, app, []);
    });

    it('Karmada mode, istio: the canary Service propagates with the canary, one OverridePolicy rule per weighted cluster, the template is never written', async () => {
      const app = trafficApp('payments', { provider: 'istio', stepWeight: 10, maxWeight: 50, service: 'payments', port: 8080, virtualService: 'payments' }, 'karmada');
      await applyObject(karmada, baseDeployment(app));
      await create(karmada, stableService(app, 'payments'), SERVICES);
      await create(karmada, virtualService(app, 'payments'), VIRTUAL_SERVICES);
      const template = await karmada.get<KubeObject>(VIRTUAL_SERVICES, 'default', 'payments');
      const fleet = createKarmadaFleet({ karmada });
      const rollout = newRollout({ id: 'payments-1', app, version: 'v2', requester: 'U0DEV', nowMs: 0 });

      await fleet.setCanaries(rollout, app, ['member1']);
      const propagation = await karmada.get<any>(PROPAGATION_POLICIES, 'default', 'payments-canary-service-propagation');
      expect(propagation.spec).toMatchObject({ resourceSelectors: [{ apiVersion: 'v1', kind: 'Service', name: 'payments-canary' }], placement: { clusterAffinity: { clusterNames: ['member1'] } } });
      expect(await karmada.get(OVERRIDE_POLICIES, 'default', 'payments-traffic-override')).toBeUndefined();

      await fleet.setWeights(withWeight(rollout, { member1: 30 }), app);
      const override = await karmada.get<any>(OVERRIDE_POLICIES, 'default', 'payments-traffic-override');
      expect(override.spec.resourceSelectors).toEqual([{ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', name: 'payments' }]);
      expect(override.spec.overrideRules).toEqual([
        {
          targetCluster: { clusterNames: ['member1'] },
          overriders: {
            plaintext: [
              {
                path: '/spec/http/0/route',
                operator: 'replace',
                value: [
                  { destination: { host: 'payments', port: { number: 8080 } }, weight: 70 },
                  { destination: { host: 'payments-canary', port: { number: 8080 } }, weight: 30 },
                ],
              },
            ],
          },
        },
      ]);
      const version = override.metadata.resourceVersion;
      await fleet.setWeights(withWeight(rollout, { member1: 30 }), app);
      expect((await karmada.get<any>(OVERRIDE_POLICIES, 'default', 'payments-traffic-override')).metadata.resourceVersion).toBe(version);

      const weighted = withWeight(rollout, { member1: 30 });
      await fleet.setPromoted(weighted, app, []);
      await fleet.setCanaries(weighted, app, []);
      expect(await karmada.get(OVERRIDE_POLICIES, 'default', 'payments-traffic-override')).toBeUndefined();
      expect(await karmada.get(SERVICES, 'default', 'payments-canary')).toBeUndefined();
      expect(await karmada.get(PROPAGATION_POLICIES, 'default', 'payments-canary-service-propagation')).toBeUndefined();
      expect(asWritten(await karmada.get<KubeObject>(VIRTUAL_SERVICES, 'default', 'payments'))).toBe(asWritten(template));
    });

    it('the real CRD refuses a weight out of range, and rollgate reports it as invalid', async () => {
      const app = trafficApp('storefront', { provider: 'istio', stepWeight: 10, maxWeight: 50, service: 'storefront', port: 8080, virtualService: 'storefront' });
      await expect(member.jsonPatch(VIRTUAL_SERVICES, app.namespace, 'storefront', [{ op: 'replace', path: '/spec/http/0/route/0/weight', value: 'ten' }])).rejects.toMatchObject({ code: 'invalid' });
    });
  });
}
