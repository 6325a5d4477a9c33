// The "etcd" of one simulated API server: objects by resource/namespace/name, one revision
// counter per server (resourceVersion), change notifications for the simulated controllers.

// Objects are untyped JSON, as the apiserver's unstructured path treats them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = Record<string, any>;

export interface StoreChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: string;
  /** The stored object itself, not a copy: listeners read it (a watch serializes it), never change it. */
  object: Readonly<KubeObject>;
}

export interface ObjectStore {
  get(resource: string, namespace: string, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
  /** The stored object itself, no copy, for a controller deciding whether it has work: never change it. */
  peek(resource: string, namespace: string, name: string): Readonly<KubeObject> | undefined;
  /** The stored objects themselves, unsorted, no copies: never change them. */
  peekList(resource: string, namespace?: string): Readonly<KubeObject>[];
  /** A counter bumped by every change to `resource`. */
  version(resource: string): number;
  /** Stores a copy with the next resourceVersion; returns what was stored. */
  put(resource: string, object: KubeObject): KubeObject;
  remove(resource: string, namespace: string, name: string): KubeObject | undefined;
  revision(): string;
  onChange(listener: (change: StoreChange) => void): () => void;
  clear(): void;
}

const key = (namespace: string, name: string) => `${namespace}\u0000${name}`;

/** Objects are JSON (they arrive as request bodies): a JSON round trip copies them faster than structuredClone. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

const byNamespacedName = (a: KubeObject, b: KubeObject) => {
  const ka = `${a['metadata'].namespace ?? ''}/${a['metadata'].name}`;
  const kb = `${b['metadata'].namespace ?? ''}/${b['metadata'].name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

export function createObjectStore(): ObjectStore {
  // One map per resource, so a list reads (and copies) only the objects it returns.
  const resources = new Map<string, Map<string, KubeObject>>();
  const objectsOf = (resource: string) => {
    let objects = resources.get(resource);
    if (!objects) resources.set(resource, (objects = new Map()));
    return objects;
  };
  const listeners = new Set<(change: StoreChange) => void>();
  const versions = new Map<string, number>();
  const bump = (resource: string) => versions.set(resource, (versions.get(resource) ?? 0) + 1);
  let rev = 1000;

  const emit = (change: StoreChange) => {
    for (const l of listeners) l(change);
  };

  return {
    get(resource, namespace, name) {
      const o = resources.get(resource)?.get(key(namespace, name));
      return o ? clone(o) : undefined;
    },
    list(resource, namespace) {
      const out: KubeObject[] = [];
      for (const o of resources.get(resource)?.values() ?? []) {
        if (namespace === undefined || (o['metadata'].namespace ?? '') === namespace) out.push(clone(o));
      }
      return out.sort(byNamespacedName);
    },
    peek: (resource, namespace, name) => resources.get(resource)?.get(key(namespace, name)),
    peekList(resource, namespace) {
      const all = [...(resources.get(resource)?.values() ?? [])];
      return namespace === undefined ? all : all.filter((o) => (o['metadata'].namespace ?? '') === namespace);
    },
    version: (resource) => versions.get(resource) ?? 0,
    put(resource, object) {
      const objects = objectsOf(resource);
      const k = key(object['metadata'].namespace ?? '', object['metadata'].name);
      const existed = objects.has(k);
      const stored = clone(object);
      rev += 1;
      stored['metadata'].resourceVersion = String(rev);
      objects.set(k, stored);
      bump(resource);
      emit({ type: existed ? 'MODIFIED' : 'ADDED', resource, object: stored });
      return clone(stored);
    },
    remove(resource, namespace, name) {
      const objects = resources.get(resource);
      const k = key(namespace, name);
      const o = objects?.get(k);
      if (!objects || !o) return undefined;
      objects.delete(k);
      bump(resource);
      rev += 1;
      emit({ type: 'DELETED', resource, object: o });
      return clone(o);
    },
    revision: () => String(rev),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clear() {
      for (const resource of resources.keys()) bump(resource);
      resources.clear();
    },
  };
}
