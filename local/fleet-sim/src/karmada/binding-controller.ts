// Karmada's binding + execution + status controllers for Deployments: render the template per
// target cluster with OverridePolicies applied, apply it to the member, remove copies no
// longer wanted, and reflect member status into the ResourceBinding and the template.
import type { Registry } from '../kube/registry.js';
import { KubeError } from '../kube/status.js';
import type { KubeObject } from '../kube/store.js';
import { applyOverridePolicies } from './overrides.js';
import { ANNOTATIONS, LABELS, permanentId } from './scheduler.js';
import { aggregatedItem, bindingConditions, templateStatus, type AppliedResult } from './binding-status.js';

export interface BindingControllerOptions {
  karmada: Registry;
  members: Map<string, Registry>;
  now: number;
  log: (line: string) => void;
  /** Fingerprints of each binding's inputs at its last reconcile: unchanged, it is skipped. */
  memo?: Map<string, string>;
}

function render(template: KubeObject, binding: KubeObject, cluster: string, replicas: number): KubeObject {
  const meta = template['metadata'];
  const labels = { ...(meta.labels ?? {}), [LABELS.managed]: 'true', [LABELS.rbPermanentId]: binding['metadata'].labels?.[LABELS.rbPermanentId] ?? '' };
  const annotations: Record<string, string> = {
    ...(meta.annotations ?? {}),
    [ANNOTATIONS.rbName]: binding['metadata'].name,
    [ANNOTATIONS.rbNamespace]: binding['metadata'].namespace,
    [ANNOTATIONS.templateUid]: meta.uid,
    [ANNOTATIONS.templateGeneration]: String(meta.generation),
    [ANNOTATIONS.workName]: `${meta.name}-${permanentId(meta.uid).slice(0, 10).replace(/-/g, '')}`,
    [ANNOTATIONS.workNamespace]: `karmada-es-${cluster}`,
  };
  delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
  return {
    apiVersion: template['apiVersion'],
    kind: template['kind'],
    metadata: { name: meta.name, namespace: meta.namespace, labels, annotations },
    spec: { ...structuredClone(template['spec']), replicas },
  };
}

function applyToMember(member: Registry, desired: KubeObject): AppliedResult {
  const deployments = member.typeOf('deployments');
  const { name, namespace } = desired['metadata'];
  const live = member.store.get('deployments', namespace, name);
  try {
    if (!live) return { applied: true, object: member.create(deployments, namespace, desired, { internal: true }) };
    if (live['metadata'].labels?.[LABELS.managed] !== 'true') {
      return { applied: false, message: `the resource(Deployment ${namespace}/${name}) exists in the member cluster and is not managed by Karmada; conflictResolution is Abort` };
    }
    const next = { ...live, metadata: { ...live['metadata'], labels: desired['metadata'].labels, annotations: desired['metadata'].annotations }, spec: desired['spec'] };
    return { applied: true, object: member.update(deployments, namespace, name, next) };
  } catch (e) {
    if (e instanceof KubeError) return { applied: false, message: `Failed to apply all manifests (0/1): ${e.message}` };
    throw e;
  }
}

export function runBindingController(o: BindingControllerOptions): void {
  const { karmada } = o;
  const wanted = new Map<string, Set<string>>([...o.members.keys()].map((c) => [c, new Set<string>()]));
  const overridesVersion = karmada.store.version('overridepolicies');
  const seen = new Set<string>();
  for (const peeked of karmada.store.peekList('resourcebindings')) {
    const { namespace: ns, name } = peeked['metadata'];
    const ref = peeked['spec'].resource;
    // Work on change: its template, itself, an OverridePolicy or a member's copy changed.
    const targets: { name: string }[] = peeked['spec'].clusters ?? [];
    const owner = karmada.store.peek('deployments', ns, ref.name);
    if (owner && owner['metadata'].uid === ref.uid) for (const target of targets) wanted.get(target.name)?.add(`${ns}/${ref.name}`);
    const key = `${ns}/${name}`;
    seen.add(key);
    const copies = targets.map((t) => `${t.name}@${o.members.get(t.name)?.store.peek('deployments', ns, ref.name)?.['metadata'].resourceVersion ?? ''}`).join();
    const fingerprint = `${peeked['metadata'].resourceVersion}|${owner?.['metadata'].resourceVersion ?? ''}|${overridesVersion}|${copies}`;
    if (o.memo?.get(key) === fingerprint) continue;
    o.memo?.set(key, fingerprint);
    const binding = karmada.store.get('resourcebindings', ns, name)!;
    const template = karmada.store.get('deployments', ns, ref.name);
    if (!template || template['metadata'].uid !== ref.uid) {
      // Garbage collection: the binding's owner (the template) is gone.
      karmada.store.remove('resourcebindings', ns, name);
      continue;
    }
    const policies = karmada.store.list('overridepolicies', ns);
    const items: KubeObject[] = [];
    for (const target of binding['spec'].clusters ?? []) {
      const member = o.members.get(target.name);
      if (!member) continue;
      wanted.get(target.name)!.add(`${ns}/${ref.name}`);
      let result: AppliedResult;
      try {
        const { manifest } = applyOverridePolicies(render(template, binding, target.name, target.replicas), template, target.name, policies);
        result = applyToMember(member, manifest);
      } catch (e) {
        result = { applied: false, message: (e as Error).message };
      }
      if (!result.applied) o.log(`karmada: ${target.name} ${ns}/${ref.name}: ${result.message}`);
      items.push(aggregatedItem(target.name, result, member.store.get('deployments', ns, ref.name)));
    }
    items.sort((a, b) => (a['clusterName'] < b['clusterName'] ? -1 : 1));
    const conditions = bindingConditions(binding, items, o.now);
    const status = {
      ...(binding['status'] ?? {}),
      schedulerObservedGeneration: binding['metadata'].generation,
      conditions,
      aggregatedStatus: items,
    };
    karmada.update(karmada.typeOf('resourcebindings'), ns, name, { ...binding, status }, { internal: true });
    const aggregated = templateStatus(template, items);
    if (aggregated) karmada.update(karmada.typeOf('deployments'), ns, template['metadata'].name, { ...template, status: aggregated }, { internal: true });
  }
  for (const key of o.memo?.keys() ?? []) if (!seen.has(key)) o.memo?.delete(key);
  // Execution controller clean-up: managed copies no binding wants any more.
  for (const [cluster, member] of o.members) {
    for (const d of member.store.peekList('deployments')) {
      if (d['metadata'].labels?.[LABELS.managed] !== 'true') continue;
      if (!wanted.get(cluster)!.has(`${d['metadata'].namespace}/${d['metadata'].name}`)) {
        member.store.remove('deployments', d['metadata'].namespace, d['metadata'].name);
      }
    }
  }
}
