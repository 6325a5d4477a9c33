// RFC 7386 merge patch, and strategic merge patch for the list keys of the Kubernetes types the
// fleet serves (containers, env, ports, volumes... merged by their patchMergeKey).
import type { Json } from './json-patch.js';

type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

/** patchMergeKey per field name, as declared in k8s.io/api for the types we serve. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  conditions: 'type',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  ownerReferences: 'uid',
  resourceClaims: 'name',
};

/** Lists merged as sets of scalars (patchStrategy: merge without a key). */
const SCALAR_SETS = new Set(['finalizers']);

function clone<T extends Json>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export class StrategicMergeError extends Error {}

function mergeKeyedList(live: Json[], patch: Json[], key: string): Json[] {
  const out = live.map((x) => clone(x));
  for (const item of patch) {
    if (!isObject(item)) throw new StrategicMergeError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    if (item['$patch'] === 'replace') continue;
    const id = item[key];
    if (id === undefined) throw new StrategicMergeError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const idx = out.findIndex((x) => isObject(x) && x[key] === id);
    if (item['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMerge(out[idx]!, item);
    else out.push(strategicMerge({}, item));
  }
  return out;
}

export function strategicMerge(live: Json, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  if (patch['$patch'] === 'replace') {
    const rest = { ...patch };
    delete rest['$patch'];
    return stripDirectives(rest);
  }
  const out: JsonObject = isObject(live) ? { ...live } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(v)) out[field] = current.filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const current = out[k];
    const mergeKey = MERGE_KEYS[k];
    if (Array.isArray(v) && mergeKey && v.every(isObject)) {
      out[k] = mergeKeyedList(Array.isArray(current) ? current : [], v, mergeKey);
    } else if (Array.isArray(v) && SCALAR_SETS.has(k)) {
      const base = Array.isArray(current) ? current : [];
      out[k] = [...base, ...v.filter((x) => !base.includes(x))];
    } else if (isObject(v)) {
      out[k] = strategicMerge(isObject(current) ? current : {}, v);
    } else {
      out[k] = clone(v);
    }
  }
  return out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

/**
 * Server-side apply, simplified: the applied configuration is merged into the live object with
 * strategic-merge semantics (keyed lists merged by key, other lists atomic), and fields this
 * field manager applied last time but no longer applies are removed.
 */
export function serverSideApply(live: Json, applied: Json, previouslyApplied: Json | undefined): Json {
  let merged = strategicMerge(live, applied);
  if (previouslyApplied !== undefined) merged = pruneDropped(merged, applied, previouslyApplied);
  return merged;
}

function pruneDropped(merged: Json, applied: Json, previous: Json): Json {
  if (!isObject(merged) || !isObject(previous)) return merged;
  const appliedObj = isObject(applied) ? applied : {};
  const out: JsonObject = { ...merged };
  for (const [k, prevValue] of Object.entries(previous)) {
    if (!(k in appliedObj)) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    const now = appliedObj[k]!;
    const mergeKey = MERGE_KEYS[k];
    if (isObject(prevValue) && isObject(cur)) {
      out[k] = pruneDropped(cur, now, prevValue);
    } else if (mergeKey && Array.isArray(prevValue) && Array.isArray(cur) && Array.isArray(now)) {
      const keep = new Set(now.filter(isObject).map((x) => JSON.stringify(x[mergeKey])));
      const dropped = new Set(
        prevValue.filter(isObject).map((x) => JSON.stringify(x[mergeKey])).filter((id) => !keep.has(id)),
      );
      out[k] = cur
        .filter((x) => !(isObject(x) && dropped.has(JSON.stringify(x[mergeKey]))))
        .map((x) => {
          if (!isObject(x)) return x;
          const id = JSON.stringify(x[mergeKey]);
          const p = prevValue.find((y) => isObject(y) && JSON.stringify(y[mergeKey]) === id);
          const a = now.find((y) => isObject(y) && JSON.stringify(y[mergeKey]) === id);
          return p !== undefined && a !== undefined ? pruneDropped(x, a, p) : x;
        });
    }
  }
  return out;
}
