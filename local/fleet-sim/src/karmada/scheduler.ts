// Karmada's resource detector + scheduler for Deployments: the PropagationPolicy that claims a
// resource template, and the ResourceBinding `<name>-deployment` holding the placement.
import { createHash } from 'node:crypto';
import type { Registry } from '../kube/registry.js';
import { timestamp } from '../kube/registry.js';
import type { KubeObject } from '../kube/store.js';
import { clusterMatches, selectorPriority, type ResourceSelector } from './overrides.js';

export const LABELS = {
  ppPermanentId: 'propagationpolicy.karmada.io/permanent-id',
  rbPermanentId: 'resourcebinding.karmada.io/permanent-id',
  managed: 'karmada.io/managed',
};
export const ANNOTATIONS = {
  ppName: 'propagationpolicy.karmada.io/name',
  ppNamespace: 'propagationpolicy.karmada.io/namespace',
  rbName: 'resourcebinding.karmada.io/name',
  rbNamespace: 'resourcebinding.karmada.io/namespace',
  templateUid: 'resourcetemplate.karmada.io/uid',
  templateGeneration: 'resourcetemplate.karmada.io/generation',
  workName: 'work.karmada.io/name',
  workNamespace: 'work.karmada.io/namespace',
};

export type PolicyDeletion = 'keep' | 'remove';

/** A stable id derived from the uid (Karmada generates a UUID once and keeps it in a label). */
export const permanentId = (uid: string) => {
  const h = createHash('sha1').update(uid).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

export const bindingName = (template: KubeObject) => `${template['metadata'].name}-deployment`;

/** The claiming policy: the claimed one while it still matches, else highest priority, most specific, then name. */
function choosePolicy(template: KubeObject, policies: KubeObject[]): KubeObject | undefined {
  const claimed = template['metadata'].annotations?.[ANNOTATIONS.ppName];
  const ranked = policies
    .map((p) => {
      const selectors: ResourceSelector[] = p['spec']?.resourceSelectors ?? [];
      const specificity = Math.max(0, ...selectors.map((s) => selectorPriority(s, template, p['metadata'].namespace)));
      return { p, specificity, priority: Number(p['spec']?.priority ?? 0) };
    })
    .filter((x) => x.specificity > 0)
    .sort(
      (a, b) =>
        Number(b.p['metadata'].name === claimed) - Number(a.p['metadata'].name === claimed) ||
        b.priority - a.priority ||
        b.specificity - a.specificity ||
        (a.p['metadata'].name < b.p['metadata'].name ? -1 : 1),
    );
  return ranked[0]?.p;
}

/** Target clusters and replicas: Duplicated unless Divided scheduling is asked for. */
export function schedule(placement: KubeObject | undefined, members: string[], replicas: number): { name: string; replicas: number }[] {
  const affinity = placement?.['clusterAffinity'] ?? placement?.['clusterAffinities']?.[0];
  const targets = members.filter((m) => clusterMatches(affinity, m));
  const rs = placement?.['replicaScheduling'];
  if (!rs || rs.replicaSchedulingType === 'Duplicated') return targets.map((name) => ({ name, replicas }));
  const weights = targets.map((name) => {
    const rule = (rs.weightPreference?.staticWeightList ?? []).find((w: KubeObject) => clusterMatches(w['targetCluster'], name));
    return rule ? Number(rule.weight) : rs.weightPreference?.staticWeightList?.length ? 0 : 1;
  });
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  const shares = weights.map((w) => Math.floor((replicas * w) / total));
  let rest = replicas - shares.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0 && targets.length; i = (i + 1) % targets.length, rest--) shares[i]! += 1;
  return targets.map((name, i) => ({ name, replicas: shares[i]! })).filter((t) => t.replicas > 0);
}

