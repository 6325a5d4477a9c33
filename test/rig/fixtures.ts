// What the rig tests roll out: an app's base Deployment as its owner wrote it, and a rollout
// moved to a stage (the state machine's job, not under test here).
import type { ClusterApi } from '../../rollout/kube/cluster-api.js';
import type { AppConfig } from '../../rollout/config.js';
import type { Rollout } from '../../rollout/model.js';
import type { KubeObject } from '../../rollout/kube/objects.js';
import { testConfig } from '../fixtures/config.js';

/** The test config's app, or a copy whose Deployment, container and app label are all `name`. */
export function rigApp(name?: string): AppConfig {
  const config = testConfig((doc) => {
    if (name) Object.assign(doc.apps[0], { name, deployment: name, container: name });
  });
  return config.apps[0]!;
}

/** The base Deployment (not rollgate's: no managed-by label), its version in env ROLLOUT_LABEL. */
export function baseDeployment(app: AppConfig, version = 'v1'): KubeObject {
  const labels = { app: app.deployment };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app.deployment, namespace: app.namespace, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: app.container, image: 'ghcr.io/cmontemuino/http-probe-test-app:v0.5.0', env: [{ name: 'ROLLOUT_LABEL', value: version }] }] },
      },
    },
  };
}

export const atStage = (rollout: Rollout, stage: number): Rollout => ({ ...rollout, stage });

/** An app with canary.traffic, rolled out to member1 only. */
export function trafficApp(name: string, traffic: Record<string, unknown>, mode: 'karmada' | 'direct' = 'direct'): AppConfig {
  return testConfig((doc) => {
    doc.fleet.mode = mode;
    Object.assign(doc.apps[0], { name, deployment: name, container: name, clusters: ['member1'], strategy: 'canary-first', canary: { replicas: 1, traffic } });
  }).apps[0]!;
}

/** The stable Service a mesh provider's canary Service copies. */
export function stableService(app: AppConfig, name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: app.namespace, labels: { app: app.deployment } },
    spec: { selector: { app: app.deployment }, ports: [{ name: 'http', port: 8080, targetPort: 8080 }] },
  };
}

/** A user's VirtualService: a health route first, the weighted one (`primary`) second. */
export const virtualService = (app: AppConfig, service: string): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: service, namespace: app.namespace, annotations: { 'team.example/owner': 'payments' } },
  spec: {
    hosts: [service],
    http: [
      { name: 'health', match: [{ uri: { prefix: '/healthz' } }], route: [{ destination: { host: service, port: { number: 8080 } } }] },
      { name: 'primary', retries: { attempts: 3 }, route: [{ destination: { host: `${service}.default.svc.cluster.local`, port: { number: 8080 } }, headers: { response: { set: { 'x-track': 'stable' } } } }] },
    ],
  },
});

export const httpRoute = (app: AppConfig, service: string): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: service, namespace: app.namespace },
  spec: { parentRefs: [{ name: 'public' }], hostnames: ['shop.example'], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: service, port: 8080 }] }] },
});

/** The rollout with these clusters deployed at these weights (the machine's job, not under test here). */
export const withWeight = (rollout: Rollout, weights: Record<string, number>): Rollout => ({
  ...rollout,
  cluster: Object.fromEntries(Object.entries(rollout.cluster).map(([name, state]) => [name, weights[name] === undefined ? state : { ...state, canary: 'deployed', weight: weights[name] }])),
});

/** Creates the object unless it exists (the rig is shared by every case). */
export async function createIfAbsent(api: ClusterApi, obj: KubeObject, resource: { group: string; version: string; plural: string }): Promise<void> {
  if (!(await api.get(resource, obj.metadata.namespace, obj.metadata.name))) await api.create(resource, obj);
}
