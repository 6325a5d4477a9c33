// The simulated kube-apiservers as client-node sees them: TLS, auth, discovery, the REST verbs
// and the Status errors a real apiserver answers with.
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetSimulator } from '../src/index.js';
import { CA_PATH, clientsFor, startFleet, statusOf, type Clients } from './helpers.js';

const PP = { group: 'policy.karmada.io', version: 'v1alpha1', namespace: 'default', plural: 'propagationpolicies' };
const OP = { ...PP, plural: 'overridepolicies' };

function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca: readFileSync(CA_PATH), headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      })
      .on('error', reject);
  });
}

describe('simulated kube-apiserver', () => {
  let sim: FleetSimulator;
  let karmada: Clients;
  let member1: Clients;

  beforeAll(async () => {
    sim = await startFleet();
    karmada = clientsFor(sim, 'karmada-apiserver');
    member1 = clientsFor(sim, 'member1');
  });
  afterAll(() => sim.close());

  it('writes a kubeconfig whose contexts verify TLS with the local CA', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig());
    expect(kc.getContexts().map((c) => c.name)).toEqual(['karmada-apiserver', 'member1', 'member2', 'member3']);
    expect(kc.getCurrentContext()).toBe('karmada-apiserver');
    expect(kc.getCluster('member2')?.server).toBe(`${sim.url}/clusters/member2`);
    expect(Buffer.from(kc.getCluster('member1')!.caData!, 'base64').toString()).toBe(readFileSync(CA_PATH, 'utf8'));
    // A client that does not trust the CA is refused by TLS verification.
    const untrusting = new KubeConfig();
    untrusting.loadFromString(sim.kubeconfig().replace(/certificate-authority-data: .*/g, 'certificate-authority-data: ""'));
    untrusting.setCurrentContext('member1');
    await expect(untrusting.makeApiClient(KubernetesObjectApi).list('apps/v1', 'Deployment', 'default')).rejects.toThrow(/certificate|self.signed|issuer/i);
  });

  it('answers 401 with a Status when the bearer token is missing or wrong', async () => {
    for (const headers of [{}, { Authorization: 'Bearer nope' }] as Record<string, string>[]) {
      const res = await rawGet(`${sim.url}/clusters/member1/apis/apps/v1/namespaces/default/deployments`, headers);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    }
  });

  it('serves discovery, with the Karmada groups on the Karmada server only', async () => {
    const auth = { Authorization: 'Bearer local-fleet-token' };
    const groups = (path: string) => rawGet(`${sim.url}${path}/apis`, auth).then((r) => JSON.parse(r.body).groups.map((g: any) => g.name));
    // The Istio and Gateway API routes a traffic-weighted canary edits are served everywhere.
    expect(await groups('/karmada')).toEqual(['apps', 'networking.istio.io', 'gateway.networking.k8s.io', 'policy.karmada.io', 'work.karmada.io']);
    expect(await groups('/clusters/member1')).toEqual(['apps', 'networking.istio.io', 'gateway.networking.k8s.io']);
    const rb = JSON.parse((await rawGet(`${sim.url}/karmada/apis/work.karmada.io/v1alpha2`, auth)).body);
    expect(rb.resources.find((r: any) => r.name === 'resourcebindings')).toMatchObject({ kind: 'ResourceBinding', namespaced: true, verbs: ['get', 'list', 'watch'] });
    expect(JSON.parse((await rawGet(`${sim.url}/karmada/version`, auth)).body).gitVersion).toMatch(/^v1\.\d+\.\d+$/);
    // The generic object client resolves resources through discovery.
    const objects = KubernetesObjectApi.makeApiClient(karmada.kc);
    const pp = await objects.read({ apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'checkout-propagation', namespace: 'default' } });
    expect(pp.metadata?.name).toBe('checkout-propagation');
  });

  it('shows the seed on Karmada and propagated to every member with Ready pods', async () => {
    const names = (await karmada.apps.listNamespacedDeployment({ namespace: 'default' })).items.map((d) => d.metadata!.name);
    expect(names).toEqual(['checkout', 'http-probe-app']);
    for (const member of ['member1', 'member2', 'member3']) {
      const c = clientsFor(sim, member);
      const d = await c.apps.readNamespacedDeployment({ name: 'checkout', namespace: 'default' });
      expect(d.status).toMatchObject({ replicas: 7, readyReplicas: 7, updatedReplicas: 7, availableReplicas: 7 });
      const pods = await c.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=http-probe-app' });
      expect(pods.items).toHaveLength(2);
      for (const p of pods.items) {
        expect(p.metadata!.name).toMatch(/^http-probe-app-[a-z0-9]{10}-[a-z0-9]{5}$/);
        expect(p.status!.phase).toBe('Running');
        expect(p.status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
        expect(p.spec!.containers[0]!.env).toEqual([{ name: 'ROLLOUT_LABEL', value: 'v1' }]);
      }
    }
  });

  it('lists pods with set-based and inequality label selectors', async () => {
    const count = async (labelSelector: string) => (await member1.core.listNamespacedPod({ namespace: 'default', labelSelector })).items.length;
    expect(await count('app in (checkout, http-probe-app)')).toBe(9);
    expect(await count('app notin (checkout)')).toBe(2);
    expect(await count('app!=checkout,pod-template-hash')).toBe(2);
    expect(await count('!version')).toBe(9);
    await expect(member1.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app in (' })).rejects.toMatchObject({ code: 400 });
  });

  it('refuses a stale PUT with 409 Conflict and accepts one without resourceVersion', async () => {
    const d = await member1.apps.readNamespacedDeployment({ name: 'checkout', namespace: 'default' });
    const stale = structuredClone(d);
    d.metadata!.labels = { ...d.metadata!.labels, touched: 'yes' };
    await member1.apps.replaceNamespacedDeployment({ name: 'checkout', namespace: 'default', body: d });
    const err = await member1.apps.replaceNamespacedDeployment({ name: 'checkout', namespace: 'default', body: stale }).catch((e) => e);
    expect(err.code).toBe(409);
    expect(statusOf(err)).toMatchObject({
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on deployments.apps "checkout": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'checkout', group: 'apps', kind: 'deployments' },
    });
    delete stale.metadata!.resourceVersion;
    const replaced = await member1.apps.replaceNamespacedDeployment({ name: 'checkout', namespace: 'default', body: stale });
    expect(replaced.metadata!.labels!['touched']).toBeUndefined();
    expect(replaced.metadata!.generation).toBe(d.metadata!.generation);
  });

  it('answers 404 NotFound on delete of a missing object, 409 AlreadyExists on a duplicate create', async () => {
    const err = await karmada.custom.deleteNamespacedCustomObject({ ...PP, name: 'nope' }).catch((e) => e);
    expect(err.code).toBe(404);
    expect(statusOf(err)).toMatchObject({ reason: 'NotFound', message: 'propagationpolicies.policy.karmada.io "nope" not found' });
    const d = await karmada.apps.readNamespacedDeployment({ name: 'checkout', namespace: 'default' });
    const dup = await karmada.apps.createNamespacedDeployment({ namespace: 'default', body: { ...d, metadata: { name: 'checkout' } } }).catch((e) => e);
    expect(dup.code).toBe(409);
    expect(statusOf(dup)).toMatchObject({ reason: 'AlreadyExists', message: 'deployments.apps "checkout" already exists' });
  });

  it('validates Deployments as the apiserver does (422 Invalid with causes)', async () => {
    const body: V1Deployment = {
      metadata: { name: 'broken' },
      spec: {
        selector: { matchLabels: { app: 'a' } },
        template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } },
      },
    };
    const err = await member1.apps.createNamespacedDeployment({ namespace: 'default', body }).catch((e) => e);
    expect(err.code).toBe(422);
    expect(statusOf(err)).toMatchObject({
      reason: 'Invalid',
      message: 'Deployment.apps "broken" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`',
      details: { causes: [{ reason: 'FieldValueInvalid', field: 'spec.template.metadata.labels' }] },
    });
    const bad = await member1.apps
      .createNamespacedDeployment({ namespace: 'default', body: { metadata: { name: 'Bad_Name' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [] } } } } })
      .catch((e) => e);
    expect(statusOf(bad).details.causes.map((c: any) => c.field)).toEqual(['metadata.name', 'spec.template.spec.containers']);
    // The selector is immutable.
    const live = await member1.apps.readNamespacedDeployment({ name: 'checkout', namespace: 'default' });
    live.spec!.selector = { matchLabels: { app: 'checkout', extra: 'x' } };
    live.spec!.template.metadata!.labels = { app: 'checkout', extra: 'x' };
    const imm = await member1.apps.replaceNamespacedDeployment({ name: 'checkout', namespace: 'default', body: live }).catch((e) => e);
    expect(statusOf(imm).message).toMatch(/spec\.selector: Invalid value: v1\.LabelSelector\{.*\}: field is immutable/);
  });

  it('validates Karmada policies against the CRD schemas', async () => {
    const noSelectors = await karmada.custom
      .createNamespacedCustomObject({ ...PP, body: { apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'p' }, spec: { placement: {} } } })
      .catch((e) => e);
    expect(noSelectors.code).toBe(422);
    expect(statusOf(noSelectors)).toMatchObject({
      message: 'PropagationPolicy.policy.karmada.io "p" is invalid: spec.resourceSelectors: Required value',
      details: { kind: 'PropagationPolicy', group: 'policy.karmada.io', causes: [{ reason: 'FieldValueRequired', field: 'spec.resourceSelectors' }] },
    });
    const empty = await karmada.custom
      .createNamespacedCustomObject({ ...PP, body: { apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'p' }, spec: { resourceSelectors: [] } } })
      .catch((e) => e);
    expect(statusOf(empty).message).toContain('spec.resourceSelectors: Invalid value: 0: spec.resourceSelectors in body should have at least 1 items');
    const setOp = await karmada.custom
      .createNamespacedCustomObject({
        ...OP,
        body: {
          apiVersion: 'policy.karmada.io/v1alpha1',
          kind: 'OverridePolicy',
          metadata: { name: 'x' },
          spec: { overrideRules: [{ overriders: { plaintext: [{ path: '/spec/replicas', operator: 'set', value: 3 }] } }] },
        },
      })
      .catch((e) => e);
    expect(setOp.code).toBe(422);
    expect(statusOf(setOp).message).toBe(
      'OverridePolicy.policy.karmada.io "x" is invalid: spec.overrideRules[0].overriders.plaintext[0].operator: Unsupported value: "set": supported values: "add", "remove", "replace"',
    );
    // Unknown fields are pruned silently; schema defaults are filled in.
    const created = await karmada.custom.createNamespacedCustomObject({
      ...PP,
      body: { apiVersion: 'policy.karmada.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'pruned' }, spec: { bogus: 1, resourceSelectors: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', extra: true }] } },
    });
    expect(created.spec.bogus).toBeUndefined();
    expect(created.spec.resourceSelectors[0]).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', name: 'c', namespace: 'default' });
    // karmada-webhook's mutations: default tolerations and a permanent id.
    expect(created.spec.placement.clusterTolerations.map((t: any) => t.key)).toEqual(['cluster.karmada.io/not-ready', 'cluster.karmada.io/unreachable']);
    expect(created.metadata.labels['propagationpolicy.karmada.io/permanent-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.spec).toMatchObject({ conflictResolution: 'Abort', preemption: 'Never', priority: 0, schedulerName: 'default-scheduler' });
    // Custom resources need a resourceVersion on PUT.
    const { metadata, ...rest } = created;
    const noRv = await karmada.custom.replaceNamespacedCustomObject({ ...PP, name: 'pruned', body: { ...rest, metadata: { name: metadata.name } } }).catch((e) => e);
    expect(statusOf(noRv).message).toContain('metadata.resourceVersion: Invalid value: 0: must be specified for an update');
    const deleted = await karmada.custom.deleteNamespacedCustomObject({ ...PP, name: 'pruned' });
    expect(deleted.kind).toBe('PropagationPolicy');
  });

  it('applies JSON patch (failing test -> 422), merge, strategic merge and server-side apply', async () => {
    const ns = 'default';
    // A Deployment of member1's own (the Karmada-managed copies are reverted by the controller).
    const own: V1Deployment = {
      metadata: { name: 'patchme' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'patchme' } }, template: { metadata: { labels: { app: 'patchme' } }, spec: { containers: [{ name: 'http-probe-app', image: 'ghcr.io/cmontemuino/http-probe-test-app:v0.5.0', env: [{ name: 'ROLLOUT_LABEL', value: 'v1' }] }] } } },
    };
    await member1.apps.createNamespacedDeployment({ namespace: ns, body: own });
    const failing = await member1.apps
      .patchNamespacedDeployment({ name: 'patchme', namespace: ns, body: [{ op: 'test', path: '/spec/replicas', value: 5 }, { op: 'replace', path: '/spec/replicas', value: 3 }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch))
      .catch((e) => e);
    expect(failing.code).toBe(422);
    expect(statusOf(failing)).toMatchObject({ reason: 'Invalid', details: { causes: [{ reason: 'UnexpectedServerResponse', message: 'testing value /spec/replicas failed: test failed' }] } });
    const scaled = await member1.apps.patchNamespacedDeployment(
      { name: 'patchme', namespace: ns, body: [{ op: 'test', path: '/spec/replicas', value: 2 }, { op: 'replace', path: '/spec/replicas', value: 3 }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(scaled.spec!.replicas).toBe(3);
    const merged = await member1.apps.patchNamespacedDeployment({ name: 'patchme', namespace: ns, body: { metadata: { annotations: { a: 'b' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(merged.metadata!.annotations!['a']).toBe('b');
    expect(merged.metadata!.generation).toBe(scaled.metadata!.generation);
    const smp = await member1.apps.patchNamespacedDeployment(
      { name: 'patchme', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'http-probe-app', env: [{ name: 'EXTRA', value: '1' }] }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(smp.spec!.template.spec!.containers[0]!.env).toEqual([
      { name: 'ROLLOUT_LABEL', value: 'v1' },
      { name: 'EXTRA', value: '1' },
    ]);
    expect(smp.spec!.template.spec!.containers[0]!.image).toBe('ghcr.io/cmontemuino/http-probe-test-app:v0.5.0');
    const applied = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'applied', namespace: ns, labels: { app: 'applied' } }, spec: { replicas: 1, selector: { matchLabels: { app: 'applied' } }, template: { metadata: { labels: { app: 'applied' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } } };
    const noManager = await member1.apps.patchNamespacedDeployment({ name: 'applied', namespace: ns, body: applied }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply)).catch((e) => e);
    expect(statusOf(noManager).message).toContain('fieldManager: Required value');
    const created = await member1.apps.patchNamespacedDeployment({ name: 'applied', namespace: ns, body: applied, fieldManager: 'rollgate' }, setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply));
    expect(created.metadata!.uid).toBeTruthy();
    const reapplied = await member1.apps.patchNamespacedDeployment(
      { name: 'applied', namespace: ns, body: { ...applied, metadata: { name: 'applied', namespace: ns } }, fieldManager: 'rollgate' },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    expect(reapplied.metadata!.uid).toBe(created.metadata!.uid);
    expect(reapplied.metadata!.labels).toBeUndefined();
    await member1.apps.deleteNamespacedDeployment({ name: 'applied', namespace: ns });
    await member1.apps.deleteNamespacedDeployment({ name: 'patchme', namespace: ns });
  });

  it('deletes a Deployment with a Success Status and garbage-collects its pods', async () => {
    const body: V1Deployment = { metadata: { name: 'short-lived' }, spec: { replicas: 2, selector: { matchLabels: { app: 'sl' } }, template: { metadata: { labels: { app: 'sl' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } } };
    await member1.apps.createNamespacedDeployment({ namespace: 'default', body });
    sim.reconcile();
    expect((await member1.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=sl' })).items).toHaveLength(2);
    const status = await member1.apps.deleteNamespacedDeployment({ name: 'short-lived', namespace: 'default' });
    expect(status).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'short-lived', group: 'apps', kind: 'deployments' } });
    sim.reconcile();
    expect((await member1.core.listNamespacedPod({ namespace: 'default', labelSelector: 'app=sl' })).items).toHaveLength(0);
  });
});