function withClaim(template: KubeObject, policy: KubeObject | undefined): KubeObject {
  const meta = structuredClone(template['metadata']);
  const labels = { ...(meta.labels ?? {}) };
  const annotations = { ...(meta.annotations ?? {}) };
  delete labels[LABELS.ppPermanentId];
  delete annotations[ANNOTATIONS.ppName];
  delete annotations[ANNOTATIONS.ppNamespace];
  if (policy) {
    labels[LABELS.ppPermanentId] = policy['metadata'].labels?.[LABELS.ppPermanentId] ?? permanentId(policy['metadata'].uid);
    annotations[ANNOTATIONS.ppName] = policy['metadata'].name;
    annotations[ANNOTATIONS.ppNamespace] = policy['metadata'].namespace;
  }
  meta.labels = labels;
  meta.annotations = annotations;
  if (Object.keys(labels).length === 0) delete meta.labels;
  if (Object.keys(annotations).length === 0) delete meta.annotations;
  return { ...template, metadata: meta };
}

export function runScheduler(o: { karmada: Registry; members: string[]; now: number; policyDeletion: PolicyDeletion; memo?: Map<string, string> }): void {
  const { karmada } = o;
  const deployments = karmada.typeOf('deployments');
  const bindings = karmada.typeOf('resourcebindings');
  const policiesVersion = karmada.store.version('propagationpolicies');
  const seen = new Set<string>();
  for (const peeked of karmada.store.peekList('deployments')) {
    // Work on change: a template is scheduled again only when it, its binding or a policy changed.
    const key = `${peeked['metadata'].namespace}/${peeked['metadata'].name}`;
    seen.add(key);
    const fingerprint = `${peeked['metadata'].resourceVersion}|${policiesVersion}|${karmada.store.peek('resourcebindings', peeked['metadata'].namespace, bindingName(peeked))?.['metadata'].resourceVersion ?? ''}`;
    if (o.memo?.get(key) === fingerprint) continue;
    o.memo?.set(key, fingerprint);
    const template = karmada.store.get('deployments', peeked['metadata'].namespace, peeked['metadata'].name)!;
    const ns = template['metadata'].namespace;
    const policy = choosePolicy(template, karmada.store.list('propagationpolicies', ns));
    const claimed = withClaim(template, policy);
    const current = karmada.update(deployments, ns, template['metadata'].name, claimed, { internal: true });
    const name = bindingName(template);
    const existing = karmada.store.get('resourcebindings', ns, name);
    if (!policy) {
      if (existing && o.policyDeletion === 'remove') karmada.remove(bindings, ns, name);
      else if (existing) karmada.update(bindings, ns, name, withClaim(existing, undefined), { internal: true });
      continue;
    }
    const replicas: number = current['spec'].replicas ?? 1;
    const clusters = schedule(policy['spec'].placement, o.members, replicas);
    const meta = {
      name,
      namespace: ns,
      labels: { [LABELS.ppPermanentId]: policy['metadata'].labels?.[LABELS.ppPermanentId] ?? permanentId(policy['metadata'].uid), [LABELS.rbPermanentId]: permanentId(`${current['metadata'].uid}/rb`) },
      annotations: { [ANNOTATIONS.ppName]: policy['metadata'].name, [ANNOTATIONS.ppNamespace]: ns },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: current['metadata'].name, uid: current['metadata'].uid, controller: true, blockOwnerDeletion: true },
      ],
    };
    const spec = {
      resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: current['metadata'].name, uid: current['metadata'].uid, resourceVersion: current['metadata'].resourceVersion },
      replicas,
      placement: policy['spec'].placement ?? {},
      clusters,
      conflictResolution: policy['spec'].conflictResolution ?? 'Abort',
      schedulerName: policy['spec'].schedulerName ?? 'default-scheduler',
    };
    if (!existing) {
      karmada.create(bindings, ns, { metadata: meta, spec }, { internal: true });
      continue;
    }
    const changedClusters = JSON.stringify(existing['spec'].clusters) !== JSON.stringify(clusters);
    const status = { ...(existing['status'] ?? {}) };
    if (changedClusters || !status['lastScheduledTime']) status['lastScheduledTime'] = timestamp(o.now);
    karmada.update(bindings, ns, name, { ...existing, metadata: { ...existing['metadata'], ...meta }, spec, status }, { internal: true });
  }
  for (const key of o.memo?.keys() ?? []) if (!seen.has(key)) o.memo?.delete(key);
}
