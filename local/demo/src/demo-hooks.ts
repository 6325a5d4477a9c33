// The demo's `checkout` app drives the load-tester stand-in as Flagger's podinfo tutorial does:
// a `rollout` load test every interval, and a `rollback` hook a person can fire with
//   curl -X POST LOADTESTER/rollback/open -d '{"name":"checkout","namespace":"default"}'
import type { DemoConfig } from './demo-config.js';

export function withDemoWebhooks(config: DemoConfig, loadTesterUrl: string, app = 'checkout'): DemoConfig {
  const webhooks = [
    { name: 'load-test', type: 'rollout', url: `${loadTesterUrl}/`, timeout: '15s', metadata: { cmd: 'hey -z 1m -q 10 -c 2 http://checkout-canary.default:8080/' } },
    { name: 'manual-rollback', type: 'rollback', url: `${loadTesterUrl}/rollback/check` },
  ];
  return { ...config, apps: config.apps.map((a) => (a.name === app ? { ...a, analysis: { ...a.analysis, webhooks } } : a)) };
}
