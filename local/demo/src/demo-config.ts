// The config local mode runs with: the simulated fleet's three members and two apps, as a YAML
// file would give it (rollgate validates it when the demo hands it over).

/** Just what the demo itself reads of its config. */
export interface DemoConfig {
  fleet: unknown;
  apps: { name: string; analysis: Record<string, unknown>; [field: string]: unknown }[];
}

export function demoConfig(prometheusUrl: (cluster: string) => string, pace: 'interactive' | 'script'): DemoConfig {
  const clusters = ['member1', 'member2', 'member3'];
  const analysis = pace === 'script' ? { interval: '1s', iterations: 1, failureLimit: 2 } : { interval: '5s', iterations: 2, failureLimit: 2 };
  const metrics = [
    { name: 'request-success-rate', min: 99 },
    { name: 'request-duration', max: 500 },
  ];
  // Interactively, Rollback asks why (the reason modal) and approvers get a DM when a gate opens;
  // the scripted run keeps one-click decisions.
  const asks = pace === 'interactive' ? { reasons: { rollback: 'required', approve: 'optional' }, notify: 'dm' } : {};
  const approvals = { approvers: { users: ['U0LEAD'], groups: ['S0SRE'] }, allowSelfApproval: false, ...asks };
  // checkout walks its traffic up in steps (Flagger's stepWeight) on its Istio VirtualService; the
  // dry-run metric shows the canary's share of the requests moving with each step.
  const checkoutTraffic = { provider: 'istio', stepWeight: 10, maxWeight: 50, service: 'checkout', port: 8080, virtualService: 'checkout' };
  const trafficShare = {
    name: 'canary-traffic-share',
    query: 'sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{canaryPods}}"}[{{interval}}])) / sum(rate(http_requests_total{namespace="{{namespace}}",pod=~"{{deployment}}-.*"}[{{interval}}])) * 100',
    max: 100,
    dryRun: true,
  };
  const common = { channel: 'C0ROLLOUTS', clusters, analysis: { ...analysis, metrics }, approvals };
  return {
    fleet: {
      mode: 'karmada',
      karmada: { context: 'karmada-apiserver' },
      clusters: clusters.map((name) => ({ name, context: name, prometheus: { url: prometheusUrl(name) } })),
    },
    apps: [
      { ...common, name: 'http-probe-app', deployment: 'http-probe-app', container: 'http-probe-app', version: { env: 'ROLLOUT_LABEL' }, strategy: 'per-cluster', canary: { replicas: 1 } },
      { ...common, name: 'checkout', deployment: 'checkout', container: 'checkout', version: { image: true }, strategy: 'canary-first', canary: { replicas: 1, traffic: checkoutTraffic }, analysis: { ...analysis, metrics: [...metrics, trafficShare] } },
    ],
  };
}
