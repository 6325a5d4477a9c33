// The simulated fleet without its transport: one registry per API server, the controllers and
// their reconcile loop, the seed, and snapshots. The HTTP layer and in-process helpers share it.
import { runBindingController } from './karmada/binding-controller.js';
import { runScheduler, type PolicyDeletion } from './karmada/scheduler.js';
import { createPatcher } from './kube/patch.js';
import { createRegistry, type Registry } from './kube/registry.js';
import { karmadaTypes, memberTypes } from './kube/resource-types.js';
import { createObjectStore, type KubeObject } from './kube/store.js';
import type { ApiServer } from './kube/api-handler.js';
import { createDeploymentController, type DeploymentController } from './members/deployment-controller.js';
import { createFaultBook, type FaultBook } from './faults.js';
import { seedDeployment, seedPropagationPolicy, seedRouting, type SeedApp } from './seed.js';
import { versionOf } from './version.js';

export interface FleetStateOptions {
  mode: 'karmada' | 'direct';
  members: string[];
  seed: SeedApp[];
  readyDelayMs: number;
  rolloutStepMs: number;
  policyDeletion: PolicyDeletion;
  now: () => number;
  log: (line: string) => void;
}

export interface Fleet {
  readonly mode: 'karmada' | 'direct';
  readonly karmada: ApiServer | undefined;
  readonly members: Map<string, ApiServer>;
  readonly faults: FaultBook;
  /** Runs every controller until nothing changes (bounded). */
  reconcile(): void;
  reset(): void;
  snapshot(): FleetSnapshot;
  /** A write from outside the controllers (an API request, a test): time to reconcile. */
  onChange(listener: () => void): void;
  /** After every reconcile: when the controllers want to run again with no write (undefined: never). */
  onSettled(listener: (nextDueAt: number | undefined) => void): void;
}

export interface FleetSnapshot {
  mode: 'karmada' | 'direct';
  karmada?: { deployments: KubeObject[]; propagationPolicies: KubeObject[]; overridePolicies: KubeObject[]; resourceBindings: KubeObject[] };
  members: Record<string, { deployments: (KubeObject & { version: string })[]; pods: (KubeObject & { version: string })[] }>;
  faults: unknown[];
}

const NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function createFleet(o: FleetStateOptions): Fleet {
  const namespaces = [...new Set([...NAMESPACES, ...o.seed.map((a) => a.namespace ?? 'default')])];
  const faults = createFaultBook({ now: o.now });
  const listeners: (() => void)[] = [];
  const settledListeners: ((nextDueAt: number | undefined) => void)[] = [];
  let dirty = false;
  let settling = false;
  const makeServer = (name: string, types: ReturnType<typeof memberTypes>): ApiServer => {
    const store = createObjectStore();
    store.onChange(() => {
      dirty = true;
      // The controllers' own writes are settled by the loop that made them.
      if (!settling) for (const l of listeners) l();
    });
    const registry = createRegistry({ store, types, now: o.now, namespaces });
    return { name, registry, patcher: createPatcher(registry) };
  };
  const karmada = o.mode === 'karmada' ? makeServer('karmada', karmadaTypes()) : undefined;
  const members = new Map(o.members.map((m) => [m, makeServer(m, memberTypes())]));
  const controllers: DeploymentController[] = [...members.values()].map((m, i) =>
    createDeploymentController({
      cluster: m.name,
      clusterIndex: i + 1,
      registry: m.registry,
      faults,
      now: o.now,
      readyDelayMs: o.readyDelayMs,
      rolloutStepMs: o.rolloutStepMs,
      log: o.log,
    }),
  );
  const memberRegistries = new Map([...members].map(([k, v]) => [k, v.registry]));
  // Controllers retry every pass; say the same thing at most once every 10 s.
  const lastSaid = new Map<string, number>();
  const controllerLog = (line: string) => {
    const at = lastSaid.get(line);
    if (at !== undefined && o.now() - at < 10_000) return;
    lastSaid.set(line, o.now());
    if (lastSaid.size > 500) lastSaid.clear();
    o.log(line);
  };

  let schedulerMemo = new Map<string, string>();
  let bindingMemo = new Map<string, string>();
  function pass(instant: boolean): void {
    if (karmada) {
      runScheduler({ karmada: karmada.registry, members: o.members, now: o.now(), policyDeletion: o.policyDeletion, memo: schedulerMemo });
      runBindingController({ karmada: karmada.registry, members: memberRegistries, now: o.now(), log: controllerLog, memo: bindingMemo });
    }
    for (const c of controllers) c.reconcile(instant);
  }

  function settle(instant: boolean): void {
    settling = true;
    let failed = false;
    try {
      for (let i = 0; i < 8; i++) {
        dirty = false;
        pass(instant);
        if (!dirty) break;
      }
    } catch (e) {
      failed = true;
      controllerLog(`fleet: reconcile failed: ${(e as Error).stack ?? String(e)}`);
    } finally {
      settling = false;
    }
    // Failed, or still dirty after 8 passes: try again shortly rather than wait for a write.
    const due = controllers.map((c) => c.nextDueAt()).filter((t): t is number => t !== undefined);
    const next = failed ? o.now() + 1000 : dirty ? o.now() + 50 : due.length ? Math.min(...due) : undefined;
    for (const l of settledListeners) l(next);
  }

  function seed(): void {
    for (const server of [karmada, ...members.values()]) {
      if (!server) continue;
      for (const ns of namespaces) {
        const nsType = server.registry.typeOf('namespaces');
        server.registry.create(nsType, '', { metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }, { internal: true });
      }
    }
    for (const app of o.seed) {
      const ns = app.namespace ?? 'default';
      // Its Service and routes: on Karmada as templates (the simulated mesh reads them with each
      // cluster's OverridePolicies applied; they are not copied to the members), else in each member.
      const routing = (reg: Registry) => {
        for (const obj of seedRouting(app)) reg.create(reg.typeOf(obj['kind'] === 'Service' ? 'services' : obj['kind'] === 'VirtualService' ? 'virtualservices' : 'httproutes'), ns, obj, { internal: true });
      };
      if (karmada) {
        const reg = karmada.registry;
        reg.create(reg.typeOf('deployments'), ns, seedDeployment(app), { internal: true });
        reg.create(reg.typeOf('propagationpolicies'), ns, seedPropagationPolicy(app, o.members), { internal: true });
        routing(reg);
      } else {
        for (const m of members.values()) {
          m.registry.create(m.registry.typeOf('deployments'), ns, seedDeployment(app), { internal: true });
          routing(m.registry);
        }
      }
    }
    settle(true);
    settle(true);
  }

  const list = (server: ApiServer, resource: string) => server.registry.store.list(resource);
  const fleet: Fleet = {
    mode: o.mode,
    karmada,
    members,
    faults,
    reconcile: () => settle(false),
    reset() {
      for (const server of [karmada, ...members.values()]) server?.registry.store.clear();
      for (const c of controllers) c.reset();
      schedulerMemo = new Map();
      bindingMemo = new Map();
      faults.clear();
      seed();
    },
    onChange: (listener) => void listeners.push(listener),
    onSettled: (listener) => void settledListeners.push(listener),
    snapshot() {
      const snap: FleetSnapshot = { mode: o.mode, members: {}, faults: faults.list() };
      if (karmada) {
        snap.karmada = {
          deployments: list(karmada, 'deployments'),
          propagationPolicies: list(karmada, 'propagationpolicies'),
          overridePolicies: list(karmada, 'overridepolicies'),
          resourceBindings: list(karmada, 'resourcebindings'),
        };
      }
      for (const [name, m] of members) {
        snap.members[name] = {
          deployments: list(m, 'deployments').map((d) => ({ ...d, version: versionOf(d['spec']?.template?.spec) })),
          pods: list(m, 'pods').map((p) => ({ ...p, version: versionOf(p['spec']) })),
        };
      }
      return snap;
    },
  };
  seed();
  return fleet;
}
