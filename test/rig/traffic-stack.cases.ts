// Issue 9, item 6: whole-stack e2e of traffic-weighted canaries through Slack (the emulator),
// against the rig's REAL API servers (member1, member2, and karmada-apiserver with Karmada's
// CRDs) and a REAL Prometheus, in both fleet modes. The rig has no kubelet, no Karmada
// controllers and no mesh of its own; the harness stands in for each, and says so:
// - kubelet.mjs (shared/k8s-rig) marks the pods the real controller-managers create Ready;
// - karmada-standin.ts propagates templates, applies OverridePolicies and writes
//   ResourceBinding status, as Karmada's controllers would (Karmada mode only);
// - a feeder serves every live pod of the members through the pod metrics exporter, which the
//   real Prometheus scrapes every 250 ms: pods of a version containing "bad" answer 50 % 5xx,
//   the others 2 %. The VirtualService weights are checked on the objects, not measured.
// Registered in real-apiserver.test.ts: the rig's ports are fixed, so every rig case shares
// one rig start in that one file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoadTester, type LoadTester } from '@rollgate/fleet-sim';
import { configDocument } from '../fixtures/config.js';
import { waitFor } from '../e2e/stack.js';
import { startPodMetricsExporter, type PodMetricsExporter, type PodTraffic } from '../support/pod-metrics-exporter.js';
import { prometheusAvailable, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { startKarmadaStandIn, type KarmadaStandIn } from './karmada-standin.js';
import { RIG_DIR } from './rig.js';
import { collectionPath, rigRest, type Json, type RigRest } from './rig-rest.js';
import { startRigStack, type RigStack } from './rig-stack.js';

const CLUSTERS = ['member1', 'member2'];
const NS = 'default';
const KUBELET = resolve(import.meta.dirname, '../../../shared/k8s-rig/kubelet.mjs');
const SETPRIV = '/usr/bin/setpriv';
const APPROVE = 'rollout_approve';
const DEPLOYMENTS = collectionPath('apps/v1', 'deployments', NS);
const SERVICES = collectionPath('v1', 'services', NS);
const VIRTUAL_SERVICES = collectionPath('networking.istio.io/v1', 'virtualservices', NS);
const POLICIES = (plural: string) => collectionPath('policy.karmada.io/v1alpha1', plural, NS);

/** The app's own objects, as its owner wrote them: base Deployment (v1, 2 replicas), stable Service, VirtualService. */
function ownObjects(name: string): Json[] {
  const labels = { app: name };
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: NS, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name, image: 'ghcr.io/cmontemuino/http-probe-test-app:v0.5.0', env: [{ name: 'ROLLOUT_LABEL', value: 'v1' }] }] } },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS, labels }, spec: { selector: labels, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] } },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name, namespace: NS, annotations: { 'team.example/owner': 'payments' } },
      spec: {
        hosts: [name],
        http: [
          { name: 'health', match: [{ uri: { prefix: '/healthz' } }], route: [{ destination: { host: name, port: { number: 8080 } } }] },
          { name: 'primary', retries: { attempts: 3 }, route: [{ destination: { host: `${name}.${NS}.svc.cluster.local`, port: { number: 8080 } }, headers: { response: { set: { 'x-track': 'stable' } } } }] },
        ],
      },
    },
  ];
}

const pathOf = (obj: Json) => (obj.kind === 'Deployment' ? DEPLOYMENTS : obj.kind === 'Service' ? SERVICES : VIRTUAL_SERVICES);

/** The app entry of rollgate's config: istio provider on the VirtualService's `primary` route, 10 → 50 %, 2 s intervals. */
function appEntry(name: string, webhooks: unknown[]): Record<string, any> {
  const base = configDocument().apps[0];
  return {
    ...base,
    name,
    deployment: name,
    container: name,
    clusters: CLUSTERS,
    strategy: 'per-cluster',
    canary: { replicas: 1, traffic: { provider: 'istio', stepWeight: 10, maxWeight: 50, service: name, port: 8080, virtualService: name, route: 'primary' } },
    analysis: { interval: '2s', iterations: 1, failureLimit: 2, metrics: [{ name: 'request-success-rate', min: 95 }], webhooks },
  };
}

/** The weight each summary reports per cluster, oldest first ("member1 10"), repeats of a held interval left out. */
function walks(s: RigStack, id: string): Record<string, number[]> {
  const seen: Record<string, number[]> = Object.fromEntries(CLUSTERS.map((c) => [c, []]));
  for (const summary of s.thread(id).filter((m) => m.text.startsWith('Analysis #'))) {
    for (const part of JSON.stringify(summary.blocks ?? []).split('*member').slice(1)) {
      const match = /^(\d)\*.*?canary at (\d+) % of traffic/.exec(part);
      const list = match ? seen[`member${match[1]}`] : undefined;
      if (list && match && list.at(-1) !== Number(match[2])) list.push(Number(match[2]));
    }
  }
  return seen;
}

