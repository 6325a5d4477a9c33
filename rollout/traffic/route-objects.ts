// The objects a traffic-weighted canary writes, as pure functions: the canary Service (only
// the canary pods), the weighted destinations on the user's VirtualService / HTTPRoute, the
// pod count the replicas provider needs for a weight, and the patches that keep the route's
// original beside it so rollback and finalize put it back exactly as it was.
import type { V1Service } from '@kubernetes/client-node';
import type { AppConfig } from '../config.js';
import { FleetError } from '../kube/fleet.js';
import { MANAGED_BY, ROLLOUT_ID_ANNOTATION, TRACK_LABEL, type KubeObject } from '../kube/objects.js';
import type { TrafficConfig } from './traffic-config.js';

/** On a route rollgate weighted (direct mode): the route's value before, to put back byte for byte. */
export const ORIGINAL_ROUTE_ANNOTATION = 'rollgate.dev/original-route';

export interface RouteResource {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export const VIRTUAL_SERVICES: RouteResource = { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', kind: 'VirtualService' };
export const HTTP_ROUTES: RouteResource = { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', kind: 'HTTPRoute' };

export type MeshTraffic = TrafficConfig & { provider: 'istio' | 'gateway-api'; service: string; port: number };

export const isMesh = (traffic: TrafficConfig | undefined): traffic is MeshTraffic => traffic !== undefined && traffic.provider !== 'replicas';

export const canaryServiceName = (traffic: MeshTraffic) => `${traffic.service}-canary`;
export const routeResource = (traffic: MeshTraffic): RouteResource => (traffic.provider === 'istio' ? VIRTUAL_SERVICES : HTTP_ROUTES);
export const routeName = (traffic: MeshTraffic): string => (traffic.provider === 'istio' ? traffic.virtualService : traffic.httpRoute) as string;
/** Karmada mode: the OverridePolicy that carries each cluster's weights on the route. */
export const trafficOverrideName = (traffic: MeshTraffic) => `${routeName(traffic)}-traffic-override`;
/** Karmada mode: the PropagationPolicy of the canary Service (not `-canary-propagation`: that may be the canary Deployment's). */
export const canaryServicePropagationName = (traffic: MeshTraffic) => `${canaryServiceName(traffic)}-service-propagation`;

/** Pods the replicas provider runs so that canary / (canary + base) is `weight` %: ceil, at least 1. */
export function replicasForWeight(weight: number, baseReplicas: number): number {
  return Math.max(1, Math.ceil((weight * baseReplicas) / (100 - weight)));
}

/** The share of pods, and so of requests through the shared Service, the canary really gets. */
export function podShare(canary: number, base: number): number {
  return canary + base === 0 ? 0 : (100 * canary) / (canary + base);
}

/** `<service>-canary`: the stable Service's ports, its selector narrowed to the canary's pods. */
export function canaryService(app: AppConfig, traffic: MeshTraffic, stable: V1Service | undefined, rolloutId: string, where: string): KubeObject {
  if (!stable?.spec?.selector) {
    throw new FleetError('misconfigured', `Service ${app.namespace}/${traffic.service} ${stable ? 'has no selector' : 'does not exist'} in ${where}; canary.traffic.service must name the stable Service`);
  }
  const ports = (stable.spec.ports ?? []).map((p) => ({
    ...(p.name !== undefined ? { name: p.name } : {}),
    ...(p.protocol !== undefined ? { protocol: p.protocol } : {}),
    ...(p.appProtocol !== undefined ? { appProtocol: p.appProtocol } : {}),
    port: p.port,
    ...(p.targetPort !== undefined ? { targetPort: p.targetPort } : {}),
  }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: canaryServiceName(traffic), namespace: app.namespace, labels: { ...MANAGED_BY }, annotations: { [ROLLOUT_ID_ANNOTATION]: rolloutId } },
    spec: { type: 'ClusterIP', selector: { ...stable.spec.selector, [TRACK_LABEL]: 'canary' }, ports },
  };
}

const arrayKey = (traffic: MeshTraffic) => (traffic.provider === 'istio' ? 'http' : 'rules');
const destinationsKey = (traffic: MeshTraffic) => (traffic.provider === 'istio' ? 'route' : 'backendRefs');

/** The index of the http route (istio) or rule (gateway-api) that carries the split, from canary.traffic.route. */
export function routeIndex(traffic: MeshTraffic, route: KubeObject): number {
  const entries = ((route.spec as Record<string, unknown> | undefined)?.[arrayKey(traffic)] ?? []) as { name?: string }[];
  const what = `${routeResource(traffic).kind} ${route.metadata.namespace}/${route.metadata.name}`;
  const index = typeof traffic.route === 'number' ? traffic.route : entries.findIndex((e) => e.name === traffic.route);
  if (index < 0 || index >= entries.length) {
    const names = entries.map((e, i) => e.name ?? String(i)).join(', ') || 'none';
    throw new FleetError('misconfigured', `${what} has no ${arrayKey(traffic)} entry ${JSON.stringify(traffic.route)} (it has: ${names}); fix canary.traffic.route`);
  }
  if (!Array.isArray((entries[index] as Record<string, unknown>)[destinationsKey(traffic)])) {
    throw new FleetError('misconfigured', `${what}: ${arrayKey(traffic)}[${index}] has no ${destinationsKey(traffic)} to split`);
  }
  return index;
}

/** JSON pointer of the destinations rollgate rewrites. */
export const destinationsPath = (traffic: MeshTraffic, index: number) => `/spec/${arrayKey(traffic)}/${index}/${destinationsKey(traffic)}`;

export function destinationsAt(traffic: MeshTraffic, route: KubeObject, index: number): unknown[] {
  const entries = (route.spec as Record<string, unknown[]>)[arrayKey(traffic)] as Record<string, unknown>[];
  return entries[index]?.[destinationsKey(traffic)] as unknown[];
}

function isStable(traffic: MeshTraffic, destination: unknown): boolean {
  const d = destination as { destination?: { host?: string }; name?: string };
  const name = traffic.provider === 'istio' ? d.destination?.host : d.name;
  return name === traffic.service || (name?.startsWith(`${traffic.service}.`) ?? false);
}

/** The route's destinations at `weight`: the stable one (as the user wrote it) at 100 - w, the canary Service at w. */
export function weightedDestinations(traffic: MeshTraffic, original: unknown[], weight: number): unknown[] {
  const stable = (original.find((d) => isStable(traffic, d)) ?? original[0]) as Record<string, unknown> | undefined;
  if (!stable) throw new FleetError('misconfigured', `the route has no destination for ${traffic.service}`);
  const canary =
    traffic.provider === 'istio'
      ? { destination: { host: canaryServiceName(traffic), port: { number: traffic.port } }, weight }
      : { name: canaryServiceName(traffic), port: traffic.port, weight };
  return [{ ...stable, weight: 100 - weight }, canary];
}

/** One OverridePolicy rule per weighted cluster (Karmada mode), in the rollout's cluster order. */
export function trafficOverridePolicy(app: AppConfig, traffic: MeshTraffic, template: KubeObject, rolloutId: string, weights: [string, number][]): KubeObject {
  const index = routeIndex(traffic, template);
  const original = destinationsAt(traffic, template, index);
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'OverridePolicy',
    metadata: { name: trafficOverrideName(traffic), namespace: app.namespace, labels: { ...MANAGED_BY }, annotations: { [ROLLOUT_ID_ANNOTATION]: rolloutId } },
    spec: {
      resourceSelectors: [{ apiVersion: template.apiVersion, kind: template.kind, name: template.metadata.name }],
      overrideRules: weights.map(([cluster, weight]) => ({
        targetCluster: { clusterNames: [cluster] },
        overriders: { plaintext: [{ path: destinationsPath(traffic, index), operator: 'replace', value: weightedDestinations(traffic, original, weight) }] },
      })),
    },
  };
}
