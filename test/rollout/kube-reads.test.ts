// Kubernetes reads per tick (issue 13): the rollouts of one namespace share one LIST of its
// pods per cluster and window, each still judged on its own pods; Karmada's pods-ready comes
// from the ResourceBinding alone; and a canary's first write waits for one round trip of
// reads, not three. Counted on the wire, against API servers over HTTPS on port 0.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KubeConfig, type V1Deployment } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { buildKubeconfig, TLS_DIR as TLS } from '@rollgate/fleet-sim';
import type { AppConfig } from '../../rollout/config.js';
import { connectCluster, type ClusterApi } from '../../rollout/kube/cluster-api.js';
import { createDirectFleet } from '../../rollout/kube/direct-fleet.js';
import { createKarmadaFleet } from '../../rollout/kube/karmada-fleet.js';
import { canaryDeployment, canaryPropagationPolicy } from '../../rollout/kube/objects.js';
import { createKubeHealthSource } from '../../rollout/metrics/kube-health.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { createFakeClock } from '../support/fake-clock.js';

type Obj = Record<string, any>;
type Answer = [number, Obj];

interface FakeServer {
  api: ClusterApi;
  /** "METHOD path?query" of every request, in arrival order. */
  requests: string[];
}

const servers: https.Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** One API server; `answer` may hold a request by returning a promise. */
async function fakeApiServer(answer: (method: string, url: URL, body: Obj | undefined) => Answer | Promise<Answer>, clock: () => number = Date.now): Promise<FakeServer> {
  const requests: string[] = [];
  const server = https.createServer({ cert: readFileSync(join(TLS, 'server.crt')), key: readFileSync(join(TLS, 'server.key')) }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', async () => {
      const url = new URL(request.url ?? '/', 'https://api');
      requests.push(`${request.method} ${url.pathname}${url.search}`);
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Obj) : undefined;
      const [status, obj] = await answer(request.method ?? 'GET', url, body);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromString(
    buildKubeconfig({ baseUrl: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem: readFileSync(join(TLS, 'ca.crt'), 'utf8'), token: 'test-token', servers: [['member1', '']] }),
  );
  return { api: connectCluster({ kubeconfig, context: 'member1', cluster: 'member1', clock }), requests };
}

const notFound: Answer = [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: 'not found' }];

const APPS = Array.from({ length: 10 }, (_, i) => `shop-${i}`);

function appsConfig(mode: 'karmada' | 'direct'): AppConfig[] {
  const config = testConfig((doc) => {
    doc.fleet.mode = mode;
    const [template] = doc.apps;
    doc.apps = APPS.map((name, i) => ({
      ...template,
      name,
      deployment: name,
      container: name,
      channel: `C0SHOP${i}`,
      analysis: { interval: '10s', iterations: 5, metrics: [{ name: 'pod-restarts', max: 100 }, { name: 'pods-not-ready', max: 0 }] },
    }));
  });
  return config.apps;
}

