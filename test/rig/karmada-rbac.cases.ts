// deploy/kustomize/overlays/karmada/karmada-apiserver on a real Karmada API server: rollgate's own Karmada adapter, as the
// rollgate ServiceAccount, gets through every step of a rollout (sufficient), and the same
// identity is refused anything else (tight), which rollgate reports as a `forbidden` FleetError.
import { AppsV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyObject, connectCluster, DEPLOYMENTS, OVERRIDE_POLICIES, PROPAGATION_POLICIES, RESOURCE_BINDINGS, SERVICES, type ClusterApi } from '../../rollout/kube/cluster-api.js';
import { createKarmadaFleet } from '../../rollout/kube/karmada-fleet.js';
import type { Fleet } from '../../rollout/kube/fleet.js';
import { newRollout } from '../../rollout/plan.js';
import { HTTP_ROUTES, VIRTUAL_SERVICES } from '../../rollout/traffic/route-objects.js';
import { atStage, baseDeployment, createIfAbsent, httpRoute, rigApp, stableService, trafficApp, virtualService, withWeight } from './fixtures.js';
import { adminKubeconfig, asAdmin } from './rig.js';
import { apiOn, applyKustomization, asFleetCall, expectForbidden, grantedRules, rollgateKubeconfig } from './service-account.js';

const CONTEXT = 'karmada-apiserver';
const ALL = ['member1', 'member2', 'member3'];
const BINDINGS = { ...RESOURCE_BINDINGS, namespace: 'default' };

/** Plays karmada-controller-manager: a ResourceBinding whose aggregated status says every cluster is ready. */
async function bindAsKarmadaWould(custom: CustomObjectsApi, deployment: string, clusters: string[]): Promise<void> {
  const created = await custom.createNamespacedCustomObject({
    ...BINDINGS,
    body: {
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name: `${deployment}-deployment`, namespace: 'default' },
      spec: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment, namespace: 'default' } },
    },
  });
  const status = { replicas: 1, readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1 };
  await custom.replaceNamespacedCustomObjectStatus({
    ...BINDINGS,
    name: `${deployment}-deployment`,
    body: { ...created, status: { aggregatedStatus: clusters.map((clusterName) => ({ clusterName, applied: true, status })) } },
  });
}

