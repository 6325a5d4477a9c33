// Every object rollgate writes in Karmada mode, written to a real kube-apiserver that serves
// Karmada's real CRDs: accepted as valid, idempotent when written again, removed cleanly.
// As the rig's admin; what rollgate's own ServiceAccount may do is karmada-rbac.cases.ts.
import { AppsV1Api } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyObject, connectCluster, DEPLOYMENTS, OVERRIDE_POLICIES, PROPAGATION_POLICIES, type ClusterApi } from '../../rollout/kube/cluster-api.js';
import { createKarmadaFleet } from '../../rollout/kube/karmada-fleet.js';
import type { Fleet } from '../../rollout/kube/fleet.js';
import type { KubeObject } from '../../rollout/kube/objects.js';
import { newRollout } from '../../rollout/plan.js';
import { atStage, baseDeployment, rigApp } from './fixtures.js';
import { adminKubeconfig } from './rig.js';
import { apiOn } from './service-account.js';

export function karmadaObjectCases(): void {
  describe('Karmada objects, as the admin', () => {
    const app = rigApp();
    const all = ['member1', 'member2', 'member3'];
    let karmada: ClusterApi;
    let fleet: Fleet;
    let apps: AppsV1Api;

    beforeAll(() => {
      const kubeconfig = adminKubeconfig();
      karmada = connectCluster({ kubeconfig, context: 'karmada-apiserver', cluster: 'karmada-apiserver' });
      fleet = createKarmadaFleet({ karmada });
      apps = apiOn(kubeconfig, 'karmada-apiserver', AppsV1Api);
    });

    it('accepts the canaries, the growing override and finalize, and every write is idempotent', async () => {
      await applyObject(karmada, baseDeployment(app));
      const rollout = newRollout({ id: 'http-probe-app-1', app, version: 'v2', requester: 'U0DEV', nowMs: 0 });
      expect(await fleet.readBase(app)).toEqual({ version: 'v1', replicas: 2 });

      await fleet.setCanaries(rollout, app, all);
      const canary = await karmada.get<KubeObject>(DEPLOYMENTS, 'default', 'http-probe-app-canary');
      const policy = await karmada.get<any>(PROPAGATION_POLICIES, 'default', 'http-probe-app-canary-propagation');
      expect(canary?.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'rollgate', version: 'canary' });
      expect(policy.spec.placement.clusterAffinity.clusterNames).toEqual(all);
      await fleet.setCanaries(rollout, app, all);
      expect((await karmada.get<KubeObject>(DEPLOYMENTS, 'default', 'http-probe-app-canary'))?.metadata.resourceVersion).toBe(canary?.metadata.resourceVersion);

      await fleet.setPromoted(rollout, app, ['member1']);
      await fleet.setPromoted(rollout, app, ['member1', 'member2']);
      const override = await karmada.get<any>(OVERRIDE_POLICIES, 'default', 'http-probe-app-promote-override');
      expect(override.spec.overrideRules).toEqual([
        { targetCluster: { clusterNames: ['member1', 'member2'] }, overriders: { plaintext: [{ path: '/spec/template/spec/containers/0/env/0/value', operator: 'replace', value: 'v2' }] } },
      ]);
      expect(override.metadata.annotations['rollgate.dev/rollout-id']).toBe('http-probe-app-1');

      const readiness = await fleet.checkReady(atStage(rollout, 0), app);
      expect(readiness.ready).toBe(false); // no Karmada controllers here: no ResourceBinding, so never ready
      expect(readiness.waitingFor).toContain('member1: canary 0/1 ready');

      await fleet.finalize(rollout, app);
      await fleet.finalize(rollout, app);
      const finalized = await apps.readNamespacedDeployment({ name: 'http-probe-app', namespace: 'default' });
      expect(finalized.spec?.template.spec?.containers[0]?.env?.[0]?.value).toBe('v2');
      expect(await karmada.get(OVERRIDE_POLICIES, 'default', 'http-probe-app-promote-override')).toBeUndefined();
      expect(await karmada.get(DEPLOYMENTS, 'default', 'http-probe-app-canary')).toBeUndefined();
      expect(await karmada.get(PROPAGATION_POLICIES, 'default', 'http-probe-app-canary-propagation')).toBeUndefined();
    });

    it('writes the single-cluster canary of canary-first and rolls everything back', async () => {
      const rollout = newRollout({ id: 'http-probe-app-2', app, version: 'v3', requester: 'U0DEV', strategy: 'canary-first', nowMs: 0 });
      await fleet.setCanaries(rollout, app, ['member1']);
      const policy = await karmada.get<any>(PROPAGATION_POLICIES, 'default', 'http-probe-app-canary-member1-propagation');
      expect(policy.spec.resourceSelectors[0]).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'http-probe-app-canary-member1' });
      await fleet.setPromoted(rollout, app, ['member1']);
      for (let run = 0; run < 2; run++) {
        await fleet.setPromoted(rollout, app, []);
        await fleet.setCanaries(rollout, app, []);
      }
      expect(await karmada.get(DEPLOYMENTS, 'default', 'http-probe-app-canary-member1')).toBeUndefined();
      expect(await karmada.get(OVERRIDE_POLICIES, 'default', 'http-probe-app-promote-override')).toBeUndefined();
    });

    it('the real API server rejects what the CRDs reject, and rollgate reports it', async () => {
      const bad: KubeObject = {
        apiVersion: 'policy.karmada.io/v1alpha1',
        kind: 'OverridePolicy',
        metadata: { name: 'bad-override', namespace: 'default' },
        spec: { resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }], overrideRules: [{ overriders: { plaintext: [{ path: '/x', operator: 'set', value: 'y' }] } }] },
      };
      await expect(applyObject(karmada, bad)).rejects.toMatchObject({ code: 'invalid' });
    });
  });
}