/** An object as its server stores it, without what any write changes (resourceVersion, generation, managedFields). */
function asStored(obj: Json | undefined): string {
  if (!obj) return 'absent';
  const { resourceVersion: _r, generation: _g, managedFields: _m, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

const envVersion = (deployment: Json | undefined) => deployment?.spec?.template?.spec?.containers?.[0]?.env?.find((e: Json) => e.name === 'ROLLOUT_LABEL')?.value as string | undefined;

/** Every live pod of the members, as the pods would serve: 10 requests/s, 20 ms, 50 % 5xx for a "bad" version, else 2 %. */
function podTraffic(pods: Json[]): PodTraffic[] {
  return pods
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => {
      const hash = p.metadata.labels?.['pod-template-hash'];
      const owner = (p.metadata.ownerReferences ?? []).find((o: Json) => o.kind === 'ReplicaSet')?.name as string | undefined;
      const version = (p.spec.containers[0]?.env ?? []).find((e: Json) => e.name === 'ROLLOUT_LABEL')?.value ?? '';
      return {
        namespace: p.metadata.namespace,
        pod: p.metadata.name,
        workload: owner && hash ? owner.slice(0, -(hash.length + 1)) : p.metadata.name,
        requestsPerSecond: 10,
        errorShare: version.includes('bad') ? 0.5 : 0.02,
        latencies: [{ seconds: 0.02, share: 1 }],
      };
    });
}

export function trafficStackCases(): void {
  describe.skipIf(!prometheusAvailable)('whole stack through Slack, real API servers and a real Prometheus (issue 9)', () => {
    let kubelet: ChildProcess | undefined;
    let exporter: PodMetricsExporter;
    let prometheus: RunningPrometheus;
    let members: Record<string, RigRest>;
    let karmada: RigRest;
    let feeding = true;
    let feeder: Promise<void> = Promise.resolve();

    beforeAll(async () => {
      const args = [KUBELET, ...CLUSTERS];
      const env = { ...process.env, RIG: RIG_DIR, READY_DELAY_MS: '200' };
      kubelet = existsSync(SETPRIV) ? spawn(SETPRIV, ['--pdeathsig', 'TERM', process.execPath, ...args], { env, stdio: 'ignore' }) : spawn(process.execPath, args, { env, stdio: 'ignore' });
      members = Object.fromEntries(CLUSTERS.map((c) => [c, rigRest(c)]));
      karmada = rigRest('karmada-apiserver');
      exporter = await startPodMetricsExporter([]);
      prometheus = await startPrometheus({ targets: [exporter.target], scrapeInterval: '250ms' });
      feeder = (async () => {
        while (feeding) {
          const pods = await Promise.all(CLUSTERS.map((c) => members[c]!.list(collectionPath('v1', 'pods', NS)).catch(() => [])));
          exporter.setPods(podTraffic(pods.flat()));
          await new Promise((r) => setTimeout(r, 300));
        }
      })();
    }, 60_000);

    afterAll(async () => {
      feeding = false;
      await feeder;
      if (kubelet?.pid) kubelet.kill('SIGTERM');
      await prometheus?.stop();
      await exporter?.close();
      for (const api of [...Object.values(members ?? {}), karmada]) api?.close();
    }, 60_000);

    describe.each(['karmada', 'direct'] as const)('%s mode', (mode) => {
      const suffix = mode === 'karmada' ? 'k' : 'd';
      const walk = `walk-${suffix}`;
      const bad = `bad-${suffix}`;
      const hooked = `hook-${suffix}`;
      let s: RigStack;
      let standIn: KarmadaStandIn | undefined;
      let lt: LoadTester;
      let failing: LoadTester;

      const memberObject = (cluster: string, path: string, name: string) => members[cluster]!.request('GET', `${path}/${name}`);
      /** Each member's VirtualService, as stored; in Karmada mode also the template, resourceVersion included (never written). */
      const routes = async (name: string): Promise<Record<string, string>> => {
        const each = await Promise.all(CLUSTERS.map(async (c) => [c, asStored(await memberObject(c, VIRTUAL_SERVICES, name))] as const));
        const template = mode === 'karmada' ? [['template', JSON.stringify(await karmada.request('GET', `${VIRTUAL_SERVICES}/${name}`))] as const] : [];
        return Object.fromEntries([...each, ...template]);
      };
      /** Nothing of the rollout left: routes as before, no canary Deployment or Service, the base at v1, no rollgate policy. */
      const cleanedUp = async (name: string, before: Record<string, string>): Promise<boolean> => {
        if (JSON.stringify(await routes(name)) !== JSON.stringify(before)) return false;
        for (const c of CLUSTERS) {
          if ((await memberObject(c, DEPLOYMENTS, `${name}-canary`)) || (await memberObject(c, SERVICES, `${name}-canary`))) return false;
          if (envVersion(await memberObject(c, DEPLOYMENTS, name)) !== 'v1') return false;
        }
        if (mode === 'karmada') {
          for (const plural of ['overridepolicies', 'propagationpolicies']) {
            const left = (await karmada.list(POLICIES(plural))).filter((p) => p.metadata.name.startsWith(`${name}-`) && p.metadata.name !== `${name}-base`);
            if (left.length > 0) return false;
          }
        }
        return true;
      };

      beforeAll(async () => {
        for (const name of [walk, bad, hooked]) {
          if (mode === 'karmada') {
            for (const obj of ownObjects(name)) await karmada.request('POST', pathOf(obj), obj);
            const selectors = ownObjects(name).map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name }));
            await karmada.request('POST', POLICIES('propagationpolicies'), {
              apiVersion: 'policy.karmada.io/v1alpha1',
              kind: 'PropagationPolicy',
              metadata: { name: `${name}-base`, namespace: NS },
              spec: { resourceSelectors: selectors, placement: { clusterAffinity: { clusterNames: CLUSTERS } } },
            });
          } else {
            for (const c of CLUSTERS) for (const obj of ownObjects(name)) await members[c]!.request('POST', pathOf(obj), obj);
          }
        }
        if (mode === 'karmada') standIn = startKarmadaStandIn({ karmada, members, namespace: NS, only: (name) => [walk, bad, hooked].some((app) => name === app || name.startsWith(`${app}-`)) });
        await waitFor('every base Deployment ready in every member', async () => {
          for (const c of CLUSTERS) for (const name of [walk, bad, hooked]) if ((await memberObject(c, DEPLOYMENTS, name))?.status?.readyReplicas !== 2) return false;
          return true;
        });
        lt = createLoadTester();
        failing = createLoadTester();
        const [url, failingUrl] = [await lt.listen(0), await failing.listen(0)];
        const loadTest = (base: string, name: string) => ({ name: 'load-test', type: 'rollout', url: `${base}/`, timeout: '5s', metadata: { cmd: `hey -z 1m -q 10 -c 2 http://${name}-canary.${NS}:8080/` } });
        failing.setFault({ path: '/', status: 500, body: 'hey: connection refused' });
        s = await startRigStack({
          mode,
          clusters: CLUSTERS,
          prometheusUrl: prometheus.url,
          apps: [
            appEntry(walk, [
              loadTest(url, walk),
              { name: 'qa-signoff', type: 'confirm-promotion', url: `${url}/gate/check` },
              { name: 'manual-rollback', type: 'rollback', url: `${url}/rollback/check` },
            ]),
            appEntry(bad, []),
            appEntry(hooked, [loadTest(failingUrl, hooked)]),
          ],
        });
      }, 180_000);

      afterAll(async () => {
        await s?.stop();
        await standIn?.stop();
        await lt?.close();
        await failing?.close();
      }, 60_000);

      it('walks every cluster 10 → 50 % through a worker SIGKILL (each step once); confirm-promotion holds Approve; the rollback hook rolls back and every route is as before', async () => {
        const before = await routes(walk);
        expect(before.member1).toContain('team.example/owner');
        const id = await s.start(walk, 'v2');
        await waitFor('weight 20 written', async () => (await s.auditCount(id, 'TrafficShifted')) >= 2);
        await s.killWorker();
        const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'));

        expect(walks(s, id)).toEqual({ member1: [10, 20, 30, 40, 50], member2: [10, 20, 30, 40, 50] });
        expect(await s.auditCount(id, 'TrafficShifted')).toBe(5);
        // What each member's mesh would route by: the user's route at 50 / 50 with rollgate's canary Service.
        await standIn?.settled();
        for (const c of CLUSTERS) {
          const vs = await memberObject(c, VIRTUAL_SERVICES, walk);
          expect(vs?.spec.http[1].route.map((d: Json) => `${d.destination.host} ${d.weight}`)).toEqual([`${walk}.${NS}.svc.cluster.local 50`, `${walk}-canary 50`]);
          expect(vs?.spec.http[0]).toEqual(JSON.parse(before[c] as string).spec.http[0]);
          expect((await memberObject(c, SERVICES, `${walk}-canary`))?.spec.selector).toEqual({ app: walk, 'rollgate.dev/track': 'canary' });
        }
        if (mode === 'karmada') {
          expect(JSON.stringify(await karmada.request('GET', `${VIRTUAL_SERVICES}/${walk}`))).toBe(before.template); // the template is never written
          const override = await karmada.request('GET', `${POLICIES('overridepolicies')}/${walk}-traffic-override`);
          expect(override?.spec.overrideRules.map((r: Json) => r.targetCluster.clusterNames.join())).toEqual(CLUSTERS);
        }
        // The rollout hook ran per cluster with Flagger's payload.
        const call = lt.calls().find((c) => c.path === '/' && c.payload?.metadata?.cluster === 'member2');
        expect(call?.payload).toMatchObject({ name: walk, namespace: NS, phase: 'Progressing', metadata: { cluster: 'member2', cmd: expect.stringContaining('hey') } });

        // confirm-promotion holds the gate: Approve is refused with the hook's name until it answers 2xx.
        const leadBefore = s.ephemeralsOf('U0LEAD').length;
        await s.click('U0LEAD', gate.ts, APPROVE);
        const refusal = await waitFor('the refusal', () => s.ephemeralsOf('U0LEAD').slice(leadBefore).find((t) => t.includes('held by')));
        expect(refusal).toContain('confirm-promotion webhook "qa-signoff" for member1 (HTTP 403: Forbidden');
        expect(envVersion(await memberObject('member1', DEPLOYMENTS, walk))).toBe('v1');
        await fetch(`${lt.url()}/gate/open`, { method: 'POST', body: JSON.stringify({ name: walk, namespace: NS }) });
        await waitFor('the gate back with its buttons', () => JSON.stringify(s.message(gate.ts)?.blocks ?? []).includes(APPROVE));
        await s.click('U0LEAD', gate.ts, APPROVE);
        await waitFor('the approval', () => s.message(gate.ts)?.text.includes('approved by'));
        await waitFor('member1 promoted: its base runs v2', async () => envVersion(await memberObject('member1', DEPLOYMENTS, walk)) === 'v2');
        expect(envVersion(await memberObject('member2', DEPLOYMENTS, walk))).toBe('v1');

        // The rollback hook answers 2xx: rollgate rolls back, names it, and leaves nothing of its own.
        await fetch(`${lt.url()}/rollback/open`, { method: 'POST', body: JSON.stringify({ name: walk, namespace: NS }) });
        const notice = await waitFor('the rollback notice', () => s.channel().find((m) => m.text.includes('rolled back automatically') && m.text.includes('manual-rollback')));
        expect(notice.text).toMatch(/the rollback webhook "manual-rollback" answered HTTP 200 in member\d/);
        await waitFor('the rollout rolled back', () => s.rootOf(id)?.text.includes('Rolled back'));
        await waitFor('every route byte for byte as before, canaries gone, member1 back at v1', () => cleanedUp(walk, before));
        expect(await s.auditCount(id, 'TrafficShifted')).toBe(5);
      });

      it('a bad version and a failing rollout hook, side by side: each rolled back at the first weight, every route byte for byte as before', async () => {
        const before = { bad: await routes(bad), hooked: await routes(hooked) };
        const badId = await s.start(bad, 'v2-bad');
        const hookId = await s.start(hooked, 'v2');
        await waitFor('both rolled back', () => s.rootOf(badId)?.text.includes('Rolled back') && s.rootOf(hookId)?.text.includes('Rolled back'));
        // The channel hears each, in its own words (the notice follows the root's update).
        const notice = (id: string) => waitFor(`the notice of ${id}`, () => s.channel().find((m) => m.text.includes('rolled back automatically') && m.text.includes(`\`${id}\``)));
        expect((await notice(badId)).text).toMatch(/request-success-rate failed in member\d: 2 of 2 allowed failed checks/);
        expect((await notice(hookId)).text).toMatch(/webhook:load-test failed in member\d: 2 of 2 allowed failed checks/);
        for (const id of [badId, hookId]) {
          expect(walks(s, id)).toEqual({ member1: [10], member2: [10] });
          expect(await s.auditCount(id, 'TrafficShifted')).toBe(1);
        }
        expect(failing.calls().filter((c) => c.path === '/').every((c) => c.status === 500)).toBe(true);
        await waitFor('the bad version cleaned up', () => cleanedUp(bad, before.bad));
        await waitFor('the hooked version cleaned up', () => cleanedUp(hooked, before.hooked));
      });
    });
  });
}
