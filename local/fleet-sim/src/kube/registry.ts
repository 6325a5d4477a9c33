// Generic registry semantics (k8s.io/apiserver/pkg/registry/generic/registry): create, update with
// optimistic concurrency, generation, status reset, delete. Used by the HTTP layer and, with
// `internal` writes, by the simulated controllers.
import { randomUUID } from 'node:crypto';
import { canonical } from './json-patch.js';
import type { ResourceType } from './resource-types.js';
import { apiVersionOf } from './resource-types.js';
import { errors, invalid, fieldErrors } from './status.js';
import { clone, type KubeObject, type ObjectStore } from './store.js';

export interface WriteOptions {
  dryRun?: boolean;
  /** A controller write: keeps the given status instead of the stored one. */
  internal?: boolean;
}

export interface Registry {
  readonly store: ObjectStore;
  readonly types: ResourceType[];
  type(group: string, version: string, resource: string): ResourceType | undefined;
  typeOf(resource: string): ResourceType;
  get(rt: ResourceType, namespace: string, name: string): KubeObject;
  create(rt: ResourceType, namespace: string, body: KubeObject, opts?: WriteOptions): KubeObject;
  update(rt: ResourceType, namespace: string, name: string, body: KubeObject, opts?: WriteOptions): KubeObject;
  remove(rt: ResourceType, namespace: string, name: string, opts?: WriteOptions): KubeObject;
  namespaces(): Set<string>;
}

export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** apiVersion and kind first, as the apiserver serializes them. */
function headerFirst(obj: KubeObject): KubeObject {
  const { apiVersion, kind, metadata, ...rest } = obj;
  return { apiVersion, kind, metadata, ...rest };
}

const gr = (rt: ResourceType) => ({ group: rt.group, resource: rt.resource });
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

export function createRegistry(options: { store: ObjectStore; types: ResourceType[]; now: () => number; namespaces: string[] }): Registry {
  const { store, types, now } = options;
  const nsSet = new Set(options.namespaces);

  function checkNamespace(rt: ResourceType, namespace: string): void {
    if (rt.namespaced && !nsSet.has(namespace)) throw errors.notFound({ group: '', resource: 'namespaces' }, namespace);
  }

  function admit(rt: ResourceType, obj: KubeObject, old?: KubeObject): void {
    const errs = rt.admit(obj, old);
    if (errs.length) throw invalid(rt.kind, rt.group, obj['metadata']?.['name'] ?? '', errs);
  }

  function checkIdentity(rt: ResourceType, namespace: string, body: KubeObject): void {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the body of the request could not be decoded');
    if (body['kind'] !== undefined && body['kind'] !== rt.kind) {
      throw errors.badRequest(`the API version in the data (${body['apiVersion']}) does not match the expected API version (${apiVersionOf(rt)})`);
    }
    if (body['apiVersion'] !== undefined && body['apiVersion'] !== apiVersionOf(rt)) {
      throw errors.badRequest(`the API version in the data (${body['apiVersion']}) does not match the expected API version (${apiVersionOf(rt)})`);
    }
    const ns = body['metadata']?.['namespace'];
    if (rt.namespaced && ns !== undefined && ns !== '' && ns !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
  }

  const registry: Registry = {
    store,
    types,
    type: (group, version, resource) => types.find((t) => t.group === group && t.version === version && t.resource === resource),
    typeOf(resource) {
      const t = types.find((x) => x.resource === resource);
      if (!t) throw new Error(`unknown resource ${resource}`);
      return t;
    },
    namespaces: () => nsSet,
    get(rt, namespace, name) {
      const o = store.get(rt.resource, rt.namespaced ? namespace : '', name);
      if (!o) throw errors.notFound(gr(rt), name);
      return o;
    },
    create(rt, namespace, input, opts = {}) {
      checkIdentity(rt, namespace, input);
      checkNamespace(rt, namespace);
      const body = clone(input);
      const meta = (body['metadata'] ??= {});
      if (!meta['name'] && meta['generateName']) meta['name'] = `${meta['generateName']}${randomUUID().slice(0, 5)}`;
      if (meta['resourceVersion']) throw errors.badRequest('resourceVersion should not be set on objects to be created');
      body['apiVersion'] = apiVersionOf(rt);
      body['kind'] = rt.kind;
      if (rt.namespaced) meta['namespace'] = namespace;
      if (!opts.internal && rt.statusSubresource) delete body['status'];
      admit(rt, body);
      if (store.get(rt.resource, meta['namespace'] ?? '', meta['name'])) throw errors.alreadyExists(gr(rt), meta['name']);
      meta['uid'] = randomUUID();
      meta['generation'] = 1;
      meta['creationTimestamp'] = timestamp(now());
      delete meta['managedFields'];
      delete meta['deletionTimestamp'];
      if (opts.dryRun) return { ...body, metadata: { ...meta, resourceVersion: '' } };
      return store.put(rt.resource, headerFirst(body));
    },
    update(rt, namespace, name, input, opts = {}) {
      checkIdentity(rt, namespace, input);
      const body = clone(input);
      const meta = (body['metadata'] ??= {});
      if (meta['name'] !== undefined && meta['name'] !== name) {
        throw errors.badRequest(`the name of the object (${meta['name']}) does not match the name on the URL (${name})`);
      }
      // Read in place (not copied): only compared with, never changed.
      const old = store.peek(rt.resource, rt.namespaced ? namespace : '', name);
      if (!old) throw errors.notFound(gr(rt), name);
      const rv = meta['resourceVersion'];
      if (rv === undefined || rv === '') {
        if (!rt.allowUnconditionalUpdate && !opts.internal) {
          throw invalid(rt.kind, rt.group, name, [fieldErrors.invalid('metadata.resourceVersion', 0, 'must be specified for an update')]);
        }
      } else if (rv !== old['metadata'].resourceVersion) {
        throw errors.conflict(gr(rt), name);
      }
      body['apiVersion'] = apiVersionOf(rt);
      body['kind'] = rt.kind;
      meta['name'] = name;
      if (rt.namespaced) meta['namespace'] = namespace;
      if (rt.statusSubresource && !opts.internal) {
        if (old['status'] !== undefined) body['status'] = old['status'];
        else delete body['status'];
      }
      admit(rt, body, old);
      for (const k of ['uid', 'creationTimestamp', 'generation']) meta[k] = old['metadata'][k];
      delete meta['managedFields'];
      if (!same(rt.generationSource(body), rt.generationSource(old))) meta['generation'] = (old['metadata'].generation ?? 1) + 1;
      // An update that changes nothing is a no-op: resourceVersion stays (as etcd3 store does).
      const { resourceVersion: _a, ...newMeta } = meta;
      const { resourceVersion: _b, ...oldMeta } = old['metadata'];
      if (same({ ...body, metadata: newMeta }, { ...old, metadata: oldMeta })) return clone(old);
      if (opts.dryRun) return { ...body, metadata: { ...meta, resourceVersion: old['metadata'].resourceVersion } };
      return store.put(rt.resource, headerFirst(body));
    },
    remove(rt, namespace, name, opts = {}) {
      const ns = rt.namespaced ? namespace : '';
      const old = store.get(rt.resource, ns, name);
      if (!old) throw errors.notFound(gr(rt), name);
      if (opts.dryRun) return old;
      return store.remove(rt.resource, ns, name) ?? old;
    },
  };
  return registry;
}
