// rollgate's ServiceAccount on the rig, set up the way deploy/README.md tells an operator to:
// the admin applies deploy/kustomize's overlays (kubectl apply -k), then deploy/rollgate-kubeconfig.sh mints TokenRequest
// tokens into a kubeconfig. rollgate then authenticates as a real ServiceAccount
// (system:serviceaccount:rollgate:rollgate), not by impersonation.
import { join, resolve } from 'node:path';
import { AuthorizationV1Api, KubeConfig, type ApiConstructor, type ApiType } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { toFleetError } from '../../rollout/kube/cluster-api.js';
import { FleetError } from '../../rollout/kube/fleet.js';
import { asAdmin } from './rig.js';

const DEPLOY = resolve(import.meta.dirname, '../../deploy');

/** `kubectl apply -k deploy/kustomize/DIR`, as the operator does (e.g. `overlays/karmada/karmada-apiserver`). */
export function applyKustomization(context: string, dir: string): void {
  asAdmin('kubectl', ['--context', context, 'apply', '-k', join(DEPLOY, 'kustomize', dir)]);
}

/** A kubeconfig with these contexts of the rig, each authenticated as the rollgate ServiceAccount. */
export function rollgateKubeconfig(...contexts: string[]): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(asAdmin('bash', [join(DEPLOY, 'rollgate-kubeconfig.sh'), '-d', '1h', ...contexts]));
  return config;
}

/** A generated client-node API on one context of a kubeconfig. */
export function apiOn<T extends ApiType>(kubeconfig: KubeConfig, context: string, api: ApiConstructor<T>): T {
  const config = new KubeConfig();
  config.loadFromString(kubeconfig.exportConfig());
  config.setCurrentContext(context);
  return config.makeApiClient(api);
}

/** Runs a raw client-node call and reports its failure as rollgate does (a FleetError with a code). */
export async function asFleetCall(cluster: string, doing: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    throw toFleetError(error, cluster, doing);
  }
}

/**
 * What the identity may do in a namespace, as "group/resource verb" lines, according to the API
 * server's own RBAC authorizer (SelfSubjectRulesReview). Leaves out the self-review rules that
 * every authenticated user has (system:basic-user).
 */
export async function grantedRules(kubeconfig: KubeConfig, context: string, namespace: string): Promise<string[]> {
  const review = await apiOn(kubeconfig, context, AuthorizationV1Api).createSelfSubjectRulesReview({ body: { spec: { namespace } } });
  const lines = review.status?.resourceRules.flatMap((rule) => {
    if (rule.apiGroups?.includes('authorization.k8s.io')) return [];
    const names = rule.resourceNames?.length ? ` [${rule.resourceNames.join(',')}]` : '';
    return (rule.apiGroups ?? []).flatMap((group) =>
      (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb) => `${group || 'core'}/${resource} ${verb}${names}`)),
    );
  });
  return [...new Set(lines)].sort();
}

/** The API server refused the ServiceAccount (not some other identity), and rollgate says `forbidden`. */
export async function expectForbidden(call: Promise<unknown>, cluster: string): Promise<void> {
  const error = await call.then(() => undefined, (failure: unknown) => failure);
  expect(error).toBeInstanceOf(FleetError);
  expect(error).toMatchObject({ code: 'forbidden', cluster });
  expect((error as FleetError).message).toContain('User "system:serviceaccount:rollgate:rollgate" cannot');
}
