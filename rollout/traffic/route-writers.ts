// Writes traffic weights to clusters. Direct mode: in each cluster, the canary Service and the
// weighted destinations on the user's route, whose original value rides along in an annotation
// (written in the same patch) so it is put back byte for byte. Karmada mode: the route template
// is never touched; one OverridePolicy rule per weighted cluster, removed to restore.
import type { V1Service } from '@kubernetes/client-node';
import type { AppConfig } from '../config.js';
import { applyObject, holds, OVERRIDE_POLICIES, PROPAGATION_POLICIES, SERVICES, type ClusterApi, type JsonPatchOp } from '../kube/cluster-api.js';
import { FleetError } from '../kube/fleet.js';
import { KARMADA_POLICY_API, MANAGED_BY, ROLLOUT_ID_ANNOTATION, type KubeObject } from '../kube/objects.js';
import {
  canaryService,
  canaryServiceName,
  canaryServicePropagationName,
  destinationsAt,
  destinationsPath,
  ORIGINAL_ROUTE_ANNOTATION,
  routeIndex,
  routeName,
  routeResource,
  trafficOverrideName,
  trafficOverridePolicy,
  weightedDestinations,
  type MeshTraffic,
} from './route-objects.js';

/** JSON pointer escaping for an annotation key ("rollgate.dev/x" -> "rollgate.dev~1x"). */
const annotationPath = (key: string) => `/metadata/annotations/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** What the annotation keeps: where rollgate wrote, what was there, and whether the object had annotations at all. */
interface OriginalRoute {
  path: string;
  value: unknown;
  hadAnnotations: boolean;
}

function readOriginal(text: string, where: string): OriginalRoute {
  try {
    const parsed = JSON.parse(text) as OriginalRoute;
    if (typeof parsed.path === 'string' && Array.isArray(parsed.value)) return parsed;
  } catch {
    // fall through
  }
  throw new FleetError('invalid', `${where}: annotation ${ORIGINAL_ROUTE_ANNOTATION} is not one rollgate wrote; remove it by hand after checking the route`);
}

async function readRoute(api: ClusterApi, app: AppConfig, traffic: MeshTraffic): Promise<KubeObject> {
  const kind = routeResource(traffic).kind;
  const route = await api.get<KubeObject>(routeResource(traffic), app.namespace, routeName(traffic));
  if (!route) throw new FleetError('misconfigured', `${kind} ${app.namespace}/${routeName(traffic)} does not exist in ${api.cluster}; canary.traffic names it`, api.cluster);
  return route;
}

/** Direct mode, one cluster: the canary Service, the weights on the route, and their removal. */
export function directRouteWriter(api: ClusterApi, app: AppConfig, traffic: MeshTraffic) {
  const where = `${routeResource(traffic).kind} ${app.namespace}/${routeName(traffic)} in ${api.cluster}`;
  return {
    async addCanaryService(rolloutId: string): Promise<void> {
      const stable = await api.get<V1Service>(SERVICES, app.namespace, traffic.service);
      await applyObject(api, canaryService(app, traffic, stable, rolloutId, api.cluster));
    },

    /** Sets the canary's weight; the first write keeps the original beside it. Writes nothing when the route already holds it. */
    async setWeight(weight: number): Promise<void> {
      const route = await readRoute(api, app, traffic);
      const saved = route.metadata.annotations?.[ORIGINAL_ROUTE_ANNOTATION];
      const index = routeIndex(traffic, route);
      const original: OriginalRoute = saved
        ? readOriginal(saved, where)
        : { path: destinationsPath(traffic, index), value: destinationsAt(traffic, route, index), hadAnnotations: route.metadata.annotations !== undefined };
      const desired = weightedDestinations(traffic, original.value as unknown[], weight);
      const current = destinationsAt(traffic, route, index);
      if (saved && holds(current, desired)) return;
      const ops: JsonPatchOp[] = [{ op: 'test', path: original.path, value: current }];
      if (!saved) {
        const text = JSON.stringify(original);
        ops.push(route.metadata.annotations ? { op: 'add', path: annotationPath(ORIGINAL_ROUTE_ANNOTATION), value: text } : { op: 'add', path: '/metadata/annotations', value: { [ORIGINAL_ROUTE_ANNOTATION]: text } });
      }
      ops.push({ op: 'replace', path: original.path, value: desired });
      await api.jsonPatch(routeResource(traffic), app.namespace, routeName(traffic), ops);
    },

    /** Puts the route back exactly as it was (nothing of rollgate's left), then deletes the canary Service. */
    async restore(): Promise<void> {
      const route = await api.get<KubeObject>(routeResource(traffic), app.namespace, routeName(traffic));
      const annotations = route?.metadata.annotations ?? {};
      const saved = annotations[ORIGINAL_ROUTE_ANNOTATION];
      if (route && saved !== undefined) {
        const original = readOriginal(saved, where);
        const onlyOurs = Object.keys(annotations).length === 1;
        await api.jsonPatch(routeResource(traffic), app.namespace, routeName(traffic), [
          { op: 'test', path: annotationPath(ORIGINAL_ROUTE_ANNOTATION), value: saved },
          { op: 'replace', path: original.path, value: original.value },
          !original.hadAnnotations && onlyOurs ? { op: 'remove', path: '/metadata/annotations' } : { op: 'remove', path: annotationPath(ORIGINAL_ROUTE_ANNOTATION) },
        ]);
      }
      await api.remove(SERVICES, app.namespace, canaryServiceName(traffic));
    },
  };
}

/** Karmada mode: the canary Service propagates like the canary Deployment; weights are OverridePolicy rules. */
export function karmadaRouteWriter(karmada: ClusterApi, app: AppConfig, traffic: MeshTraffic) {
  const propagation = (rolloutId: string, clusters: string[]): KubeObject => ({
    apiVersion: KARMADA_POLICY_API,
    kind: 'PropagationPolicy',
    metadata: { name: canaryServicePropagationName(traffic), namespace: app.namespace, labels: { ...MANAGED_BY }, annotations: { [ROLLOUT_ID_ANNOTATION]: rolloutId } },
    spec: {
      resourceSelectors: [{ apiVersion: 'v1', kind: 'Service', name: canaryServiceName(traffic) }],
      placement: { clusterAffinity: { clusterNames: [...clusters] } },
    },
  });
  return {
    async addCanaryService(rolloutId: string, clusters: string[]): Promise<void> {
      const stable = await karmada.get<V1Service>(SERVICES, app.namespace, traffic.service);
      await applyObject(karmada, canaryService(app, traffic, stable, rolloutId, 'the Karmada API server'));
      await applyObject(karmada, propagation(rolloutId, clusters));
    },

    /** Exactly these clusters get a weight (one rule each); none: the policy goes and every route is the template again. */
    async setWeights(rolloutId: string, weights: [string, number][]): Promise<void> {
      if (weights.length === 0) return karmada.remove(OVERRIDE_POLICIES, app.namespace, trafficOverrideName(traffic));
      const template = await readRoute(karmada, app, traffic);
      await applyObject(karmada, trafficOverridePolicy(app, traffic, template, rolloutId, weights));
    },

    async removeCanaryService(): Promise<void> {
      await karmada.remove(PROPAGATION_POLICIES, app.namespace, canaryServicePropagationName(traffic));
      await karmada.remove(SERVICES, app.namespace, canaryServiceName(traffic));
    },
  };
}
