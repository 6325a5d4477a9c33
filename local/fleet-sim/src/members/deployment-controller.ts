// One member cluster's Deployment + ReplicaSet controllers and a stand-in kubelet: pods per
// template hash, a rolling update one pod per step, readiness after a delay, injected restarts.
import type { FaultBook } from '../faults.js';
import type { Registry } from '../kube/registry.js';
import { selectorObjectMatches } from '../kube/label-selector.js';
import { clone, type KubeObject } from '../kube/store.js';
import { buildPod, createSuffixGenerator, setPodReady, templateHash } from './pod-factory.js';
import { deploymentStatus } from './deployment-status.js';

export interface DeploymentControllerOptions {
  cluster: string;
  clusterIndex: number;
  registry: Registry;
  faults: FaultBook;
  now: () => number;
  readyDelayMs: number;
  rolloutStepMs: number;
  log: (line: string) => void;
}

interface PodRuntime {
  deployUid: string;
  readyAt: number;
  restartedAt: Map<string, number>;
}

export interface DeploymentController {
  /** `instant`: pods created in this pass are Ready at once (a seed that starts warm). */
  reconcile(instant?: boolean): void;
  /**
   * When the last pass left work for later (a pod due Ready, the next rolling step, a repeated
   * restart, a progress deadline): the time to run again, on `now`. Undefined: only a write can.
   */
  nextDueAt(): number | undefined;
  reset(): void;
}

