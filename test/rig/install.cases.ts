// The in-cluster install on real API servers: every object `kubectl kustomize` renders from
// each overlay passes the API server's validation (--dry-run=server), is applied for real, and
// the home cluster's Deployment controller makes pods of it. Then, as the ServiceAccount, what
// the install grants: what rollgate does in its mode, and nothing in its own namespace (not
// even the Secret with its Slack token). The member1 API server stands in for the home cluster.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { KUSTOMIZE, overlayWith, renderText } from '../deploy/kustomize.js';
import { adminKubeconfig, asAdmin } from './rig.js';
import { apiOn, grantedRules, rollgateKubeconfig } from './service-account.js';

const HOME = 'member1';
const KARMADA = 'karmada-apiserver';

const DIRECT_RULES = [
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
];

/**
 * The rendered YAML in a file kubectl can apply. The rig is Kubernetes 1.20, older than
 * policy/v1 (1.21): there the PodDisruptionBudget goes in as policy/v1beta1, whose spec is the same.
 */
function renderedFor(context: string, dir: string): string {
  let text = renderText(dir);
  if (!asAdmin('kubectl', ['--context', context, 'api-versions']).split('\n').includes('policy/v1')) {
    text = text.replace(/apiVersion: policy\/v1\nkind: PodDisruptionBudget/g, 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget');
  }
  const file = join(mkdtempSync(join(tmpdir(), 'rollgate-install-')), 'rendered.yaml');
  writeFileSync(file, text);
  return file;
}

/** Server-side dry run first (nothing may be refused), then for real; returns what kubectl applied. */
function install(context: string, dir: string): string[] {
  const file = renderedFor(context, dir);
  const dry = asAdmin('kubectl', ['--context', context, 'apply', '--dry-run=server', '-f', file]).trim().split('\n');
  const applied = asAdmin('kubectl', ['--context', context, 'apply', '-f', file]).trim().split('\n');
  expect(dry.map((line) => line.replace(/ \(server dry run\)$/, '').split(' ')[0])).toEqual(applied.map((line) => line.split(' ')[0]));
  return applied.map((line) => line.split(' ')[0]!);
}

export function installCases(): void {
  describe('in-cluster install (deploy/kustomize overlays) on real API servers', () => {
    let sa: KubeConfig;

    beforeAll(() => {
      // Start from a home cluster where the member cases' bindings are gone.
      asAdmin('kubectl', ['--context', HOME, '-n', 'default', 'delete', 'rolebinding', '--ignore-not-found', 'rollgate-direct', 'rollgate-pod-reader']);
    });

    it('Karmada mode: the home cluster gets the workload (with worker and Ingress components), the Karmada API server the RBAC', () => {
      const home = install(HOME, overlayWith('overlays/karmada', ['components/worker', 'components/ingress']));
      expect(home).toEqual(expect.arrayContaining([
        'namespace/rollgate',
        'serviceaccount/rollgate',
        expect.stringMatching(/^configmap\/rollgate-config-/),
        'service/rollgate',
        'deployment.apps/rollgate',
        'deployment.apps/rollgate-worker',
        'poddisruptionbudget.policy/rollgate',
        'ingress.networking.k8s.io/rollgate',
      ]));
      expect(home.filter((name) => name.startsWith('role') || name.startsWith('clusterrole'))).toEqual([]);
      expect(install(KARMADA, join(KUSTOMIZE, 'overlays/karmada/karmada-apiserver'))).toEqual([
        'namespace/rollgate',
        'serviceaccount/rollgate',
        'clusterrole.rbac.authorization.k8s.io/rollgate-karmada',
        'rolebinding.rbac.authorization.k8s.io/rollgate-karmada',
      ]);
    });

    it('the Deployment controller makes the pods: two serve and one worker, as the ServiceAccount, locked down', async () => {
      const core = apiOn(adminKubeconfig(), HOME, CoreV1Api);
      const pods = async () => (await core.listNamespacedPod({ namespace: 'rollgate', labelSelector: 'app.kubernetes.io/name=rollgate' })).items;
      await expect.poll(async () => (await pods()).length, { timeout: 30_000 }).toBe(3);
      for (const pod of await pods()) {
        expect(pod.spec?.serviceAccountName).toBe('rollgate');
        expect(pod.spec?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
        expect(pod.spec?.containers[0]?.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
      }
      expect((await pods()).map((p) => p.metadata?.labels?.['app.kubernetes.io/component']).sort()).toEqual(['serve', 'serve', 'worker']);
    });

    it('Karmada mode: the ServiceAccount may do on the Karmada API server what rollgate does there, and nothing at home', async () => {
      sa = rollgateKubeconfig(KARMADA, HOME);
      expect(await grantedRules(sa, KARMADA, 'default')).toEqual([
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
      for (const namespace of ['default', 'rollgate', 'kube-system']) expect(await grantedRules(sa, HOME, namespace)).toEqual([]);
    });

    it('direct mode: the home cluster, a member too, gets the workload and the direct RBAC; the ServiceAccount may do what the direct adapter does', async () => {
      const home = install(HOME, join(KUSTOMIZE, 'overlays/direct'));
      expect(home).toEqual(expect.arrayContaining(['clusterrole.rbac.authorization.k8s.io/rollgate-direct', 'rolebinding.rbac.authorization.k8s.io/rollgate-direct', 'deployment.apps/rollgate']));
      sa = rollgateKubeconfig(HOME);
      expect(await grantedRules(sa, HOME, 'default')).toEqual(DIRECT_RULES);
      // Its own namespace holds the Secrets with the Slack and Redis credentials: no access.
      expect(await grantedRules(sa, HOME, 'rollgate')).toEqual([]);
      expect(await grantedRules(sa, HOME, 'kube-system')).toEqual([]);
    });

    it('direct mode: every other member gets the identity and the RBAC only', () => {
      expect(install(HOME, join(KUSTOMIZE, 'overlays/direct/member'))).toEqual([
        'namespace/rollgate',
        'serviceaccount/rollgate',
        'clusterrole.rbac.authorization.k8s.io/rollgate-direct',
        'rolebinding.rbac.authorization.k8s.io/rollgate-direct',
      ]);
    });
  });
}
