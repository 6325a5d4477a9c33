// One cluster's API, reached through a kubeconfig context, with every failure turned into
// a FleetError. Karmada objects and Deployments go through the same generic object calls.
import type { Agent } from 'node:http';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { FleetError, type FleetErrorCode } from './fleet.js';
import type { KubeObject } from './objects.js';
import { sharePodLists, type PodFreshness } from './shared-pod-lists.js';

export interface Resource {
  group: string;
  version: string;
  plural: string;
}

export const DEPLOYMENTS: Resource = { group: 'apps', version: 'v1', plural: 'deployments' };
export const PROPAGATION_POLICIES: Resource = { group: 'policy.karmada.io', version: 'v1alpha1', plural: 'propagationpolicies' };
export const OVERRIDE_POLICIES: Resource = { group: 'policy.karmada.io', version: 'v1alpha1', plural: 'overridepolicies' };
export const RESOURCE_BINDINGS: Resource = { group: 'work.karmada.io', version: 'v1alpha2', plural: 'resourcebindings' };
/** The core group (no /apis prefix); rollgate writes Services only for canary.traffic. */
export const SERVICES: Resource = { group: '', version: 'v1', plural: 'services' };

export const resourceOf = (obj: KubeObject): Resource => {
  if (obj.kind === 'Deployment') return DEPLOYMENTS;
  if (obj.kind === 'PropagationPolicy') return PROPAGATION_POLICIES;
  if (obj.kind === 'OverridePolicy') return OVERRIDE_POLICIES;
  if (obj.kind === 'Service') return SERVICES;
  throw new FleetError('misconfigured', `rollgate does not write ${obj.kind}`);
};

export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: unknown;
}

export interface ClusterApi {
  readonly cluster: string;
  get<T = KubeObject>(resource: Resource, namespace: string, name: string): Promise<T | undefined>;
  create(resource: Resource, obj: KubeObject): Promise<KubeObject>;
  replace(resource: Resource, obj: KubeObject): Promise<KubeObject>;
  jsonPatch(resource: Resource, namespace: string, name: string, ops: JsonPatchOp[]): Promise<KubeObject>;
  /** Deletes; a missing object counts as deleted (404 is success). */
  remove(resource: Resource, namespace: string, name: string): Promise<void>;
  listPods(namespace: string, labelSelector: string): Promise<V1Pod[]>;
  /**
   * Every pod of the namespace, from one LIST shared by every caller within `freshness`: the
   * rollouts of a namespace read their pods with one call per window between them.
   */
  sharedPods(namespace: string, freshness: PodFreshness): Promise<V1Pod[]>;
}

// 401 is not 403: an expired or rotated token is a transient state to hold on, not a verdict.
const STATUS_CODES: Record<number, FleetErrorCode> = { 400: 'invalid', 401: 'unauthenticated', 403: 'forbidden', 404: 'not-found', 409: 'conflict', 422: 'invalid' };

