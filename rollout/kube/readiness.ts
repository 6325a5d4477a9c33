// "Fully rolled out and ready", judged from a Deployment's status the way `kubectl rollout
// status` judges it: the controller has seen the latest spec, every replica is updated,
// no old replica is left, and every one is available.
import type { Readiness } from './fleet.js';

export interface DeploymentStatusLike {
  replicas?: number;
  readyReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  generation?: number;
}

export interface ClusterProgress {
  cluster: string;
  ready: boolean;
  readyPods: number;
  desired: number;
  waitingFor?: string;
}

/** `status` undefined: the object is not there (or not applied) yet. Missing counts are zero, as the API omits them. */
export function deploymentProgress(cluster: string, what: string, desired: number, status: DeploymentStatusLike | undefined, generation?: number): ClusterProgress {
  const readyPods = Math.min(status?.readyReplicas ?? 0, desired);
  if (!status) return { cluster, ready: false, readyPods: 0, desired, waitingFor: `${cluster}: ${what} 0/${desired} ready (not created yet)` };
  const expectedGeneration = generation ?? status.generation;
  const observed = expectedGeneration === undefined || (status.observedGeneration ?? 0) >= expectedGeneration;
  const updated = status.updatedReplicas ?? 0;
  const complete =
    observed && updated >= desired && (status.replicas ?? 0) === desired && (status.readyReplicas ?? 0) >= desired && (status.availableReplicas ?? status.readyReplicas ?? 0) >= desired;
  if (complete) return { cluster, ready: true, readyPods, desired };
  const detail = !observed ? 'the change not yet seen by its controller' : `${readyPods}/${desired} ready, ${Math.min(updated, desired)}/${desired} updated`;
  return { cluster, ready: false, readyPods, desired, waitingFor: `${cluster}: ${what} ${detail}` };
}

export function combineReadiness(parts: (ClusterProgress | Readiness)[]): Readiness {
  const pods: Readiness['pods'] = {};
  const waiting: string[] = [];
  for (const part of parts) {
    if ('cluster' in part) {
      pods[part.cluster] = { ready: part.readyPods, total: part.desired };
      if (!part.ready) waiting.push(part.waitingFor ?? `${part.cluster}: not ready`);
    } else {
      Object.assign(pods, part.pods);
      if (part.waitingFor) waiting.push(part.waitingFor);
    }
  }
  return waiting.length === 0 ? { ready: true, pods } : { ready: false, waitingFor: waiting.join('; '), pods };
}
