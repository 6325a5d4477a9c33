import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../rollout/config.js';
import { configDocument, testConfig } from '../fixtures/config.js';

function problems(mutate: (doc: Record<string, any>) => void): string[] {
  const doc = configDocument();
  mutate(doc);
  const parsed = validateConfig(doc);
  return parsed.ok ? [] : parsed.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('config validation', () => {
  it('accepts the example and fills defaults', () => {
    const config = testConfig();
    const app = config.apps[0]!;
    expect(app.analysis.interval).toBe(60_000);
    expect(app.approvals.timeout).toBe(4 * 3_600_000);
    expect(app.approvals.onTimeout).toBe('rollback');
    expect(app.canary).toEqual({ replicas: 1 });
  });

  it.each([
    ['a bad duration', (d: any) => (d.apps[0].analysis.interval = 'soon'), 'apps[0].analysis.interval: "soon" is not a duration'],
    ['an unknown key', (d: any) => (d.apps[0].analysis.intervall = '1m'), 'apps[0].analysis'],
    ['an unknown cluster', (d: any) => (d.apps[0].clusters = ['member1', 'member9']), 'apps[0].clusters[1]: "member9" is not a fleet cluster'],
    ['a channel name instead of id', (d: any) => (d.apps[0].channel = '#rollouts'), 'apps[0].channel: must be a Slack channel id'],
    ['a custom metric without query', (d: any) => d.apps[0].analysis.metrics.push({ name: 'error-budget', max: 1 }), 'apps[0].analysis.metrics[2].query'],
    ['a metric without threshold', (d: any) => (d.apps[0].analysis.metrics[0] = { name: 'request-success-rate' }), 'apps[0].analysis.metrics[0]: give a threshold'],
    ['karmada mode without karmada', (d: any) => delete d.fleet.karmada, 'fleet.karmada: karmada mode needs'],
    ['direct mode without contexts', (d: any) => ((d.fleet.mode = 'direct'), delete d.fleet.clusters[1].context), 'fleet.clusters[1].context'],
    ['a zero failure limit', (d: any) => (d.apps[0].analysis.failureLimit = 0), 'apps[0].analysis.failureLimit'],
    ['a bad version form', (d: any) => (d.apps[0].version = { label: 'X' }), 'apps[0].version: write {env: VARIABLE}'],
    ['a bad approver id', (d: any) => (d.apps[0].approvals.approvers.users = ['lead']), 'apps[0].approvals.approvers.users[0]'],
  ])('reports %s with its path', (_name, mutate, expected) => {
    expect(problems(mutate).join('\n')).toContain(expected);
  });

  it('reports every problem, not just the first', () => {
    const found = problems((d) => {
      d.apps[0].analysis.interval = 'x';
      d.apps[0].channel = 'rollouts';
      d.apps[0].analysis.iterations = -1;
    });
    expect(found.length).toBeGreaterThanOrEqual(3);
  });
});
