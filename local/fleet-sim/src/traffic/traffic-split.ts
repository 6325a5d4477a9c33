// How the simulated mesh splits a Service's requests: from the routes one cluster sees (its own
// in direct mode; on Karmada, the templates with that cluster's OverridePolicies applied), each
// Service whose route sends weight w to `<service>-canary` gives its canary pods w % of the
// requests and its other pods the rest. Without a weighted route every pod serves alike, so a
// canary's share follows the pod count (the replicas provider).
import { applyOverridePolicies } from '../karmada/overrides.js';
import type { KubeObject } from '../kube/store.js';

export const TRACK_LABEL = 'rollgate.dev/track';

interface Destination {
  name: string;
  weight: number;
}

function destinations(route: KubeObject): Destination[][] {
  if (route['kind'] === 'VirtualService') {
    return (route['spec']?.http ?? []).map((h: KubeObject) =>
      (h['route'] ?? []).map((d: KubeObject) => ({ name: String(d['destination']?.host ?? '').split('.')[0], weight: d['weight'] ?? (h['route'].length === 1 ? 100 : 0) })),
    );
  }
  return (route['spec']?.rules ?? []).map((r: KubeObject) => (r['backendRefs'] ?? []).map((b: KubeObject) => ({ name: String(b['name'] ?? ''), weight: b['weight'] ?? 1 })));
}

/** The canary's percentage of each stable Service's requests, by "namespace/service". */
export function canaryWeights(routes: KubeObject[]): Map<string, number> {
  const weights = new Map<string, number>();
  for (const route of routes) {
    for (const group of destinations(route)) {
      const total = group.reduce((sum, d) => sum + d.weight, 0);
      for (const canary of group.filter((d) => d.name.endsWith('-canary'))) {
        const stable = canary.name.slice(0, -'-canary'.length);
        if (total > 0 && group.some((d) => d.name === stable)) weights.set(`${route['metadata'].namespace}/${stable}`, (100 * canary.weight) / total);
      }
    }
  }
  return weights;
}

/** Routes as `cluster` sees them: Karmada templates go through that cluster's OverridePolicies. */
export function routesSeenBy(cluster: string, routes: KubeObject[], overridePolicies: KubeObject[] | undefined): KubeObject[] {
  if (!overridePolicies) return routes;
  return routes.map((route) => applyOverridePolicies(structuredClone(route), route, cluster, overridePolicies.filter((p) => p['metadata'].namespace === route['metadata'].namespace)).manifest);
}

const selects = (selector: Record<string, string>, labels: Record<string, string> | undefined) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/**
 * A request-rate factor per pod name: a Service's requests (each of its pods serving alike when
 * unweighted) go w % to its canary pods and the rest to the others, shared evenly on each side.
 */
export function requestFactors(services: KubeObject[], weights: Map<string, number>, pods: KubeObject[]): Map<string, number> {
  const factors = new Map<string, number>();
  for (const service of services) {
    const weight = weights.get(`${service['metadata'].namespace}/${service['metadata'].name}`);
    const selector: Record<string, string> | undefined = service['spec']?.selector;
    if (weight === undefined || !selector) continue;
    const members = pods.filter((p) => p['metadata'].namespace === service['metadata'].namespace && selects(selector, p['metadata'].labels));
    const canary = members.filter((p) => p['metadata'].labels?.[TRACK_LABEL] === 'canary');
    const stable = members.filter((p) => p['metadata'].labels?.[TRACK_LABEL] !== 'canary');
    if (canary.length === 0 || stable.length === 0) continue;
    const total = members.length;
    for (const pod of canary) factors.set(pod['metadata'].name, (total * weight) / 100 / canary.length);
    for (const pod of stable) factors.set(pod['metadata'].name, (total * (100 - weight)) / 100 / stable.length);
  }
  return factors;
}
