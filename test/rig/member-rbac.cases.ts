// The member-cluster manifests on a real API server with a real Deployment controller (member1):
// overlays/karmada/member (Karmada mode: pod reads only), then overlays/direct/member
// (direct mode: rollgate's direct adapter writes there), each as the rollgate ServiceAccount.
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObject, connectCluster, DEPLOYMENTS, SERVICES, type ClusterApi } from '../../rollout/kube/cluster-api.js';
import { createDirectFleet } from '../../rollout/kube/direct-fleet.js';
import type { Fleet } from '../../rollout/kube/fleet.js';
import { readNewVersionPods } from '../../rollout/kube/new-version-pods.js';
import { canaryDeployment } from '../../rollout/kube/objects.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { HTTP_ROUTES, VIRTUAL_SERVICES } from '../../rollout/traffic/route-objects.js';
import { atStage, baseDeployment, createIfAbsent, httpRoute, rigApp, stableService, trafficApp, virtualService, withWeight } from './fixtures.js';
import { adminKubeconfig, asAdmin } from './rig.js';
import { apiOn, applyKustomization, asFleetCall, expectForbidden, grantedRules, rollgateKubeconfig } from './service-account.js';

const MEMBER = 'member1';

export function memberRbacCases(): void {
  describe(`member clusters as system:serviceaccount:rollgate:rollgate (${MEMBER})`, () => {
    const app = rigApp('checkout');
    let sa: KubeConfig;
    let admin: ClusterApi;
    let member: ClusterApi;

    beforeAll(async () => {
      applyKustomization(MEMBER, 'overlays/karmada/member');
      asAdmin('kubectl', ['--context', MEMBER, '-n', 'default', 'create', 'secret', 'generic', 'checkout-db', '--from-literal=password=hunter2']);
      sa = rollgateKubeconfig(MEMBER);
      admin = connectCluster({ kubeconfig: adminKubeconfig(), context: MEMBER, cluster: MEMBER });
      member = connectCluster({ kubeconfig: sa, context: MEMBER, cluster: MEMBER });
      await applyObject(admin, baseDeployment(app)); // its controller makes two (Pending) pods
    });

    // The base's pods, made by the member's real Deployment controller (Pending: no kubelet).
    const podReadsAllowed = async () => {
      await expect.poll(async () => (await member.listPods('default', 'app=checkout')).length, { timeout: 20_000 }).toBeGreaterThan(0);
      const [pod] = await member.listPods('default', 'app=checkout');
      const read = await apiOn(sa, MEMBER, CoreV1Api).readNamespacedPod({ name: pod!.metadata!.name!, namespace: 'default' });
      expect(read.metadata?.labels).toMatchObject({ app: 'checkout' });
    };
    const readSecret = () => asFleetCall(MEMBER, 'read secret', () => apiOn(sa, MEMBER, CoreV1Api).readNamespacedSecret({ name: 'checkout-db', namespace: 'default' }));

    describe('Karmada mode (deploy/kustomize/overlays/karmada/member)', () => {
      afterAll(() => asAdmin('kubectl', ['--context', MEMBER, '-n', 'default', 'delete', 'rolebinding', 'rollgate-pod-reader']));

      it('is granted exactly pods get and list, and only in the app namespace', async () => {
        expect(await grantedRules(sa, MEMBER, 'default')).toEqual(['core/pods get', 'core/pods list']);
        expect(await grantedRules(sa, MEMBER, 'kube-system')).toEqual([]);
      });

      it('lists and gets pods', podReadsAllowed);

      // Issue 13: the pod signals read no Deployment in the member (Karmada mode grants none there).
      it("reads a rollout's new-version pods with those two verbs alone", async () => {
        const rollout = newRollout({ id: 'checkout-1', app, version: 'v1', requester: 'U0DEV', clusters: [MEMBER], nowMs: 0 });
        // Promoted (so the base's pods are the new version's), seen ready just now: a fresh list each poll.
        const promoted = (): Rollout => ({ ...rollout, cluster: { ...rollout.cluster, [MEMBER]: { ...rollout.cluster[MEMBER]!, promoted: true, readyAt: Date.now() } } });
        const basePods = async () => (await readNewVersionPods(member, promoted(), app, MEMBER, 'karmada')).find((w) => w.workload === 'checkout')?.pods.length;
        await expect.poll(basePods, { timeout: 20_000 }).toBe(2);
      });

      it.each<[string, () => Promise<unknown>]>([
        ['write a Deployment (Karmada mode writes only to the Karmada API server)', () => applyObject(member, canaryDeployment(app, baseDeployment(app) as V1Deployment, 'checkout-1', 'v2'))],
        ['read a Secret', readSecret],
        ['delete a pod', () => asFleetCall(MEMBER, 'delete pod', () => apiOn(sa, MEMBER, CoreV1Api).deleteNamespacedPod({ name: 'any', namespace: 'default' }))],
      ])('is forbidden to %s', (_, call) => expectForbidden(call(), MEMBER));
    });

    describe('direct mode (deploy/kustomize/overlays/direct/member)', () => {
      let fleet: Fleet;
      beforeAll(() => {
        applyKustomization(MEMBER, 'overlays/direct/member');
        fleet = createDirectFleet({ clusters: { [MEMBER]: member } });
      });

      it('is granted exactly what the direct adapter calls, and only in the app namespace', async () => {
        expect(await grantedRules(sa, MEMBER, 'default')).toEqual([
          'apps/deployments create',
          'apps/deployments delete',
          'apps/deployments get',
          'apps/deployments patch',
          'apps/deployments update',
          'core/pods get',
          'core/pods list',
          'core/services create',
          'core/services delete',
          'core/services get',
          'core/services update',
          'gateway.networking.k8s.io/httproutes get',
          'gateway.networking.k8s.io/httproutes patch',
          'networking.istio.io/virtualservices get',
          'networking.istio.io/virtualservices patch',
        ]);
        expect(await grantedRules(sa, MEMBER, 'kube-system')).toEqual([]);
      });

      it('runs a rollout with rollgate\'s direct adapter: canary, promotion, its rollback, promotion, finalize', async () => {
        const earlier = newRollout({ id: 'checkout-1', app, version: 'v2', requester: 'U0DEV', clusters: [MEMBER], nowMs: 0 });
        const rollout = newRollout({ id: 'checkout-2', app, version: 'v3', requester: 'U0DEV', clusters: [MEMBER], nowMs: 0 });
        expect(await fleet.readBase(app)).toEqual({ version: 'v1', replicas: 2 });
        await fleet.setCanaries(earlier, app, [MEMBER]);
        await fleet.setCanaries(rollout, app, [MEMBER]); // the earlier rollout's canary is replaced (update)
        expect((await fleet.checkReady(atStage(rollout, 0), app)).ready).toBe(false); // no kubelet: pods stay Pending
        await fleet.setPromoted(rollout, app, [MEMBER]);
        await fleet.setPromoted(rollout, app, []);
        await fleet.setPromoted(rollout, app, [MEMBER]);
        await fleet.finalize(rollout, app);
        await fleet.finalize(rollout, app);
        const base = await apiOn(adminKubeconfig(), MEMBER, AppsV1Api).readNamespacedDeployment({ name: 'checkout', namespace: 'default' });
        expect(base.spec?.template.spec?.containers[0]?.env?.[0]?.value).toBe('v3');
        expect(base.metadata?.annotations ?? {}).not.toHaveProperty('rollgate.dev/previous-version');
        expect(await admin.get(DEPLOYMENTS, 'default', 'checkout-canary')).toBeUndefined();
      });

      it('lists and gets pods', podReadsAllowed);

      // canary.traffic: the canary Service written, the user's route only read and JSON-patched.
      const basket = trafficApp('basket', { provider: 'istio', stepWeight: 10, maxWeight: 50, service: 'basket', port: 8080, virtualService: 'basket', route: 'primary' });
      const parcel = trafficApp('parcel', { provider: 'gateway-api', stepWeight: 25, maxWeight: 50, service: 'parcel', port: 8080, httpRoute: 'parcel' });

      it.each([
        ['istio', basket, VIRTUAL_SERVICES, virtualService],
        ['gateway-api', parcel, HTTP_ROUTES, httpRoute],
      ] as const)('runs a traffic-weighted canary (%s): canary Service, weights 10 → 20, rollback restores the route, each step twice', async (_, mesh, routes, route) => {
        await applyObject(admin, baseDeployment(mesh));
        await createIfAbsent(admin, stableService(mesh, mesh.deployment), SERVICES);
        await createIfAbsent(admin, route(mesh, mesh.deployment), routes);
        const before = (await admin.get(routes, 'default', mesh.deployment))?.spec;
        const rollout = newRollout({ id: `${mesh.name}-1`, app: mesh, version: 'v2', requester: 'U0DEV', nowMs: 0 });
        for (let run = 0; run < 2; run++) await fleet.setCanaries(rollout, mesh, [MEMBER]);
        expect(await admin.get(SERVICES, 'default', `${mesh.deployment}-canary`)).toBeDefined();
        for (const weight of [10, 10, 20]) await fleet.setWeights(withWeight(rollout, { [MEMBER]: weight }), mesh);
        expect(JSON.stringify((await admin.get(routes, 'default', mesh.deployment))?.spec)).toContain('"weight":20');
        const weighted = withWeight(rollout, { [MEMBER]: 20 });
        for (let run = 0; run < 2; run++) {
          await fleet.setPromoted(weighted, mesh, []);
          await fleet.setCanaries(weighted, mesh, []);
        }
        expect((await admin.get(routes, 'default', mesh.deployment))?.spec).toEqual(before);
        expect(await admin.get(SERVICES, 'default', `${mesh.deployment}-canary`)).toBeUndefined();
      });

      it.each<[string, () => Promise<unknown>]>([
        ['delete the user\'s VirtualService', () => member.remove(VIRTUAL_SERVICES, 'default', 'basket')],
        ['create an HTTPRoute', () => member.create(HTTP_ROUTES, { ...httpRoute(parcel, 'elsewhere') })],
        ['patch a Service (the canary Service is replaced, never patched)', () => asFleetCall(MEMBER, 'patch service', () => apiOn(sa, MEMBER, CoreV1Api).patchNamespacedService({ name: 'basket', namespace: 'default', body: [{ op: 'add', path: '/metadata/labels/mine', value: 'yes' }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)))],
        ['list Services (it reads them by name)', () => asFleetCall(MEMBER, 'list services', () => apiOn(sa, MEMBER, CoreV1Api).listNamespacedService({ namespace: 'default' }))],
        ['read a Secret', readSecret],
        ['list Deployments (it reads them by name)', () => asFleetCall(MEMBER, 'list deployments', () => apiOn(sa, MEMBER, AppsV1Api).listNamespacedDeployment({ namespace: 'default' }))],
        ['delete the app namespace', () => asFleetCall(MEMBER, 'delete namespace', () => apiOn(sa, MEMBER, CoreV1Api).deleteNamespace({ name: 'default' }))],
        ['roll out an app in a namespace without a RoleBinding', () => fleet.readBase({ ...app, namespace: 'kube-system' })],
      ])('is forbidden to %s', (_, call) => expectForbidden(call(), MEMBER));
    });
  });
}