function statusMessage(body: unknown): string | undefined {
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Any failure from client-node (HTTP status or network) as a FleetError naming the cluster. */
export function toFleetError(error: unknown, cluster: string, doing: string): FleetError {
  if (error instanceof FleetError) return error;
  if (error instanceof ApiException) {
    const code = STATUS_CODES[error.code] ?? 'unavailable';
    const retryAfter = Number(error.headers?.['retry-after']);
    const detail = statusMessage(error.body) ?? `HTTP ${error.code}`;
    return new FleetError(code, `${cluster}: ${doing}: ${detail}`, cluster, {
      cause: error,
      ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new FleetError('unavailable', `${cluster}: ${doing}: ${reason}`, cluster, { cause: error });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (${what})`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Agents kept per cluster: a new client certificate (a rotated credential) gets a new one, up to this many. */
const MAX_AGENTS = 4;

/**
 * client-node builds a new Agent for every request, so every call opened a new connection and
 * made a new TLS handshake. This makes the KubeConfig hand out one keep-alive agent per set of
 * TLS options instead, so a warm cluster costs no handshake. (createAgent is private in the
 * typings; it is the one place client-node makes agents, proxies included.)
 */
export function reuseConnections(config: KubeConfig): void {
  type AgentOptions = Record<string, unknown>;
  const factory = config as unknown as { createAgent(cluster: unknown, options: AgentOptions): Agent };
  const create = factory.createAgent.bind(config);
  const agents = new Map<string, Agent>();
  factory.createAgent = (cluster, options) => {
    const server = (cluster as { server?: string; proxyUrl?: string } | null) ?? {};
    const key = JSON.stringify([server.server, server.proxyUrl, ...['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'].map((k) => String(options[k]))]);
    let agent = agents.get(key);
    if (!agent) {
      if (agents.size >= MAX_AGENTS) agents.delete(agents.keys().next().value as string);
      agent = create(cluster, { ...options, keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
}

export function connectCluster(options: { kubeconfig: KubeConfig; context: string; cluster: string; timeoutMs?: number; clock?: () => number }): ClusterApi {
  const config = new KubeConfig();
  config.loadFromString(options.kubeconfig.exportConfig());
  if (!config.getContextObject(options.context)) {
    throw new FleetError('misconfigured', `kubeconfig has no context "${options.context}" (cluster ${options.cluster})`, options.cluster);
  }
  config.setCurrentContext(options.context);
  reuseConnections(config);
  const custom = config.makeApiClient(CustomObjectsApi);
  const core = config.makeApiClient(CoreV1Api);
  const { cluster } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const call = async <T>(doing: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(run(), timeoutMs, doing);
    } catch (error) {
      throw toFleetError(error, cluster, doing);
    }
  };
  const ref = (r: Resource, namespace: string) => ({ group: r.group, version: r.version, plural: r.plural, namespace });
  // CustomObjectsApi builds /apis/GROUP/...; the core group's Services go through CoreV1Api.
  const isService = (r: Resource) => r.group === '' && r.plural === 'services';
  const listPods = async (namespace: string, labelSelector?: string): Promise<V1Pod[]> => {
    const list = await call(`list pods ${labelSelector ?? 'in ' + namespace}`, () => core.listNamespacedPod({ namespace, ...(labelSelector !== undefined ? { labelSelector } : {}) }));
    return list.items;
  };
  const sharedPods = sharePodLists({ list: (namespace) => listPods(namespace), clock: options.clock ?? Date.now });

  return {
    cluster,
    async get<T>(resource: Resource, namespace: string, name: string) {
      try {
        if (isService(resource)) return (await call(`get services/${name}`, () => core.readNamespacedService({ namespace, name }))) as T;
        return (await call(`get ${resource.plural}/${name}`, () => custom.getNamespacedCustomObject({ ...ref(resource, namespace), name }))) as T;
      } catch (error) {
        if (error instanceof FleetError && error.code === 'not-found') return undefined;
        throw error;
      }
    },
    create: (resource, obj) =>
      isService(resource)
        ? (call(`create services/${obj.metadata.name}`, () => core.createNamespacedService({ namespace: obj.metadata.namespace, body: obj as never })) as Promise<KubeObject>)
        : call(`create ${resource.plural}/${obj.metadata.name}`, () => custom.createNamespacedCustomObject({ ...ref(resource, obj.metadata.namespace), body: obj })),
    replace: (resource, obj) =>
      isService(resource)
        ? (call(`replace services/${obj.metadata.name}`, () => core.replaceNamespacedService({ namespace: obj.metadata.namespace, name: obj.metadata.name, body: obj as never })) as Promise<KubeObject>)
        : call(`replace ${resource.plural}/${obj.metadata.name}`, () =>
        custom.replaceNamespacedCustomObject({ ...ref(resource, obj.metadata.namespace), name: obj.metadata.name, body: obj }),
      ),
    jsonPatch: (resource, namespace, name, ops) =>
      call(`patch ${resource.plural}/${name}`, () =>
        custom.patchNamespacedCustomObject({ ...ref(resource, namespace), name, body: ops }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)),
      ),
    async remove(resource, namespace, name) {
      try {
        if (isService(resource)) await call(`delete services/${name}`, () => core.deleteNamespacedService({ namespace, name }));
        else await call(`delete ${resource.plural}/${name}`, () => custom.deleteNamespacedCustomObject({ ...ref(resource, namespace), name }));
      } catch (error) {
        if (error instanceof FleetError && error.code === 'not-found') return;
        throw error;
      }
    },
    listPods,
    sharedPods,
  };
}

/** Does `live` already hold every field of `desired`? (The server adds defaults; those do not count.) */
export function holds(live: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) return Array.isArray(live) && live.length === desired.length && desired.every((d, i) => holds(live[i], d));
  if (desired !== null && typeof desired === 'object') {
    if (live === null || typeof live !== 'object') return false;
    return Object.entries(desired).every(([key, value]) => value === undefined || holds((live as Record<string, unknown>)[key], value));
  }
  return live === desired;
}

/**
 * Create-or-replace with the live resourceVersion, retried on 409 (someone wrote in between).
 * Running it twice leaves the same object, and an object that already holds what we want is
 * not written at all: the idempotent, churn-free write every step relies on.
 */
export async function applyObject(api: ClusterApi, obj: KubeObject, options: { attempts?: number; readFirst?: { live: KubeObject | undefined } } = {}): Promise<void> {
  const resource = resourceOf(obj);
  const wanted = { labels: obj.metadata.labels, annotations: obj.metadata.annotations, spec: obj.spec };
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      // `readFirst`: the caller read the live object already (beside other reads, to save a round trip); a retry reads again.
      const live = attempt === 1 && options.readFirst ? options.readFirst.live : await api.get<KubeObject>(resource, obj.metadata.namespace, obj.metadata.name);
      if (!live) await api.create(resource, obj);
      else if (!holds({ labels: live.metadata.labels, annotations: live.metadata.annotations, spec: live.spec }, wanted)) {
        // Keep labels and annotations others set (Karmada's webhook stamps a permanent-id on
        // policies; dropping it would relabel every propagated copy, touching every cluster).
        const metadata = {
          ...obj.metadata,
          labels: { ...live.metadata.labels, ...obj.metadata.labels },
          annotations: { ...live.metadata.annotations, ...obj.metadata.annotations },
          resourceVersion: live.metadata.resourceVersion,
        };
        await api.replace(resource, { ...obj, metadata });
      }
      return;
    } catch (error) {
      if (!(error instanceof FleetError) || error.code !== 'conflict' || attempt >= attempts) throw error;
    }
  }
}

/**
 * Runs writes side by side and waits for every one before reporting the first failure, so a
 * step that fails leaves no write of its own still in flight when it is retried.
 */
export async function settleAll(work: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