/** A pod of the Deployment `workload`'s ReplicaSet `hash`, running `version`, as a controller makes it. */
function pod(app: AppConfig, workload: string, hash: string, version: string, restarts = 0, ready = true): Obj {
  return {
    metadata: {
      name: `${workload}-${hash}-x${restarts}`,
      namespace: app.namespace,
      labels: { app: app.name, 'pod-template-hash': hash },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${workload}-${hash}`, uid: `${workload}-${hash}`, controller: true }],
    },
    spec: { containers: [{ name: app.container, image: `example/${app.name}:x`, env: [{ name: 'ROLLOUT_LABEL', value: version }] }] },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: [{ name: app.container, ready, restartCount: restarts, image: 'x', imageID: 'x', state: { running: {} } }] },
  };
}

/** A rollout of v2 analysing its canary in member1, seen ready at `readyAt`. */
function analysing(app: AppConfig, readyAt: number): Rollout {
  const rollout = newRollout({ id: `${app.name}-1`, app, version: 'v2', requester: 'U0DEV', nowMs: 0 });
  const member1 = rollout.cluster.member1 as Rollout['cluster'][string];
  return { ...rollout, phase: 'analysing', cluster: { ...rollout.cluster, member1: { ...member1, canary: 'deployed', readyAt } } };
}

const podLists = (requests: string[]) => requests.filter((r) => r.startsWith('GET /api/v1/namespaces/default/pods'));

describe('pod reads shared by the rollouts of a namespace', () => {
  it('ten rollouts tick in one window with one LIST of the namespace between them, each judged on its own pods', async () => {
    const clock = createFakeClock(1_000_000);
    const apps = appsConfig('direct');
    // Each app's canary has i restarts; its base and an older canary of the same app (other hash) have many.
    const pods = apps.flatMap((app, i) => [pod(app, `${app.name}-canary`, 'new', 'v2', i), pod(app, `${app.name}-canary`, 'old', 'v1', 50), pod(app, app.name, 'base', 'v1', 70)]);
    const { api, requests } = await fakeApiServer((_, url) => (url.pathname.endsWith('/pods') ? [200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: pods }] : notFound), clock.now);
    const source = createKubeHealthSource({ members: { member1: api }, mode: 'direct' });
    const rollouts = apps.map((app) => analysing(app, clock.now()));

    const measure = (i: number) => source.measure(rollouts[i] as Rollout, apps[i] as AppConfig, 'member1', (apps[i] as AppConfig).analysis.metrics);
    // Half of them at the same moment, the rest spread over the next 4 s (ticks are staggered).
    const first = await Promise.all([0, 1, 2, 3, 4].map(measure));
    const later = [];
    for (const i of [5, 6, 7, 8, 9]) {
      clock.advance(800);
      later.push(await measure(i));
    }
    expect([...first, ...later].map(([sample]) => sample?.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // One LIST of the namespace, no label selector, no Deployment read.
    expect(requests).toEqual(['GET /api/v1/namespaces/default/pods']);

    // Past half the interval, the next tick lists again.
    clock.advance(1_001);
    expect((await measure(0))[0]?.value).toBe(0);
    expect(podLists(requests)).toHaveLength(2);
  });

  it('a list taken before a canary was seen ready does not serve it', async () => {
    const clock = createFakeClock(1_000_000);
    const [app, other] = appsConfig('direct') as [AppConfig, AppConfig];
    const pods = [pod(other, `${other.name}-canary`, 'new', 'v2', 1)];
    const { api, requests } = await fakeApiServer(() => [200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [...pods] }], clock.now);
    const source = createKubeHealthSource({ members: { member1: api }, mode: 'direct' });
    await source.measure(analysing(other, clock.now()), other, 'member1', other.analysis.metrics);

    clock.advance(100);
    pods.push(pod(app, `${app.name}-canary`, 'new', 'v2', 3)); // its canary became ready after that list
    const [sample] = await source.measure(analysing(app, clock.now()), app, 'member1', app.analysis.metrics);
    expect(sample?.value).toBe(3);
    expect(podLists(requests)).toHaveLength(2);
  });

  it('a LIST that failed is not kept: the tick holds as an outage, the next one lists again', async () => {
    const clock = createFakeClock(1_000_000);
    const [app] = appsConfig('direct') as [AppConfig];
    let calls = 0;
    const { api, requests } = await fakeApiServer(
      () => (++calls === 1 ? [503, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 503, message: 'etcd is down' }] : [200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [pod(app, `${app.name}-canary`, 'new', 'v2', 2)] }]),
      clock.now,
    );
    const source = createKubeHealthSource({ members: { member1: api }, mode: 'direct' });
    const rollout = analysing(app, clock.now());
    expect((await source.measure(rollout, app, 'member1', app.analysis.metrics))[0]).toMatchObject({ value: null, outage: true });
    expect((await source.measure(rollout, app, 'member1', app.analysis.metrics))[0]).toMatchObject({ value: 2 });
    expect(podLists(requests)).toHaveLength(2);
  });

  it('direct mode: pods ready and the pod signals of a tick come from the same one LIST', async () => {
    const clock = createFakeClock(1_000_000);
    const [app] = appsConfig('direct') as [AppConfig];
    const items = [pod(app, `${app.name}-canary`, 'new', 'v2', 0, true), pod(app, `${app.name}-canary`, 'new', 'v2', 1, false), pod(app, app.name, 'base', 'v1')];
    const { api, requests } = await fakeApiServer(() => [200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items }], clock.now);
    const fleet = createDirectFleet({ clusters: { member1: api } });
    const source = createKubeHealthSource({ members: { member1: api }, mode: 'direct' });
    const rollout = analysing(app, clock.now());
    const [ready, measured] = await Promise.all([fleet.podsReady(rollout, app, ['member1']), source.measure(rollout, app, 'member1', app.analysis.metrics)]);
    expect(ready).toEqual({ member1: { ready: 1, total: 2 } });
    expect(measured.find((m) => m.metric === 'pods-not-ready')?.value).toBe(1);
    expect(requests).toEqual(['GET /api/v1/namespaces/default/pods']);
  });
});

describe('Karmada mode', () => {
  const [app] = appsConfig('karmada') as [AppConfig];
  const base = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app.deployment, namespace: 'default', resourceVersion: '1' },
    spec: { replicas: 2, selector: { matchLabels: { app: app.name } }, template: { metadata: { labels: { app: app.name } }, spec: { containers: [{ name: app.container, image: 'x', env: [{ name: 'ROLLOUT_LABEL', value: 'v1' }] }] } } },
  };

  it('pods ready per tick: one read of the canary ResourceBinding, nothing else', async () => {
    // per-cluster: one region-wide canary in every member (seed Demo 2).
    const binding = {
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name: `${app.deployment}-canary-deployment`, namespace: 'default' },
      spec: { replicas: 2 },
      status: { aggregatedStatus: [{ clusterName: 'member1', applied: true, status: { replicas: 2, readyReplicas: 1 } }] },
    };
    const { api, requests } = await fakeApiServer((_, url) => (url.pathname.endsWith(`/resourcebindings/${binding.metadata.name}`) ? [200, binding] : notFound));
    const fleet = createKarmadaFleet({ karmada: api });
    expect(await fleet.podsReady(analysing(app, 0), app, ['member1'])).toEqual({ member1: { ready: 1, total: 2 } });
    expect(requests).toEqual([`GET /apis/work.karmada.io/v1alpha2/namespaces/default/resourcebindings/${binding.metadata.name}`]);
  });

  it('deploy canary: the base, the live canary and its policy are read together, then the same two objects are written in order', async () => {
    const held: (() => void)[] = [];
    const written: Obj[] = [];
    const { api, requests } = await fakeApiServer(async (method, url, body) => {
      if (method === 'GET' && held.length < 3) {
        // The first three reads are answered only once all three have arrived: read one by one, this would never finish.
        await new Promise<void>((resolve) => {
          held.push(resolve);
          if (held.length === 3) for (const release of held) release();
        });
      }
      if (method === 'GET') return url.pathname.endsWith(`/deployments/${app.deployment}`) ? [200, base] : notFound;
      if (method === 'POST') {
        written.push(body as Obj);
        return [201, body as Obj];
      }
      return notFound; // DELETE of the other clusters' (absent) canaries
    });
    const fleet = createKarmadaFleet({ karmada: api });
    // canary-first: a canary of its own in member1 (seed Demo 1); the other members' are removed.
    const rollout = newRollout({ id: `${app.name}-1`, app, version: 'v2', requester: 'U0DEV', strategy: 'canary-first', nowMs: 0 });
    await fleet.setCanaries(rollout, app, ['member1']);

    const deployment = canaryDeployment(app, base as V1Deployment, rollout.id, 'v2', 'member1');
    expect(written).toEqual([deployment, canaryPropagationPolicy(app, rollout.id, deployment.metadata.name, ['member1'])]);
    const firstWrite = requests.findIndex((r) => r.startsWith('POST'));
    expect(requests.slice(0, firstWrite).every((r) => r.startsWith('GET'))).toBe(true);
    expect(firstWrite).toBe(3);
  }, 30_000);
});