export function karmadaRbacCases(): void {
  describe('Karmada mode as system:serviceaccount:rollgate:rollgate (deploy/kustomize/overlays/karmada/karmada-apiserver)', () => {
    const app = rigApp('checkout');
    let sa: KubeConfig;
    let admin: ClusterApi;
    let adminCustom: CustomObjectsApi;
    let karmada: ClusterApi;
    let fleet: Fleet;

    beforeAll(async () => {
      applyKustomization(CONTEXT, 'overlays/karmada/karmada-apiserver');
      asAdmin('kubectl', ['--context', CONTEXT, '-n', 'default', 'create', 'secret', 'generic', 'checkout-db', '--from-literal=password=hunter2']);
      sa = rollgateKubeconfig(CONTEXT);
      admin = connectCluster({ kubeconfig: adminKubeconfig(), context: CONTEXT, cluster: CONTEXT });
      adminCustom = apiOn(adminKubeconfig(), CONTEXT, CustomObjectsApi);
      karmada = connectCluster({ kubeconfig: sa, context: CONTEXT, cluster: CONTEXT });
      fleet = createKarmadaFleet({ karmada });
      await applyObject(admin, baseDeployment(app)); // the base belongs to its owner, not to rollgate
    });

    it('is granted exactly what rollgate calls, and only in the app namespace', async () => {
      expect(await grantedRules(sa, CONTEXT, 'default')).toEqual([
        'apps/deployments create',
        'apps/deployments delete',
        'apps/deployments get',
        'apps/deployments patch',
        'apps/deployments update',
        'core/services create',
        'core/services delete',
        'core/services get',
        'core/services update',
        'gateway.networking.k8s.io/httproutes get',
        'networking.istio.io/virtualservices get',
        'policy.karmada.io/overridepolicies create',
        'policy.karmada.io/overridepolicies delete',
        'policy.karmada.io/overridepolicies get',
        'policy.karmada.io/overridepolicies update',
        'policy.karmada.io/propagationpolicies create',
        'policy.karmada.io/propagationpolicies delete',
        'policy.karmada.io/propagationpolicies get',
        'policy.karmada.io/propagationpolicies update',
        'work.karmada.io/resourcebindings get',
      ]);
      expect(await grantedRules(sa, CONTEXT, 'kube-system')).toEqual([]);
    });

    it('runs a per-cluster rollout: canaries, promotions, readiness, finalize, each step twice', async () => {
      const rollout = newRollout({ id: 'checkout-1', app, version: 'v2', requester: 'U0DEV', nowMs: 0 });
      expect(await fleet.readBase(app)).toEqual({ version: 'v1', replicas: 2 });
      await fleet.setCanaries(rollout, app, ALL);
      await fleet.setCanaries(rollout, app, ALL);
      await fleet.setPromoted(rollout, app, ['member1']);
      await fleet.setPromoted(rollout, app, ['member1', 'member2']); // the override is replaced (update)
      const override = await admin.get<any>(OVERRIDE_POLICIES, 'default', 'checkout-promote-override');
      expect(override.spec.overrideRules[0].targetCluster.clusterNames).toEqual(['member1', 'member2']);

      await bindAsKarmadaWould(adminCustom, 'checkout-canary', ALL);
      expect(await fleet.checkReady(atStage(rollout, 0), app)).toEqual({
        ready: true,
        pods: { member1: { ready: 1, total: 1 }, member2: { ready: 1, total: 1 }, member3: { ready: 1, total: 1 } },
      });
      await fleet.setCanaries(rollout, app, ['member3']); // the canary's policy is replaced (update)
      const policy = await admin.get<any>(PROPAGATION_POLICIES, 'default', 'checkout-canary-propagation');
      expect(policy.spec.placement.clusterAffinity.clusterNames).toEqual(['member3']);

      await fleet.finalize(rollout, app);
      await fleet.finalize(rollout, app);
      const base = await apiOn(adminKubeconfig(), CONTEXT, AppsV1Api).readNamespacedDeployment({ name: 'checkout', namespace: 'default' });
      expect(base.spec?.template.spec?.containers[0]?.env?.[0]?.value).toBe('v2');
      expect(await admin.get(OVERRIDE_POLICIES, 'default', 'checkout-promote-override')).toBeUndefined();
      expect(await admin.get(DEPLOYMENTS, 'default', 'checkout-canary')).toBeUndefined();
    });

    it('runs canary-first over a canary an earlier rollout left, promotes, and rolls back twice', async () => {
      const earlier = newRollout({ id: 'checkout-2', app, version: 'v3', requester: 'U0DEV', strategy: 'canary-first', nowMs: 0 });
      const rollout = newRollout({ id: 'checkout-3', app, version: 'v4', requester: 'U0DEV', strategy: 'canary-first', nowMs: 0 });
      await fleet.setCanaries(earlier, app, ['member1']);
      await fleet.setCanaries(rollout, app, ['member1']); // the canary Deployment is replaced (update)
      const canary = await admin.get<any>(DEPLOYMENTS, 'default', 'checkout-canary-member1');
      expect(canary.metadata.annotations['rollgate.dev/rollout-id']).toBe('checkout-3');
      await fleet.setPromoted(rollout, app, ['member1']);
      for (let run = 0; run < 2; run++) {
        await fleet.setPromoted(rollout, app, []);
        await fleet.setCanaries(rollout, app, []);
      }
      expect(await admin.get(DEPLOYMENTS, 'default', 'checkout-canary-member1')).toBeUndefined();
      expect(await admin.get(PROPAGATION_POLICIES, 'default', 'checkout-canary-member1-propagation')).toBeUndefined();
      expect(await admin.get(OVERRIDE_POLICIES, 'default', 'checkout-promote-override')).toBeUndefined();
    });

    // canary.traffic: the canary Service and its PropagationPolicy, the weights' OverridePolicy;
    // the route template and the stable Service (the app owner's) are only read.
    const basket = trafficApp('basket', { provider: 'istio', stepWeight: 10, maxWeight: 50, service: 'basket', port: 8080, virtualService: 'basket', route: 'primary' }, 'karmada');
    const parcel = trafficApp('parcel', { provider: 'gateway-api', stepWeight: 25, maxWeight: 50, service: 'parcel', port: 8080, httpRoute: 'parcel' }, 'karmada');

    it.each([
      ['istio', basket, VIRTUAL_SERVICES, virtualService],
      ['gateway-api', parcel, HTTP_ROUTES, httpRoute],
    ] as const)('runs a traffic-weighted canary (%s): canary Service, weights 10 → 20, rollback, each step twice', async (_, mesh, routes, route) => {
      await applyObject(admin, baseDeployment(mesh));
      await createIfAbsent(admin, stableService(mesh, mesh.deployment), SERVICES);
      await createIfAbsent(admin, route(mesh, mesh.deployment), routes);
      const rollout = newRollout({ id: `${mesh.name}-1`, app: mesh, version: 'v2', requester: 'U0DEV', nowMs: 0 });
      for (let run = 0; run < 2; run++) await fleet.setCanaries(rollout, mesh, ['member1']);
      expect(await admin.get(SERVICES, 'default', `${mesh.deployment}-canary`)).toBeDefined();
      for (const weight of [10, 10, 20]) await fleet.setWeights(withWeight(rollout, { member1: weight }), mesh);
      expect(await admin.get(OVERRIDE_POLICIES, 'default', `${mesh.deployment}-traffic-override`)).toBeDefined();
      const weighted = withWeight(rollout, { member1: 20 });
      for (let run = 0; run < 2; run++) {
        await fleet.setPromoted(weighted, mesh, []);
        await fleet.setCanaries(weighted, mesh, []);
      }
      expect(await admin.get(OVERRIDE_POLICIES, 'default', `${mesh.deployment}-traffic-override`)).toBeUndefined();
      expect(await admin.get(SERVICES, 'default', `${mesh.deployment}-canary`)).toBeUndefined();
    });

    const outsideTheGrant: [string, () => Promise<unknown>][] = [
      ['patch the VirtualService template (weights go in an OverridePolicy)', () => karmada.jsonPatch(VIRTUAL_SERVICES, 'default', 'basket', [{ op: 'add', path: '/metadata/labels', value: { mine: 'yes' } }])],
      ['delete the HTTPRoute template', () => karmada.remove(HTTP_ROUTES, 'default', 'parcel')],
      ['patch the stable Service', () => asFleetCall(CONTEXT, 'patch service', () => apiOn(sa, CONTEXT, CoreV1Api).patchNamespacedService({ name: 'basket', namespace: 'default', body: [{ op: 'add', path: '/metadata/labels/mine', value: 'yes' }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)))],
      ['list Services (it reads them by name)', () => asFleetCall(CONTEXT, 'list services', () => apiOn(sa, CONTEXT, CoreV1Api).listNamespacedService({ namespace: 'default' }))],
      ['read a Secret in the app namespace', () => asFleetCall(CONTEXT, 'read secret', () => apiOn(sa, CONTEXT, CoreV1Api).readNamespacedSecret({ name: 'checkout-db', namespace: 'default' }))],
      ['list Deployments (it reads them by name)', () => asFleetCall(CONTEXT, 'list deployments', () => apiOn(sa, CONTEXT, AppsV1Api).listNamespacedDeployment({ namespace: 'default' }))],
      ['list pods on the Karmada API server (pods are read in the members)', () => karmada.listPods('default', 'app=checkout')],
      ['delete the app namespace', () => asFleetCall(CONTEXT, 'delete namespace', () => apiOn(sa, CONTEXT, CoreV1Api).deleteNamespace({ name: 'default' }))],
      ['create a ClusterPropagationPolicy', () => asFleetCall(CONTEXT, 'create clusterpropagationpolicy', () => createClusterPropagationPolicy(sa))],
      ['grant itself more (create a RoleBinding)', () => asFleetCall(CONTEXT, 'create rolebinding', () => createRoleBinding(sa))],
      ['roll out an app in a namespace without a RoleBinding', () => fleet.setCanaries(newRollout({ id: 'x-1', app, version: 'v9', requester: 'U0DEV', nowMs: 0 }), { ...app, namespace: 'kube-system' }, ALL)],
    ];
    it.each(outsideTheGrant)('is forbidden to %s', (_, call) => expectForbidden(call(), CONTEXT));
  });
}

function createClusterPropagationPolicy(kubeconfig: KubeConfig): Promise<unknown> {
  return apiOn(kubeconfig, CONTEXT, CustomObjectsApi).createClusterCustomObject({
    group: 'policy.karmada.io',
    version: 'v1alpha1',
    plural: 'clusterpropagationpolicies',
    body: {
      apiVersion: 'policy.karmada.io/v1alpha1',
      kind: 'ClusterPropagationPolicy',
      metadata: { name: 'everything' },
      spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment' }], placement: { clusterAffinity: { clusterNames: ['member1'] } } },
    },
  });
}

function createRoleBinding(kubeconfig: KubeConfig): Promise<unknown> {
  return apiOn(kubeconfig, CONTEXT, RbacAuthorizationV1Api).createNamespacedRoleBinding({
    namespace: 'default',
    body: {
      metadata: { name: 'rollgate-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name: 'rollgate', namespace: 'rollgate' }],
    },
  });
}