export function createDeploymentController(o: DeploymentControllerOptions): DeploymentController {
  const deployments = o.registry.typeOf('deployments');
  const pods = o.registry.typeOf('pods');
  const store = o.registry.store;
  let runtime = new Map<string, PodRuntime>();
  let lastStep = new Map<string, number>();
  let lastProgress = new Map<string, number>();
  let nextSuffix = createSuffixGenerator(o.cluster);
  let ipCounter = 10;
  let instantReady = false;
  // Work on change: a Deployment is reconciled when it, its pods or the pod faults changed since
  // its last reconcile (its fingerprint), or when a time it asked for is due.
  let fingerprints = new Map<string, string>();
  let dueBy = new Map<string, number>();
  let passNow = 0;
  let current = '';
  /** Something changes at `at` with no write to announce it: the fleet sets a timer for it. */
  const wake = (at: number) => {
    if (at > passNow && at < (dueBy.get(current) ?? Infinity)) dueBy.set(current, at);
  };

  const podKey = (p: KubeObject) => `${p['metadata'].namespace}/${p['metadata'].name}`;

  function createPod(d: KubeObject, hash: string, now: number): KubeObject {
    const name = `${d['metadata'].name}-${hash}-${nextSuffix()}`;
    const podIP = `10.244.${o.clusterIndex}.${ipCounter++ % 250 + 2}`;
    const pod = buildPod({ deployment: d, hash, name, cluster: o.cluster, podIP, nowMs: now });
    setPodReady(pod, false, now);
    const created = o.registry.create(pods, d['metadata'].namespace, pod, { internal: true });
    const readyAt = instantReady ? now : now + o.readyDelayMs;
    runtime.set(podKey(pod), { deployUid: d['metadata'].uid, readyAt, restartedAt: new Map() });
    lastProgress.set(d['metadata'].uid, now);
    wake(readyAt);
    return created;
  }

  function deletePod(p: Readonly<KubeObject>): void {
    store.remove('pods', p['metadata'].namespace, p['metadata'].name);
    runtime.delete(podKey(p));
  }

  /** Restarts from faults, then readiness; writes the pod only when its status changed. */
  function kubelet(p: KubeObject, now: number): boolean {
    const rt = runtime.get(podKey(p));
    if (!rt) return false;
    let changed = false;
    for (const f of o.faults.restartFaults()) {
      if (!new RegExp(f.pods).test(p['metadata'].name) || now < rt.readyAt) continue;
      const last = rt.restartedAt.get(f.id);
      if (last !== undefined && f.everyMs !== undefined && now - last < f.everyMs) wake(last + f.everyMs);
      if (last !== undefined && (f.everyMs === undefined || now - last < f.everyMs)) continue;
      rt.restartedAt.set(f.id, now);
      rt.readyAt = now + o.readyDelayMs;
      for (const c of p['status'].containerStatuses) {
        c.restartCount += 1;
        c.lastState = {
          terminated: {
            exitCode: f.oomKilled ? 137 : 1,
            reason: f.oomKilled ? 'OOMKilled' : 'Error',
            startedAt: c.state.running?.startedAt ?? null,
            finishedAt: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z'),
            containerID: c.containerID,
          },
        };
        c.state = { running: { startedAt: new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z') } };
      }
      changed = true;
    }
    // A notReady fault keeps matching pods from becoming Ready; pods already Ready stay so.
    const wasReady = p['status'].conditions.some((c: KubeObject) => c['type'] === 'Ready' && c['status'] === 'True');
    const ready = now >= rt.readyAt && (wasReady || !o.faults.podNeverReady(p['metadata'].name));
    if (now < rt.readyAt) wake(rt.readyAt);
    if (setPodReady(p, ready, now)) {
      changed = true;
      if (ready) lastProgress.set(rt.deployUid, now);
    }
    if (changed) o.registry.update(pods, p['metadata'].namespace, p['metadata'].name, p, { internal: true });
    return ready;
  }

  const isReady = (p: KubeObject) => p['status'].conditions.some((c: KubeObject) => c['type'] === 'Ready' && c['status'] === 'True');
  // Not-ready first, then newest first: the order a ReplicaSet scales down in.
  const scaleDownOrder = (a: KubeObject, b: KubeObject) =>
    Number(isReady(a)) - Number(isReady(b)) || (b['metadata'].creationTimestamp > a['metadata'].creationTimestamp ? 1 : -1);

  function reconcileDeployment(d: KubeObject, owned: KubeObject[], now: number): void {
    const uid = d['metadata'].uid;
    const hash = templateHash(d['spec'].template);
    const replicas: number = d['spec'].replicas ?? 1;
    const current = owned.filter((p) => p['metadata'].labels?.['pod-template-hash'] === hash);
    const old = owned.filter((p) => p['metadata'].labels?.['pod-template-hash'] !== hash);
    const readyNew = current.filter(isReady);
    // The pods after this pass, kept here rather than listed again from the store.
    const live = new Map(owned.map((p) => [podKey(p), p]));
    const create = () => {
      const p = createPod(d, hash, now);
      live.set(podKey(p), p);
    };
    const remove = (p: KubeObject) => {
      deletePod(p);
      live.delete(podKey(p));
    };
    if (old.length === 0 || current.length > replicas) {
      // Steady state or scaling: the ReplicaSet creates or removes all at once.
      for (let i = current.length; i < replicas; i++) create();
      [...current].sort(scaleDownOrder).slice(0, Math.max(0, current.length - replicas)).forEach(remove);
      if (old.length && current.length >= replicas) [...old].sort(scaleDownOrder).forEach(remove);
    } else {
      // Rolling update: an old pod goes once a new one is Ready; one new pod per step.
      const surplus = old.length + readyNew.length - replicas;
      [...old].sort(scaleDownOrder).slice(0, Math.max(0, surplus)).forEach(remove);
      const pending = current.length - readyNew.length;
      const nextStepAt = (lastStep.get(uid) ?? -Infinity) + o.rolloutStepMs;
      if (current.length < replicas && pending === 0) {
        if (now >= nextStepAt) {
          create();
          lastStep.set(uid, now);
        } else wake(nextStepAt);
      }
    }
    if (!lastProgress.has(uid)) lastProgress.set(uid, now);
    const fresh = [...live.values()];
    const settled = old.length === 0 && current.length === replicas && readyNew.length === replicas;
    if (!settled) wake(lastProgress.get(uid)! + (d['spec'].progressDeadlineSeconds ?? 600) * 1000 + 1);
    const status = deploymentStatus({ deployment: d, pods: fresh, hash, now, lastProgressAt: lastProgress.get(uid)!, isReady });
    if (status) o.registry.update(deployments, d['metadata'].namespace, d['metadata'].name, { ...d, status }, { internal: true });
  }

  return {
    reconcile(instant = false) {
      instantReady = instant;
      const now = o.now();
      passNow = now;
      // Read in place: only what changed is copied and worked on.
      const all = store.peekList('deployments');
      const byUid = new Map(all.map((d) => [d['metadata'].uid as string, d]));
      const owned = new Map<string, Readonly<KubeObject>[]>();
      for (const p of store.peekList('pods')) {
        const rt = runtime.get(podKey(p));
        const d = rt && byUid.get(rt.deployUid);
        // Garbage collection: pods whose Deployment is gone, or no longer selects them.
        if (!d || !selectorObjectMatches(d['spec'].selector, p['metadata'].labels)) {
          deletePod(p);
          continue;
        }
        const mine = owned.get(d['metadata'].uid);
        if (mine) mine.push(p);
        else owned.set(d['metadata'].uid, [p]);
      }
      const podFaults = o.faults
        .list()
        .filter((f) => f.type === 'restarts' || f.type === 'notReady')
        .map((f) => f.id)
        .join();
      for (const d of all) {
        const uid: string = d['metadata'].uid;
        const pods = owned.get(uid) ?? [];
        const fingerprint = `${d['metadata'].resourceVersion}|${podFaults}|${pods.map((p) => `${p['metadata'].name}@${p['metadata'].resourceVersion}`).sort().join()}`;
        const due = dueBy.get(uid);
        if (!instant && fingerprints.get(uid) === fingerprint && (due === undefined || due > now)) continue;
        fingerprints.set(uid, fingerprint);
        dueBy.delete(uid);
        current = uid;
        const mine = pods.map((p) => clone(p) as KubeObject);
        for (const p of mine) kubelet(p, now);
        reconcileDeployment(clone(d) as KubeObject, mine, now);
      }
      for (const uid of fingerprints.keys()) {
        if (!byUid.has(uid)) {
          fingerprints.delete(uid);
          dueBy.delete(uid);
        }
      }
    },
    nextDueAt() {
      const times = [...dueBy.values()];
      return times.length > 0 ? Math.min(...times) : undefined;
    },
    reset() {
      fingerprints = new Map();
      dueBy = new Map();
      runtime = new Map();
      lastStep = new Map();
      lastProgress = new Map();
      nextSuffix = createSuffixGenerator(o.cluster);
      ipCounter = 10;
    },
  };
}
