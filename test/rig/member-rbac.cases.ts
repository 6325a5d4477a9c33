// The member-cluster manifests on a real API server with a real Deployment controller (member1):
// overlays/karmada/member (Karmada mode: pod reads only), then overlays/direct/member
// (direct mode: rollgate's direct adapter writes there), each as the rollgate ServiceAccount.
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyObject, connectCluster, DEPLOYMENTS, type ClusterApi } from '../../rollout/kube/cluster-api.js';
import { createDirectFleet } from '../../rollout/kube/direct-fleet.js';
import type { Fleet } from '../../rollout/kube/fleet.js';
import { canaryDeployment } from '../../rollout/kube/objects.js';
import { newRollout } from '../../rollout/plan.js';
import { atStage, baseDeployment, rigApp } from './fixtures.js';
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

      it.each<[string, () => Promise<unknown>]>([
        ['read a Secret', readSecret],
        ['list Deployments (it reads them by name)', () => asFleetCall(MEMBER, 'list deployments', () => apiOn(sa, MEMBER, AppsV1Api).listNamespacedDeployment({ namespace: 'default' }))],
        ['delete the app namespace', () => asFleetCall(MEMBER, 'delete namespace', () => apiOn(sa, MEMBER, CoreV1Api).deleteNamespace({ name: 'default' }))],
        ['roll out an app in a namespace without a RoleBinding', () => fleet.readBase({ ...app, namespace: 'kube-system' })],
      ])('is forbidden to %s', (_, call) => expectForbidden(call(), MEMBER));
    });
  });
}
