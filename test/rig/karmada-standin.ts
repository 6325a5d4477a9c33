// What Karmada's controllers would do, for the whole-stack tests on the rig (whose
// karmada-apiserver has Karmada's CRDs but none of its controllers): the resource templates of
// one namespace (Deployments, Services, VirtualServices) selected by a PropagationPolicy are
// copied to the member clusters its placement names, with the OverridePolicies' plaintext
// overriders applied per cluster (the only overrider rollgate writes); copies no longer wanted
// are deleted; each propagated Deployment gets its ResourceBinding `<name>-deployment` whose
// status.aggregatedStatus reflects the members' Deployment status, as Karmada's status
// controller does. What it leaves out: scheduling (Duplicated only), label-selected clusters,
// ClusterPropagationPolicy, imageOverrider and the other overriders, Works.
import type { Json, RigRest } from './rig-rest.js';
import { collectionPath } from './rig-rest.js';

/** On every copy the stand-in wrote in a member, so it finds (and prunes) its own. */
export const PROPAGATED_LABEL = 'rig.karmada-standin/propagated';

const TEMPLATES = [
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
  { apiVersion: 'v1', kind: 'Service', plural: 'services' },
  { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', plural: 'virtualservices' },
] as const;
const POLICY = 'policy.karmada.io/v1alpha1';
const BINDINGS = collectionPath('work.karmada.io/v1alpha2', 'resourcebindings', 'NS');

export interface KarmadaStandIn {
  /** Resolves after one whole pass that started after this call (every change so far is propagated). */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const clone = <T>(value: T): T => structuredClone(value);

function selects(policy: Json, template: Json): boolean {
  return (policy.spec?.resourceSelectors ?? []).some(
    (s: Json) => s.apiVersion === template.apiVersion && s.kind === template.kind && (s.name === undefined || s.name === template.metadata.name),
  );
}

/** RFC 6901 pointer ops (replace / add / remove), as Karmada's plaintext overrider applies them. */
function applyPlaintext(target: Json, op: { path: string; operator: string; value?: unknown }): void {
  const keys = op.path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = keys.pop() as string;
  let node: any = target;
  for (const key of keys) {
    if (node[key] === undefined) throw new Error(`plaintext overrider: ${op.path} does not exist`);
    node = node[key];
  }
  if (op.operator === 'remove') {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else if (op.operator === 'add' && Array.isArray(node)) node.splice(last === '-' ? node.length : Number(last), 0, clone(op.value));
  else node[last] = clone(op.value);
}

/** The copy of `template` a member gets: its labels, annotations and spec, overridden for `cluster`. */
function memberCopy(template: Json, overrides: Json[], cluster: string): Json {
  const spec = clone(template.spec ?? {});
  if (template.kind === 'Service') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  const copy: Json = {
    apiVersion: template.apiVersion,
    kind: template.kind,
    metadata: {
      name: template.metadata.name,
      namespace: template.metadata.namespace,
      labels: { ...(template.metadata.labels ?? {}), [PROPAGATED_LABEL]: 'true' },
      ...(template.metadata.annotations ? { annotations: clone(template.metadata.annotations) } : {}),
    },
    spec,
  };
  const matching = overrides.filter((o) => selects(o, template)).sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
  for (const policy of matching) {
    for (const rule of policy.spec?.overrideRules ?? []) {
      const names: string[] | undefined = rule.targetCluster?.clusterNames;
      if (names && names.length > 0 && !names.includes(cluster)) continue;
      for (const op of rule.overriders?.plaintext ?? []) applyPlaintext(copy, op);
    }
  }
  return copy;
}

/** The Deployment status Karmada's interpreter reflects into aggregatedStatus (with the member's generation). */
function reflected(member: Json): Json {
  const s = member.status ?? {};
  const pick = ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration'];
  return { ...Object.fromEntries(pick.filter((k) => s[k] !== undefined).map((k) => [k, s[k]])), generation: member.metadata.generation };
}

/** `only`: the template names it propagates (other cases leave their own templates on the shared rig). */
export function startKarmadaStandIn(options: { karmada: RigRest; members: Record<string, RigRest>; namespace: string; only: (name: string) => boolean; everyMs?: number }): KarmadaStandIn {
  const { karmada, members, namespace, only } = options;
  const path = (t: { apiVersion: string; plural: string }) => collectionPath(t.apiVersion, t.plural, namespace);
  /** What was last written per member object, so an unchanged copy is not written again. */
  const written = new Map<string, string>();
  const bindingStatus = new Map<string, string>();
  let stopped = false;
  let passes = 0;
  let lastError: unknown;

  let failures: unknown[] = [];

  async function pass(): Promise<void> {
    failures = [];
    const [propagations, overrides, ...templates] = await Promise.all([
      karmada.list(collectionPath(POLICY, 'propagationpolicies', namespace)),
      karmada.list(collectionPath(POLICY, 'overridepolicies', namespace)),
      ...TEMPLATES.map((t) => karmada.list(path(t))),
    ]);
    const wanted = new Map<string, Map<string, Json>>(Object.keys(members).map((c) => [c, new Map()]));
    const deploymentsOn = new Map<string, string[]>();
    TEMPLATES.forEach((t, i) => {
      for (const template of templates[i] ?? []) {
        template.apiVersion = t.apiVersion;
        template.kind = t.kind;
        if (template.metadata.deletionTimestamp || !only(template.metadata.name)) continue;
        const policy = propagations.find((p) => selects(p, template));
        if (!policy) continue;
        const clusters = (policy.spec?.placement?.clusterAffinity?.clusterNames ?? Object.keys(members)).filter((c: string) => c in members);
        for (const cluster of clusters) wanted.get(cluster)?.set(`${t.plural}/${template.metadata.name}`, memberCopy(template, overrides, cluster));
        if (t.kind === 'Deployment') deploymentsOn.set(template.metadata.name, clusters);
      }
    });
    for (const [cluster, api] of Object.entries(members)) {
      const want = wanted.get(cluster) as Map<string, Json>;
      for (const t of TEMPLATES) {
        const live = await api.list(`${path(t)}?labelSelector=${encodeURIComponent(`${PROPAGATED_LABEL}=true`)}`);
        for (const obj of live) {
          if (!want.has(`${t.plural}/${obj.metadata.name}`)) {
            await api.request('DELETE', `${path(t)}/${obj.metadata.name}`);
            written.delete(`${cluster}/${t.plural}/${obj.metadata.name}`);
          }
        }
        for (const [key, copy] of want) {
          if (!key.startsWith(`${t.plural}/`)) continue;
          const text = JSON.stringify(copy);
          const exists = live.find((o) => o.metadata.name === copy.metadata.name);
          if (exists && written.get(`${cluster}/${key}`) === text) continue;
          try {
            if (!exists) await api.request('POST', path(t), copy);
            else {
              const body = clone(copy);
              body.metadata.resourceVersion = exists.metadata.resourceVersion;
              if (t.kind === 'Service') Object.assign(body.spec, { clusterIP: exists.spec?.clusterIP, clusterIPs: exists.spec?.clusterIPs });
              await api.request('PUT', `${path(t)}/${copy.metadata.name}`, body);
            }
            written.set(`${cluster}/${key}`, text);
          } catch (error) {
            // A conflict (a controller wrote in between) or a refusal: the next pass tries again; the others go on.
            failures.push(error);
          }
        }
      }
    }
    // ResourceBindings: one per propagated Deployment, its status from the members' copies.
    const bindings = BINDINGS.replace('NS', namespace);
    const memberDeployments = Object.fromEntries(
      await Promise.all(Object.entries(members).map(async ([cluster, api]) => [cluster, await api.list(path(TEMPLATES[0]))] as const)),
    );
    for (const binding of await karmada.list(bindings)) {
      const name = String(binding.metadata.name).replace(/-deployment$/, '');
      if (only(name) && !deploymentsOn.has(name)) {
        await karmada.request('DELETE', `${bindings}/${binding.metadata.name}`);
        bindingStatus.delete(binding.metadata.name);
      }
    }
    for (const [name, clusters] of deploymentsOn) {
      const bindingName = `${name}-deployment`;
      const aggregatedStatus = clusters.flatMap((cluster) => {
        const member = memberDeployments[cluster]?.find((d: Json) => d.metadata.name === name);
        return member ? [{ clusterName: cluster, applied: true, status: reflected(member) }] : [];
      });
      const status = { aggregatedStatus };
      const text = JSON.stringify(status);
      if (bindingStatus.get(bindingName) === text) continue;
      const exists = await karmada.request('GET', `${bindings}/${bindingName}`);
      if (!exists) {
        await karmada.request('POST', bindings, {
          apiVersion: 'work.karmada.io/v1alpha2',
          kind: 'ResourceBinding',
          metadata: { name: bindingName, namespace },
          spec: { resource: { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name } },
        });
      }
      await karmada.request('PATCH', `${bindings}/${bindingName}/status`, { status }, 'application/merge-patch+json');
      bindingStatus.set(bindingName, text);
    }
    if (failures.length > 0) throw failures[0];
  }

  const waiters: { after: number; resolve: () => void }[] = [];
  const loop = (async () => {
    while (!stopped) {
      try {
        await pass();
        lastError = undefined;
      } catch (error) {
        // A conflict (a controller wrote in between) or a template deleted mid-pass: the next pass sees it.
        lastError = error;
        bindingStatus.clear();
      }
      passes += 1;
      for (const waiter of waiters.filter((w) => passes > w.after)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      await new Promise((r) => setTimeout(r, options.everyMs ?? 250));
    }
  })();

  return {
    settled: () => new Promise<void>((resolve) => waiters.push({ after: passes + 1, resolve })),
    async stop() {
      stopped = true;
      await loop;
      if (lastError) console.warn(`karmada stand-in: last pass failed: ${String(lastError)}`);
    },
  };
}
