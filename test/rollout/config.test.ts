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

  it.each([
    ['an unknown template variable, with a guess', (d: any) => d.apps[0].analysis.metrics.push({ name: 'custom', max: 1, query: 'sum(up{pod=~"{{canaryPod}}"})' }), 'apps[0].analysis.metrics[2].query: unknown variable {{canaryPod}}; did you mean {{canaryPods}}?'],
    ['a range no value can pass', (d: any) => (d.apps[0].analysis.metrics[0] = { name: 'request-success-rate', min: 99, max: 50 }), 'apps[0].analysis.metrics[0].max: max 50 is below min 99'],
    ['a metric listed twice', (d: any) => d.apps[0].analysis.metrics.push({ name: 'request-duration', max: 900 }), 'apps[0].analysis.metrics[2].name: metric "request-duration" is listed twice'],
    ['a Prometheus URL without a scheme', (d: any) => (d.fleet.clusters[0].prometheus.url = 'prometheus.member1:9090'), 'fleet.clusters[0].prometheus.url: must be an http:// or https:// URL'],
    ['a mistyped key, with a guess', (d: any) => ((d.apps[0].analysis.intervall = '1m'), delete d.apps[0].analysis.interval), 'apps[0].analysis.intervall: unknown key "intervall"; did you mean "interval"?'],
    ['a mistyped cluster, with a guess', (d: any) => (d.apps[0].clusters = ['member1', 'membr2']), 'apps[0].clusters[1]: "membr2" is not a fleet cluster (member1, member2, member3); did you mean "member2"?'],
  ])('reports %s', (_name, mutate, expected) => {
    expect(problems(mutate).join('\n')).toContain(expected);
  });

  it('accepts maxIncrease as a plain number, as documented (YAML reads `10` as a number)', () => {
    const config = testConfig((d) => (d.apps[0].analysis.metrics[1] = { name: 'request-duration', maxIncrease: 10, maxDecrease: 2.5 }));
    expect(config.apps[0]?.analysis.metrics[1]).toMatchObject({ maxIncrease: '10', maxDecrease: '2.5' });
    expect(problems((d) => (d.apps[0].analysis.metrics[1] = { name: 'request-duration', maxIncrease: -1 })).join('\n')).toContain('apps[0].analysis.metrics[1].maxIncrease');
  });

  it('reports problems across fields in the same pass as a field that does not parse', () => {
    const found = problems((d) => {
      d.apps[0].analysis.interval = 'soon';
      d.apps[0].clusters = ['member1', 'member9'];
      d.apps[0].analysis.metrics.push({ name: 'request-duration', max: 900 });
    });
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringContaining('apps[0].analysis.interval: "soon" is not a duration'),
        expect.stringContaining('apps[0].clusters[1]: "member9" is not a fleet cluster'),
        expect.stringContaining('metric "request-duration" is listed twice'),
      ]),
    );
  });

  it('a mistyped key is one problem, not also a missing one', () => {
    const found = problems((d) => ((d.apps[0].containr = d.apps[0].container), delete d.apps[0].container));
    expect(found).toEqual(['apps[0].containr: unknown key "containr"; did you mean "container"?']);
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
