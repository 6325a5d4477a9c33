// What Karmada reports: per-cluster aggregatedStatus items (the reflected Deployment status and
// its interpreted health), the binding's Scheduled/FullyApplied conditions, and the template's
// aggregated status.
import { timestamp } from '../kube/registry.js';
import type { KubeObject } from '../kube/store.js';
import { ANNOTATIONS } from './scheduler.js';

export type AppliedResult = { applied: true; object: KubeObject } | { applied: false; message: string };

const COUNTS = ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const;

/** reflectDeploymentStatus: FederatedGeneration + the DeploymentStatus counts, zeros omitted. */
export function reflectStatus(member: KubeObject): KubeObject | undefined {
  const s = member['status'];
  if (!s) return undefined;
  const out: KubeObject = {
    generation: member['metadata'].generation,
    resourceTemplateGeneration: Number(member['metadata'].annotations?.[ANNOTATIONS.templateGeneration] ?? 0),
    observedGeneration: s.observedGeneration,
  };
  for (const k of COUNTS) out[k] = s[k];
  const filtered = Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined && v !== 0));
  return Object.keys(filtered).length ? filtered : undefined;
}

/** interpretDeploymentHealth. */
export function deploymentHealthy(d: KubeObject): boolean {
  const s = d['status'] ?? {};
  if ((s.observedGeneration ?? 0) !== d['metadata'].generation) return false;
  if ((s.updatedReplicas ?? 0) < (d['spec'].replicas ?? 1)) return false;
  return (s.availableReplicas ?? 0) >= (s.updatedReplicas ?? 0);
}

export function aggregatedItem(cluster: string, result: AppliedResult, member: KubeObject | undefined): KubeObject {
  if (!result.applied) return { clusterName: cluster, applied: false, appliedMessage: result.message, health: 'Unknown' };
  const status = member ? reflectStatus(member) : undefined;
  const item: KubeObject = { clusterName: cluster, applied: true, health: 'Unknown' };
  if (status && member) {
    item['status'] = status;
    item['health'] = deploymentHealthy(member) ? 'Healthy' : 'Unhealthy';
  }
  return item;
}

function condition(type: string, ok: boolean, reason: string, message: string, prev: KubeObject | undefined, now: number): KubeObject {
  const status = ok ? 'True' : 'False';
  return { type, status, reason, message, lastTransitionTime: prev?.['status'] === status ? prev['lastTransitionTime'] : timestamp(now) };
}

export function bindingConditions(binding: KubeObject, items: KubeObject[], now: number): KubeObject[] {
  const prev = (type: string) => (binding['status']?.conditions ?? []).find((c: KubeObject) => c['type'] === type);
  const targets = (binding['spec'].clusters ?? []).length;
  const scheduled = targets > 0;
  const fully = scheduled && items.length === targets && items.every((i) => i['applied']);
  return [
    scheduled
      ? condition('Scheduled', true, 'Success', 'Binding has been scheduled successfully.', prev('Scheduled'), now)
      : condition('Scheduled', false, 'NoClusterFit', '0/0 clusters are available: no cluster fits.', prev('Scheduled'), now),
    fully
      ? condition('FullyApplied', true, 'FullyAppliedSuccess', 'All works have been successfully applied', prev('FullyApplied'), now)
      : condition('FullyApplied', false, 'FullyAppliedFailed', 'Failed to apply all works, see status.aggregatedStatus for details', prev('FullyApplied'), now),
  ];
}

/** aggregateDeploymentStatus: sums; observedGeneration once every member runs this generation. */
export function templateStatus(template: KubeObject, items: KubeObject[]): KubeObject | undefined {
  const gen = template['metadata'].generation;
  const sums: KubeObject = {};
  for (const k of COUNTS) sums[k] = items.reduce((n, i) => n + (i['status']?.[k] ?? 0), 0);
  const caughtUp = items.every(
    (i) => i['status'] && i['status'].resourceTemplateGeneration === gen && (i['status'].observedGeneration ?? 0) === (i['status'].generation ?? 0),
  );
  const observed = caughtUp ? gen : template['status']?.observedGeneration;
  const next: KubeObject = Object.fromEntries(Object.entries({ observedGeneration: observed, ...sums }).filter(([, v]) => v !== undefined && v !== 0));
  return JSON.stringify(next) === JSON.stringify(template['status'] ?? {}) ? undefined : next;
}
