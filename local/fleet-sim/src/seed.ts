// The apps the fleet starts with: base Deployments (and, in Karmada mode, their
// PropagationPolicies to every member), shaped like the side-by-side canary seed.
import type { KubeObject } from './kube/store.js';

export interface SeedApp {
  name: string;
  namespace?: string;
  replicas: number;
  container: string;
  image: string;
  env?: { name: string; value: string }[];
  /** Pod template and selector labels; default {app: name}. */
  labels?: Record<string, string>;
  port?: number;
  /** Members it is propagated to; default all. */
  clusters?: string[];
}

export const DEFAULT_SEED: SeedApp[] = [
  {
    name: 'http-probe-app',
    replicas: 2,
    container: 'http-probe-app',
    image: 'ghcr.io/cmontemuino/http-probe-test-app:v0.5.0',
    env: [{ name: 'ROLLOUT_LABEL', value: 'v1' }],
    port: 8080,
  },
  {
    name: 'checkout',
    replicas: 7,
    container: 'checkout',
    image: 'registry.local/shop/checkout:v1',
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      // Not a version: checkout's version is its image tag (config `version: {image: true}`).
      { name: 'FEATURE_FLAGS', value: 'none' },
    ],
    port: 8080,
  },
];

export function seedDeployment(app: SeedApp): KubeObject {
  const labels = app.labels ?? { app: app.name };
  const port = app.port ?? 8080;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app.name, namespace: app.namespace ?? 'default', labels: { ...labels } },
    spec: {
      replicas: app.replicas,
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          containers: [
            {
              name: app.container,
              image: app.image,
              ports: [{ containerPort: port }],
              ...(app.env?.length ? { env: app.env.map((e) => ({ ...e })) } : {}),
              resources: { requests: { cpu: '25m', memory: '64Mi' }, limits: { cpu: '25m', memory: '64Mi' } },
              readinessProbe: { httpGet: { path: '/readyz', port }, initialDelaySeconds: 3, periodSeconds: 5 },
            },
          ],
        },
      },
    },
  };
}

export function seedPropagationPolicy(app: SeedApp, members: string[]): KubeObject {
  return {
    apiVersion: 'policy.karmada.io/v1alpha1',
    kind: 'PropagationPolicy',
    metadata: { name: `${app.name}-propagation`, namespace: app.namespace ?? 'default' },
    spec: {
      resourceSelectors: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: app.name }],
      placement: { clusterAffinity: { clusterNames: app.clusters ?? members } },
    },
  };
}

/**
 * The app's Service and the routes in front of it (an Istio VirtualService and a Gateway API
 * HTTPRoute, both named like the app), as its owner would have them: what canary.traffic weights.
 */
export function seedRouting(app: SeedApp): KubeObject[] {
  const labels = app.labels ?? { app: app.name };
  const namespace = app.namespace ?? 'default';
  const port = app.port ?? 8080;
  return [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: app.name, namespace, labels: { ...labels } }, spec: { selector: { ...labels }, ports: [{ name: 'http', port, targetPort: port }] } },
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: app.name, namespace },
      spec: { hosts: [app.name], http: [{ name: 'primary', route: [{ destination: { host: app.name, port: { number: port } } }] }] },
    },
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: { name: app.name, namespace },
      spec: { parentRefs: [{ name: 'mesh-gateway' }], rules: [{ name: 'primary', backendRefs: [{ name: app.name, port }] }] },
    },
  ];
}
