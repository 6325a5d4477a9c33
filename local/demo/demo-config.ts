// The config local mode runs with: the simulated fleet's three members and two apps.
import { validateConfig, type Config } from '../../rollout/config.js';

export function demoConfig(prometheusUrl: (cluster: string) => string, pace: 'interactive' | 'script'): Config {
  const clusters = ['member1', 'member2', 'member3'];
  const analysis = pace === 'script' ? { interval: '1s', iterations: 1, failureLimit: 2 } : { interval: '5s', iterations: 2, failureLimit: 2 };
  const metrics = [
    { name: 'request-success-rate', min: 99 },
    { name: 'request-duration', max: 500 },
  ];
  const approvals = { approvers: { users: ['U0LEAD'], groups: ['S0SRE'] }, allowSelfApproval: false };
  const common = { channel: 'C0ROLLOUTS', clusters, analysis: { ...analysis, metrics }, approvals };
  const parsed = validateConfig({
    fleet: {
      mode: 'karmada',
      karmada: { context: 'karmada-apiserver' },
      clusters: clusters.map((name) => ({ name, context: name, prometheus: { url: prometheusUrl(name) } })),
    },
    apps: [
      { ...common, name: 'http-probe-app', deployment: 'http-probe-app', container: 'http-probe-app', version: { env: 'ROLLOUT_LABEL' }, strategy: 'per-cluster', canary: { replicas: 1 } },
      { ...common, name: 'checkout', deployment: 'checkout', container: 'checkout', version: { image: true }, strategy: 'canary-first', canary: { replicas: 1, traffic: { provider: 'replicas', stepWeight: 10, maxWeight: 50 } } },
    ],
  });
  if (!parsed.ok) throw new Error(`demo config is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return parsed.config;
}
