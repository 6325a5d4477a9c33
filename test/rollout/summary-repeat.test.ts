// When a summary repeats the last one (updated in place) and when it is news (a new reply).
import { describe, expect, it } from 'vitest';
import type { ClusterState, Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { summaryRepeats } from '../../rollout/summary-repeat.js';
import { testConfig } from '../fixtures/config.js';

const T0 = Date.UTC(2026, 11, 3, 12);
const passing = (at: number): ClusterState => ({ canary: 'deployed', promoted: false, failedChecks: 0, lastVerdict: 'passed', history: [{ at, metrics: { 'request-success-rate': 99.9 } }] });

function waiting(lastTickAt: number, openedAt = T0): Rollout {
  const rollout = newRollout({ id: 'http-probe-app-1', app: testConfig().apps[0]!, version: 'v2', requester: 'U0DEV', nowMs: T0 - 600_000 });
  const cluster = Object.fromEntries(rollout.clusters.map((c) => [c, passing(lastTickAt)]));
  return { ...rollout, phase: 'awaiting-approval', cluster, gates: rollout.gates.map((g, i) => (i === 0 ? { ...g, state: 'open', openedAt } : g)) };
}

describe('summaryRepeats', () => {
  const same = (r: Rollout) => r.cluster;
  it.each([
    ['unchanged while the gate has waited since before the last summary', waiting(T0 + 60_000), same, true],
    ['the first summary after the gate opened (the last one came with the gate)', waiting(T0), same, false],
    ['a verdict flips', waiting(T0 + 60_000), (r: Rollout) => ({ ...r.cluster, member1: { ...r.cluster.member1!, lastVerdict: 'failed' as const, failedChecks: 1 } }), false],
    ['a failed check counted', waiting(T0 + 60_000), (r: Rollout) => ({ ...r.cluster, member2: { ...r.cluster.member2!, failedChecks: 1 } }), false],
    ['no gate waiting (analysing)', { ...waiting(T0 + 60_000), phase: 'analysing' as const }, same, false],
  ])('%s', (_name, before, after, expected) => {
    expect(summaryRepeats(before, after(before))).toBe(expected);
  });
});
