// The "etcd" of one simulated API server: objects by resource/namespace/name, one revision
// counter per server (resourceVersion), change notifications for the simulated controllers.

// Objects are untyped JSON, as the apiserver's unstructured path treats them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type KubeObject = Record<string, any>;

export interface StoreChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  resource: string;
  object: KubeObject;
}

export interface ObjectStore {
  get(resource: string, namespace: string, name: string): KubeObject | undefined;
  list(resource: string, namespace?: string): KubeObject[];
  /** Stores a copy with the next resourceVersion; returns what was stored. */
  put(resource: string, object: KubeObject): KubeObject;
  remove(resource: string, namespace: string, name: string): KubeObject | undefined;
  revision(): string;
  onChange(listener: (change: StoreChange) => void): () => void;
  clear(): void;
}

const key = (resource: string, namespace: string, name: string) => `${resource}\u0000${namespace}\u0000${name}`;

export function clone<T>(v: T): T {
  return structuredClone(v);
}

export function createObjectStore(): ObjectStore {
  const objects = new Map<string, KubeObject>();
  const listeners = new Set<(change: StoreChange) => void>();
  let rev = 1000;

  const emit = (change: StoreChange) => {
    for (const l of listeners) l(change);
  };

  return {
    get(resource, namespace, name) {
      const o = objects.get(key(resource, namespace, name));
      return o ? clone(o) : undefined;
    },
    list(resource, namespace) {
      const out: KubeObject[] = [];
      for (const [k, o] of objects) {
        const [r, ns] = k.split('\u0000');
        if (r === resource && (namespace === undefined || ns === namespace)) out.push(clone(o));
      }
      return out.sort((a, b) => {
        const ka = `${a['metadata'].namespace ?? ''}/${a['metadata'].name}`;
        const kb = `${b['metadata'].namespace ?? ''}/${b['metadata'].name}`;
        return ka < kb ? -1 : ka > kb ? 1 : 0;
      });
    },
    put(resource, object) {
      const k = key(resource, object['metadata'].namespace ?? '', object['metadata'].name);
      const existed = objects.has(k);
      const stored = clone(object);
      rev += 1;
      stored['metadata'].resourceVersion = String(rev);
      objects.set(k, stored);
      emit({ type: existed ? 'MODIFIED' : 'ADDED', resource, object: clone(stored) });
      return clone(stored);
    },
    remove(resource, namespace, name) {
      const k = key(resource, namespace, name);
      const o = objects.get(k);
      if (!o) return undefined;
      objects.delete(k);
      rev += 1;
      emit({ type: 'DELETED', resource, object: clone(o) });
      return clone(o);
    },
    revision: () => String(rev),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clear() {
      objects.clear();
    },
  };
}
