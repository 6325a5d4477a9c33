// OverridePolicy application as karmada's overridemanager does it: matching policies ordered by
// implicit priority then name, rules whose targetCluster matches, overriders in Karmada's order.
import { applyJsonPatch, type Json, type PatchOperation } from '../kube/json-patch.js';
import { selectorObjectMatches } from '../kube/label-selector.js';
import type { KubeObject } from '../kube/store.js';

export class OverrideError extends Error {}

export interface ResourceSelector {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  labelSelector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
}

/** 0 = no match; higher = more specific (name > labelSelector > kind only), as Karmada ranks. */
export function selectorPriority(sel: ResourceSelector, obj: KubeObject, policyNamespace: string): number {
  const meta = obj['metadata'];
  if (sel.apiVersion !== obj['apiVersion'] || sel.kind !== obj['kind']) return 0;
  if ((sel.namespace || policyNamespace) !== meta.namespace) return 0;
  if (sel.name) return sel.name === meta.name ? 3 : 0;
  if (sel.labelSelector) return selectorObjectMatches(sel.labelSelector, meta.labels) ? 2 : 0;
  return 1;
}

export function policyPriority(policy: KubeObject, obj: KubeObject): number {
  const selectors: ResourceSelector[] = policy['spec']?.resourceSelectors ?? [];
  if (selectors.length === 0) return 1;
  return Math.max(0, ...selectors.map((s) => selectorPriority(s, obj, policy['metadata'].namespace)));
}

export interface ClusterAffinity {
  clusterNames?: string[];
  exclude?: string[];
  labelSelector?: ResourceSelector['labelSelector'];
}

/** Simulated clusters carry no labels, so only an empty label selector matches. */
export function clusterMatches(affinity: ClusterAffinity | undefined, cluster: string): boolean {
  if (!affinity) return true;
  if (affinity.exclude?.includes(cluster)) return false;
  if (affinity.labelSelector && !selectorObjectMatches(affinity.labelSelector, {})) return false;
  if (affinity.clusterNames?.length) return affinity.clusterNames.includes(cluster);
  return true;
}

function imageOps(manifest: KubeObject, o: KubeObject): PatchOperation[] {
  const containers: KubeObject[] = manifest['spec']?.template?.spec?.containers ?? [];
  const paths = o['predicate']?.path ? [o['predicate'].path as string] : containers.map((_, i) => `/spec/template/spec/containers/${i}/image`);
  return paths.map((path) => {
    const image = String(pick(manifest, path) ?? '');
    const m = /^(?:([^/]+\.[^/]+|[^/]+:\d+)\/)?([^:@]+)(?::([^@]+))?(@.+)?$/.exec(image) ?? [];
    const parts = { Registry: m[1] ?? '', Repository: m[2] ?? image, Tag: m[3] ?? '' };
    const value = o['operator'] === 'remove' ? '' : String(o['value'] ?? '');
    const key = o['component'] as keyof typeof parts;
    parts[key] = o['operator'] === 'add' ? parts[key] + value : value;
    const rebuilt = `${parts.Registry ? `${parts.Registry}/` : ''}${parts.Repository}${parts.Tag ? `:${parts.Tag}` : ''}${m[4] ?? ''}`;
    return { op: 'replace', path, value: rebuilt };
  });
}

function pick(obj: KubeObject, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as KubeObject)[k.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), obj);
}

function mapOps(manifest: KubeObject, field: 'labels' | 'annotations', o: KubeObject): PatchOperation[] {
  const current = manifest['metadata']?.[field];
  const ops: PatchOperation[] = current ? [] : [{ op: 'add', path: `/metadata/${field}`, value: {} }];
  for (const [k, v] of Object.entries((o['value'] ?? {}) as Record<string, string>)) {
    const path = `/metadata/${field}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const has = current && Object.prototype.hasOwnProperty.call(current, k);
    if (o['operator'] === 'remove') {
      if (has) ops.push({ op: 'remove', path });
    } else if (o['operator'] === 'add' || has) ops.push({ op: o['operator'] === 'add' && has ? 'replace' : (o['operator'] as 'add' | 'replace'), path, value: v });
  }
  return ops;
}

function containerListOps(manifest: KubeObject, field: 'command' | 'args', o: KubeObject): PatchOperation[] {
  const containers: KubeObject[] = manifest['spec']?.template?.spec?.containers ?? [];
  const i = containers.findIndex((c) => c['name'] === o['containerName']);
  if (i < 0) return [];
  const current: string[] = containers[i]![field] ?? [];
  const values: string[] = o['value'] ?? [];
  const next = o['operator'] === 'add' ? [...current, ...values] : current.filter((x) => !values.includes(x));
  return [{ op: current.length || containers[i]![field] ? 'replace' : 'add', path: `/spec/template/spec/containers/${i}/${field}`, value: next }];
}

/** Applies one `overriders` block to the manifest; returns the new manifest. */
export function applyOverriders(manifest: KubeObject, overriders: KubeObject): KubeObject {
  let doc = manifest;
  const run = (ops: PatchOperation[]) => {
    try {
      doc = applyJsonPatch(doc as Json, ops) as KubeObject;
    } catch (e) {
      throw new OverrideError((e as Error).message);
    }
  };
  for (const o of overriders['imageOverrider'] ?? []) run(imageOps(doc, o));
  for (const o of overriders['commandOverrider'] ?? []) run(containerListOps(doc, 'command', o));
  for (const o of overriders['argsOverrider'] ?? []) run(containerListOps(doc, 'args', o));
  for (const o of overriders['labelsOverrider'] ?? []) run(mapOps(doc, 'labels', o));
  for (const o of overriders['annotationsOverrider'] ?? []) run(mapOps(doc, 'annotations', o));
  const plaintext: PatchOperation[] = (overriders['plaintext'] ?? []).map((p: KubeObject) =>
    p['operator'] === 'remove' ? { op: 'remove', path: p['path'] } : { op: p['operator'], path: p['path'], value: p['value'] ?? null },
  );
  run(plaintext);
  return doc;
}

/** Every OverridePolicy that selects `template`, applied for `cluster`; returns manifest and policy names. */
export function applyOverridePolicies(
  manifest: KubeObject,
  template: KubeObject,
  cluster: string,
  policies: KubeObject[],
): { manifest: KubeObject; applied: string[] } {
  const matching = policies
    .map((p) => ({ p, prio: policyPriority(p, template) }))
    .filter((x) => x.prio > 0)
    .sort((a, b) => a.prio - b.prio || (a.p['metadata'].name < b.p['metadata'].name ? -1 : 1));
  let doc = manifest;
  const applied: string[] = [];
  for (const { p } of matching) {
    const spec = p['spec'] ?? {};
    const rules: KubeObject[] = [...(spec.overrideRules ?? [])];
    if (spec.overriders) rules.push({ targetCluster: spec.targetCluster, overriders: spec.overriders });
    let used = false;
    for (const rule of rules) {
      if (!clusterMatches(rule['targetCluster'], cluster)) continue;
      try {
        doc = applyOverriders(doc, rule['overriders'] ?? {});
      } catch (e) {
        throw new OverrideError(`failed to apply overrides of OverridePolicy ${p['metadata'].namespace}/${p['metadata'].name}: ${(e as Error).message}`);
      }
      used = true;
    }
    if (used) applied.push(p['metadata'].name);
  }
  return { manifest: doc, applied };
}
