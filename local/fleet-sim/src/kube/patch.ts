// PATCH in its four content types, as kube-apiserver's patch handler dispatches them.
import { parse as parseYaml } from 'yaml';
import { applyJsonPatch, decodeJsonPatch, PatchApplyError, PatchDecodeError, type Json } from './json-patch.js';
import { mergePatch, serverSideApply, strategicMerge, StrategicMergeError } from './merge-patch.js';
import type { Registry, WriteOptions } from './registry.js';
import type { ResourceType } from './resource-types.js';
import { errors, fieldErrors, invalid, KubeError } from './status.js';
import type { KubeObject } from './store.js';

export interface PatchRequest {
  rt: ResourceType;
  namespace: string;
  name: string;
  contentType: string;
  body: string;
  fieldManager?: string;
  opts: WriteOptions;
}

export interface Patcher {
  patch(req: PatchRequest): { object: KubeObject; created: boolean };
}

const JSON_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

function parseJson(body: string): Json {
  try {
    return JSON.parse(body) as Json;
  } catch (e) {
    throw errors.badRequest(`error decoding patch: ${(e as Error).message}`);
  }
}

export function createPatcher(registry: Registry): Patcher {
  // Last configuration each field manager applied, per object uid (for field removal on re-apply).
  const applied = new Map<string, Json>();

  function apply(req: PatchRequest): { object: KubeObject; created: boolean } {
    if (!req.fieldManager) {
      throw invalid('PatchOptions', 'meta.k8s.io', '', [fieldErrors.required('fieldManager', 'is required for apply patch')]);
    }
    let config: Json;
    try {
      config = parseYaml(req.body) as Json;
    } catch (e) {
      throw errors.badRequest(`error decoding YAML: ${(e as Error).message}`);
    }
    if (!config || typeof config !== 'object' || Array.isArray(config)) throw errors.badRequest('error decoding YAML: expected an object');
    const cfg = config as KubeObject;
    const metaName = cfg['metadata']?.['name'];
    if (metaName !== undefined && metaName !== req.name) {
      throw errors.badRequest(`the name of the object (${metaName}) does not match the name on the URL (${req.name})`);
    }
    const existing = registry.store.get(req.rt.resource, req.rt.namespaced ? req.namespace : '', req.name);
    if (!existing) {
      const created = registry.create(req.rt, req.namespace, { ...cfg, metadata: { ...(cfg['metadata'] ?? {}), name: req.name } }, req.opts);
      if (!req.opts.dryRun) applied.set(`${created['metadata'].uid}/${req.fieldManager}`, config);
      return { object: created, created: true };
    }
    const key = `${existing['metadata'].uid}/${req.fieldManager}`;
    const merged = serverSideApply(existing as Json, config, applied.get(key)) as KubeObject;
    if (!cfg['metadata']?.['resourceVersion']) merged['metadata'].resourceVersion = existing['metadata'].resourceVersion;
    const object = registry.update(req.rt, req.namespace, req.name, merged, req.opts);
    if (!req.opts.dryRun) applied.set(key, config);
    return { object, created: false };
  }

  return {
    patch(req) {
      const type = req.contentType.split(';')[0]!.trim().toLowerCase();
      const strategicOk = req.rt.builtin;
      if (!JSON_TYPES.includes(type) && !(type === 'application/strategic-merge-patch+json' && strategicOk)) {
        throw errors.unsupportedMediaType(type, strategicOk);
      }
      if (type === 'application/apply-patch+yaml') return apply(req);
      const current = registry.get(req.rt, req.namespace, req.name) as Json;
      let patched: Json;
      try {
        if (type === 'application/json-patch+json') {
          patched = applyJsonPatch(current, decodeJsonPatch(parseJson(req.body)));
        } else if (type === 'application/merge-patch+json') {
          patched = mergePatch(current, parseJson(req.body));
        } else {
          patched = strategicMerge(current, parseJson(req.body));
        }
      } catch (e) {
        if (e instanceof KubeError) throw e;
        if (e instanceof PatchDecodeError || e instanceof StrategicMergeError) throw errors.badRequest((e as Error).message);
        if (e instanceof PatchApplyError) throw errors.patchRejected(e.message);
        throw e;
      }
      if (!patched || typeof patched !== 'object' || Array.isArray(patched)) throw errors.patchRejected('patched document is not an object');
      return { object: registry.update(req.rt, req.namespace, req.name, patched as KubeObject, req.opts), created: false };
    },
  };
}
