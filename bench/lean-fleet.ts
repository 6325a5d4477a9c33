// A lean stand-in for the fleet, for benchmarks only: one HTTPS server that answers as the
// Karmada API server (/karmada), three member API servers (/member1..3) and a Prometheus per
// member (/prom/memberN). It keeps objects in a Map, does no controller work at all (every
// Deployment is reported fully rolled out and ready the moment it exists), answers every
// Prometheus query with fixed healthy values, and counts requests and TLS handshakes. It is
// fast enough that rollgate, not the fleet, is what a benchmark measures.
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { TLS_DIR } from '@rollgate/fleet-sim';

export const MEMBERS = ['member1', 'member2', 'member3'] as const;

type Obj = Record<string, any>;

export interface FleetWrite {
  server: string;
  plural: string;
  name: string;
  verb: string;
  /** performance.now() of this process when the write arrived. */
  at: number;
}

export interface FleetCounts {
  /** Requests per "server verb plural" (e.g. "karmada GET deployments", "member1 LIST pods", "prom query"). */
  requests: Record<string, number>;
  /** New TLS sessions (full handshakes) and TCP connections accepted. */
  tlsHandshakes: number;
  connections: number;
}

export const caPath = join(TLS_DIR, 'ca.crt');

export function createLeanFleet() {
  const objects = new Map<string, Obj>();
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let counts: FleetCounts = { requests: {}, tlsHandshakes: 0, connections: 0 };
  let resourceVersion = 1;
  const count = (key: string) => (counts.requests[key] = (counts.requests[key] ?? 0) + 1);
  const keyOf = (server: string, plural: string, namespace: string, name: string) => `${server}/${plural}/${namespace}/${name}`;

  function seedApp(name: string, namespace = 'default'): void {
    const labels = { app: name };
    objects.set(keyOf('karmada', 'deployments', namespace, name), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace, labels, resourceVersion: String(resourceVersion++), generation: 1 },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name, image: `example/${name}:v1`, env: [{ name: 'ROLLOUT_LABEL', value: 'v1' }] }] } },
      },
    });
  }

  const readyStatus = (obj: Obj) => {
    const replicas = obj.spec?.replicas ?? 1;
    return { replicas, readyReplicas: replicas, updatedReplicas: replicas, availableReplicas: replicas, observedGeneration: obj.metadata?.generation ?? 1 };
  };

  function binding(namespace: string, name: string): Obj | undefined {
    const deployment = name.replace(/-deployment$/, '');
    const template = objects.get(keyOf('karmada', 'deployments', namespace, deployment));
    if (!template) return undefined;
    const status = readyStatus(template);
    return {
      apiVersion: 'work.karmada.io/v1alpha2',
      kind: 'ResourceBinding',
      metadata: { name, namespace },
      status: { aggregatedStatus: MEMBERS.map((clusterName) => ({ clusterName, applied: true, status })) },
    };
  }

  /** A member's copy of a Karmada-propagated Deployment, ready. */
  function memberDeployment(namespace: string, name: string): Obj | undefined {
    const template = objects.get(keyOf('karmada', 'deployments', namespace, name));
    return template && { ...template, status: readyStatus(template) };
  }

  function pods(namespace: string, selector: string): Obj {
    const labels = Object.fromEntries(selector.split(',').filter(Boolean).map((kv) => kv.split('=')));
    const name = `${labels.app ?? 'pod'}-${labels.version ?? 'x'}-5d8f7c9b4-abcde`;
    return {
      apiVersion: 'v1',
      kind: 'PodList',
      metadata: {},
      items: [
        {
          metadata: { name, namespace, labels },
          status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }] },
        },
      ],
    };
  }

  function applyPatch(target: Obj, ops: Obj[]): boolean {
    for (const op of ops) {
      const keys = String(op.path).split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
      const last = keys.pop() as string;
      let node: any = target;
      for (const k of keys) node = node?.[Array.isArray(node) ? Number(k) : k];
      if (node === undefined || node === null) return false;
      if (op.op === 'test' && JSON.stringify(node[last]) !== JSON.stringify(op.value)) return false;
      if (op.op === 'replace' || op.op === 'add') node[last] = op.value;
      if (op.op === 'remove') delete node[last];
    }
    return true;
  }

  const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });

  function kube(server: string, method: string, rest: string[], query: URLSearchParams, body: Obj | undefined): [number, Obj] {
    // rest: api/v1/namespaces/NS/pods  or  apis/G/V/namespaces/NS/PLURAL[/NAME]
    const core = rest[0] === 'api';
    const [namespace, plural, name] = core ? [rest[3], rest[4], rest[5]] : [rest[4], rest[5], rest[6]];
    if (!namespace || !plural) return [404, status(404, 'NotFound', 'no such path')];
    const verb = method === 'GET' && !name ? 'LIST' : method;
    count(`${server} ${verb} ${plural}`);
    if (server !== 'karmada') {
      if (plural === 'pods' && verb === 'LIST') return [200, pods(namespace, query.get('labelSelector') ?? '')];
      if (plural === 'deployments' && verb === 'GET') {
        const found = memberDeployment(namespace, name as string);
        return found ? [200, found] : [404, status(404, 'NotFound', `deployments "${name}" not found`)];
      }
      if (plural === 'deployments' && verb === 'LIST') {
        const items = [...objects.entries()].filter(([k]) => k.startsWith(`karmada/deployments/${namespace}/`)).map(([, o]) => ({ ...o, status: readyStatus(o) }));
        return [200, { kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: String(resourceVersion) }, items }];
      }
      return [405, status(405, 'MethodNotAllowed', 'the lean fleet members are read-only')];
    }
    if (plural === 'resourcebindings') {
      if (verb === 'LIST') {
        const items = [...objects.entries()].filter(([k]) => k.startsWith(`karmada/deployments/${namespace}/`)).map(([, o]) => binding(namespace, `${o.metadata.name}-deployment`));
        return [200, { kind: 'ResourceBindingList', apiVersion: 'work.karmada.io/v1alpha2', metadata: { resourceVersion: String(resourceVersion) }, items }];
      }
      const found = binding(namespace, name as string);
      return found ? [200, found] : [404, status(404, 'NotFound', `resourcebindings "${name}" not found`)];
    }
    if (verb === 'LIST') {
      const items = [...objects.entries()].filter(([k]) => k.startsWith(`karmada/${plural}/${namespace}/`)).map(([, o]) => o);
      return [200, { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: String(resourceVersion) }, items }];
    }
    const target = name ?? body?.metadata?.name;
    const key = keyOf('karmada', plural, namespace, String(target));
    const live = objects.get(key);
    const written = (obj: Obj): Obj => {
      obj.metadata.resourceVersion = String(resourceVersion++);
      objects.set(key, obj);
      events.emit('write', { server, plural, name: obj.metadata.name, verb, at: performance.now() } satisfies FleetWrite);
      return obj;
    };
    switch (method) {
      case 'GET':
        return live ? [200, live] : [404, status(404, 'NotFound', `${plural} "${target}" not found`)];
      case 'POST':
        if (live) return [409, status(409, 'AlreadyExists', `${plural} "${target}" already exists`)];
        return [201, written({ ...body, metadata: { ...body?.metadata, generation: 1 } })];
      case 'PUT':
        if (!live) return [404, status(404, 'NotFound', `${plural} "${target}" not found`)];
        if (body?.metadata?.resourceVersion !== live.metadata.resourceVersion) return [409, status(409, 'Conflict', 'the object has been modified')];
        return [200, written({ ...body, metadata: { ...body?.metadata, generation: (live.metadata.generation ?? 1) + 1 } })];
      case 'PATCH': {
        if (!live) return [404, status(404, 'NotFound', `${plural} "${target}" not found`)];
        const copy = structuredClone(live);
        if (!applyPatch(copy, Array.isArray(body) ? body : [])) return [422, status(422, 'Invalid', 'the patch test failed')];
        copy.metadata.generation = (live.metadata.generation ?? 1) + 1;
        return [200, written(copy)];
      }
      case 'DELETE':
        if (!live) return [404, status(404, 'NotFound', `${plural} "${target}" not found`)];
        objects.delete(key);
        events.emit('write', { server, plural, name: String(target), verb, at: performance.now() } satisfies FleetWrite);
        return [200, status(200, 'Success', 'deleted')];
    }
    return [405, status(405, 'MethodNotAllowed', method)];
  }

  /** Fixed healthy answers: 100 % success, 120 ms p99, 0 for anything else. */
  function prometheus(query: string): Obj {
    count('prom query');
    const value = query.includes('histogram_quantile') ? '120' : query.includes('code!~') || query.includes('response_code!~') ? '100' : '0';
    return { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, value] }] } };
  }

  const server = https.createServer({ cert: readFileSync(join(TLS_DIR, 'server.crt')), key: readFileSync(join(TLS_DIR, 'server.key')) }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'https://fleet');
      const [server, ...rest] = url.pathname.split('/').filter(Boolean);
      let answer: [number, Obj];
      if (server === 'prom') answer = [200, prometheus(url.searchParams.get('query') ?? '')];
      else if (server && (server === 'karmada' || (MEMBERS as readonly string[]).includes(server))) {
        let body: Obj | undefined;
        try {
          body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
        } catch {
          body = undefined;
        }
        answer = kube(server, request.method ?? 'GET', rest, url.searchParams, body);
      } else answer = [404, status(404, 'NotFound', 'no such path')];
      const text = JSON.stringify(answer[1]);
      response.writeHead(answer[0], { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      response.end(text);
    });
  });
  server.keepAliveTimeout = 120_000;
  server.on('secureConnection', () => counts.tlsHandshakes++);
  server.on('connection', () => counts.connections++);

  let port = 0;
  return {
    events,
    seedApp,
    objects,
    async listen(): Promise<number> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
      return port;
    },
    get url() {
      return `https://127.0.0.1:${port}`;
    },
    prometheusUrl: (cluster: string) => `https://127.0.0.1:${port}/prom/${cluster}`,
    kubeconfig(): string {
      const ca = readFileSync(caPath).toString('base64');
      const servers = ['karmada-apiserver', ...MEMBERS];
      const prefix = (name: string) => (name === 'karmada-apiserver' ? 'karmada' : name);
      return JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: servers.map((name) => ({ name, cluster: { server: `https://127.0.0.1:${port}/${prefix(name)}`, 'certificate-authority-data': ca } })),
        users: [{ name: 'bench', user: { token: 'bench-token' } }],
        contexts: servers.map((name) => ({ name, context: { cluster: name, user: 'bench', namespace: 'default' } })),
        'current-context': 'karmada-apiserver',
      });
    },
    /** Counters since the last reset (a copy). */
    counts(): FleetCounts {
      return structuredClone(counts);
    },
    reset(): void {
      objects.clear();
      counts = { requests: {}, tlsHandshakes: 0, connections: 0 };
    },
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type LeanFleet = ReturnType<typeof createLeanFleet>;
