// DeploymentStatus as pkg/controller/deployment computes it: counts, observedGeneration and the
// Available / Progressing conditions (zero counts omitted, as the Go JSON encoder does).
import { timestamp } from '../kube/registry.js';
import type { KubeObject } from '../kube/store.js';

export interface StatusInput {
  deployment: KubeObject;
  pods: KubeObject[];
  hash: string;
  now: number;
  lastProgressAt: number;
  isReady: (pod: KubeObject) => boolean;
}

function resolvePercent(value: unknown, replicas: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(String(value ?? ''));
  if (!m) return 0;
  const raw = (Number(m[1]) * replicas) / 100;
  return roundUp ? Math.ceil(raw) : Math.floor(raw);
}

/** maxUnavailable as the controller resolves it (both zero means one may be unavailable). */
export function maxUnavailable(d: KubeObject): number {
  const replicas: number = d['spec'].replicas ?? 1;
  const ru = d['spec'].strategy?.rollingUpdate ?? {};
  const surge = resolvePercent(ru.maxSurge ?? '25%', replicas, true);
  const unavailable = resolvePercent(ru.maxUnavailable ?? '25%', replicas, false);
  return surge === 0 && unavailable === 0 ? 1 : Math.min(unavailable, replicas);
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

function withTimes(next: Condition, prev: KubeObject | undefined, now: number): Condition {
  const at = timestamp(now);
  const sameStatus = prev && prev['status'] === next.status;
  const sameText = sameStatus && prev['reason'] === next.reason && prev['message'] === next.message;
  return {
    ...next,
    lastUpdateTime: sameText ? prev['lastUpdateTime'] : at,
    lastTransitionTime: sameStatus ? prev['lastTransitionTime'] : at,
  };
}

/** The new status, or undefined when nothing but timestamps would change. */
export function deploymentStatus({ deployment: d, pods, hash, now, lastProgressAt, isReady }: StatusInput): KubeObject | undefined {
  const replicas: number = d['spec'].replicas ?? 1;
  const rsName = `${d['metadata'].name}-${hash}`;
  const total = pods.length;
  const updated = pods.filter((p) => p['metadata'].labels?.['pod-template-hash'] === hash).length;
  const ready = pods.filter(isReady).length;
  const complete = updated === replicas && total === replicas && ready === replicas;
  const prev: KubeObject[] = d['status']?.conditions ?? [];
  const find = (type: string) => prev.find((c) => c['type'] === type);
  const available: Condition =
    ready >= replicas - maxUnavailable(d)
      ? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }
      : { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' };
  const deadlineMs = (d['spec'].progressDeadlineSeconds ?? 600) * 1000;
  let progressing: Condition;
  if (complete) {
    progressing = { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` };
  } else if (now - lastProgressAt > deadlineMs) {
    progressing = { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` };
  } else {
    progressing = { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` };
  }
  const counts: Record<string, number> = {
    observedGeneration: d['metadata'].generation,
    replicas: total,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: ready,
    unavailableReplicas: Math.max(0, total - ready),
  };
  const status: KubeObject = Object.fromEntries(Object.entries(counts).filter(([, v]) => v !== 0));
  status['conditions'] = [withTimes(available, find('Available'), now), withTimes(progressing, find('Progressing'), now)];
  const strip = (s: KubeObject | undefined) =>
    JSON.stringify({ ...s, conditions: (s?.['conditions'] ?? []).map(({ lastUpdateTime: _u, lastTransitionTime: _t, ...c }: KubeObject) => c) });
  return strip(status) === strip(d['status']) ? undefined : status;
}
