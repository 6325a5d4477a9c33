// The pure parts of the traffic objects: pod counts for a weight, the weighted destinations, and
// the clear errors a misconfigured route gets before anything is written.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../rollout/kube/objects.js';
import { canaryService, podShare, replicasForWeight, routeIndex, weightedDestinations, type MeshTraffic } from '../../../rollout/traffic/route-objects.js';
import { testConfig } from '../../fixtures/config.js';

const istio: MeshTraffic = { provider: 'istio', stepWeight: 10, maxWeight: 50, service: 'checkout', port: 8080, virtualService: 'checkout', route: 'primary' };
const vs = (http: unknown[]): KubeObject => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'checkout', namespace: 'default' }, spec: { http } });

describe('traffic objects', () => {
  it('the replicas provider sizes the canary beside a base of 7: ceil, at least one, and reports the real share', () => {
    expect([10, 20, 30, 40, 50].map((w) => replicasForWeight(w, 7))).toEqual([1, 2, 3, 5, 7]);
    expect([10, 20, 30, 40, 50].map((w) => Math.round(podShare(replicasForWeight(w, 7), 7) * 10) / 10)).toEqual([12.5, 22.2, 30, 41.7, 50]);
    expect(replicasForWeight(5, 0)).toBe(1);
  });

  it('keeps the stable destination as written (subset, headers) and adds the canary Service', () => {
    const original = [{ destination: { host: 'checkout', subset: 'stable', port: { number: 8080 } }, headers: { request: { set: { x: '1' } } } }];
    expect(weightedDestinations(istio, original, 20)).toEqual([
      { destination: { host: 'checkout', subset: 'stable', port: { number: 8080 } }, headers: { request: { set: { x: '1' } } }, weight: 80 },
      { destination: { host: 'checkout-canary', port: { number: 8080 } }, weight: 20 },
    ]);
    const gateway: MeshTraffic = { ...istio, provider: 'gateway-api', virtualService: undefined, httpRoute: 'checkout' };
    expect(weightedDestinations(gateway, [{ name: 'other', port: 80 }, { name: 'checkout', port: 8080 }], 10)).toEqual([
      { name: 'checkout', port: 8080, weight: 90 },
      { name: 'checkout-canary', port: 8080, weight: 10 },
    ]);
  });

  it('names what is wrong with the route or the Service, before anything is written', () => {
    expect(() => routeIndex(istio, vs([{ name: 'health', route: [] }, { name: 'api', route: [] }]))).toThrow('VirtualService default/checkout has no http entry "primary" (it has: health, api); fix canary.traffic.route');
    expect(() => routeIndex({ ...istio, route: 0 }, vs([{ name: 'redirect', redirect: { uri: '/x' } }]))).toThrow('http[0] has no route to split');
    expect(routeIndex(istio, vs([{ name: 'health', route: [] }, { name: 'primary', route: [] }]))).toBe(1);
    const app = testConfig().apps[0]!;
    expect(() => canaryService(app, istio, undefined, 'r-1', 'member1')).toThrow('Service default/checkout does not exist in member1; canary.traffic.service must name the stable Service');
  });
});
