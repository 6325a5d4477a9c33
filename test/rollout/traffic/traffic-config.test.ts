import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../rollout/config.js';
import { trafficWeights } from '../../../rollout/traffic/traffic-config.js';
import { configDocument } from '../../fixtures/config.js';

function withTraffic(canary: Record<string, unknown>) {
  const doc = configDocument();
  doc.apps[0].canary = canary;
  return validateConfig(doc);
}

describe('canary.traffic in the config', () => {
  it('stepWeight 10 up to maxWeight 50 walks 10, 20, 30, 40, 50; steps are taken as listed', () => {
    expect(trafficWeights({ stepWeight: 10, maxWeight: 50 })).toEqual([10, 20, 30, 40, 50]);
    expect(trafficWeights({ stepWeight: 20, maxWeight: 50 })).toEqual([20, 40, 50]);
    expect(trafficWeights({ steps: [5, 10, 25, 50] })).toEqual([5, 10, 25, 50]);
    expect(trafficWeights({ steps: [5, 10, 25, 50], maxWeight: 25 })).toEqual([5, 10, 25]);
  });

  it('accepts each provider with what it needs and keeps the replica count beside it', () => {
    const replicas = withTraffic({ replicas: 1, traffic: { provider: 'replicas', stepWeight: 10, maxWeight: 50 } });
    expect(replicas.ok && replicas.config.apps[0]!.canary).toEqual({ replicas: 1, traffic: { provider: 'replicas', stepWeight: 10, maxWeight: 50, route: 0 } });
    const istio = withTraffic({ percentage: 10, traffic: { provider: 'istio', steps: [5, 10, 25, 50], service: 'checkout', port: 8080, virtualService: 'checkout', route: 'primary' } });
    expect(istio.ok).toBe(true);
    const gateway = withTraffic({ replicas: 2, traffic: { provider: 'gateway-api', stepWeight: 25, maxWeight: 50, service: 'checkout', port: 8080, httpRoute: 'checkout' } });
    expect(gateway.ok).toBe(true);
  });

  it('names what is missing or contradictory, at its path', () => {
    const result = withTraffic({ replicas: 1, traffic: { provider: 'istio', stepWeight: 10 } });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems.map(({ path, message }) => ({ path, message }));
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'apps[0].canary.traffic.maxWeight', message: 'stepWeight needs maxWeight: where the steps stop' },
        { path: 'apps[0].canary.traffic.service', message: expect.stringContaining('istio needs the stable Service') },
        { path: 'apps[0].canary.traffic.port', message: expect.stringContaining('needs the Service port') },
        { path: 'apps[0].canary.traffic.virtualService', message: 'istio needs the VirtualService that carries the split' },
      ]),
    );
    const both = withTraffic({ replicas: 1, traffic: { provider: 'replicas', stepWeight: 10, steps: [10], maxWeight: 50 } });
    expect(both.ok ? [] : both.problems.map((p) => p.message)).toContain('give stepWeight (with maxWeight) or steps: [5, 10, 25, 50], not both');
    const falling = withTraffic({ replicas: 1, traffic: { provider: 'replicas', steps: [10, 5] } });
    expect(falling.ok ? [] : falling.problems.map((p) => p.message)).toContain('steps must rise: each weight above the one before');
    const hundred = withTraffic({ replicas: 1, traffic: { provider: 'replicas', stepWeight: 50, maxWeight: 100 } });
    expect(hundred.ok ? [] : hundred.problems.map((p) => p.path)).toContain('apps[0].canary.traffic.maxWeight');
    const typo = withTraffic({ replicas: 1, traffic: { provider: 'linkerd', stepWeight: 10, maxWeight: 50 } });
    expect(typo.ok ? [] : typo.problems.map((p) => p.path)).toContain('apps[0].canary.traffic.provider');
  });
});
