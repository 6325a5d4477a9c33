// The "since ready" bound: which clusters' new-version pods are stamped ready, and how far back
// a tick's queries then look.
import { describe, expect, it } from 'vitest';
import { analysisWindowMs } from '../../rollout/analysis/window.js';
import { transition } from '../../rollout/machine.js';
import type { Rollout } from '../../rollout/model.js';
import type { RolloutEvent } from '../../rollout/events.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';

const T0 = 1_000_000;

function rollout(strategy: 'per-cluster' | 'canary-first', interval = '1m'): Rollout {
  const app = testConfig((doc) => (doc.apps[0].analysis.interval = interval)).apps[0]!;
  return newRollout({ id: 'r-window', app, version: 'v2', requester: 'U0DEV', strategy, nowMs: T0 });
}

function apply(r: Rollout, event: RolloutEvent, now: number): Rollout {
  const result = transition(r, event, now);
  if (!result.ok) throw new Error(JSON.stringify(result.refusal));
  return result.rollout;
}

describe('new-version pods stamped ready', () => {
  it('stamps the stage clusters when their canaries are ready, and again when a promotion is', () => {
    let r = apply(rollout('canary-first'), { type: 'RolloutStarted', fromVersion: 'v1' }, T0);
    r = apply(r, { type: 'CanaryDeployed' }, T0);
    r = apply(r, { type: 'ReadinessChecked', ready: false, waitingFor: 'member1: canary 0/1 ready' }, T0 + 2_000);
    expect(r.cluster.member1?.readyAt).toBeUndefined();
    r = apply(r, { type: 'ReadinessChecked', ready: true }, T0 + 4_000);
    expect([r.cluster.member1?.readyAt, r.cluster.member2?.readyAt]).toEqual([T0 + 4_000, undefined]);
    r = { ...r, phase: 'promoting', stage: 1 };
    r = apply(r, { type: 'PromotionApplied' }, T0 + 200_000);
    r = apply(r, { type: 'ReadinessChecked', ready: true }, T0 + 210_000);
    expect(r.cluster.member1?.readyAt).toBe(T0 + 210_000);
  });
});

describe('the query window', () => {
  const ready = (r: Rollout, at: number): Rollout => ({ ...r, cluster: { ...r.cluster, member1: { ...(r.cluster.member1 as Rollout['cluster'][string]), readyAt: at } } });

  it('is the interval, widened to 30 s, when readiness is not known (a rollout stored before this field)', () => {
    expect(analysisWindowMs(rollout('canary-first', '10s'), 'member1', T0)).toBe(30_000);
    expect(analysisWindowMs(rollout('canary-first', '2m'), 'member1', T0)).toBe(120_000);
  });

  it('never reaches back before the pods were ready, in whole seconds rounded down', () => {
    const r = ready(rollout('canary-first', '10s'), T0);
    expect(analysisWindowMs(r, 'member1', T0 + 12_700)).toBe(12_000);
    expect(analysisWindowMs(r, 'member1', T0 + 95_000)).toBe(30_000);
    expect(analysisWindowMs(r, 'member2', T0 + 12_700)).toBe(30_000);
  });

  it('is never under the interval itself (a tick comes an interval after readiness at the earliest)', () => {
    expect(analysisWindowMs(ready(rollout('canary-first', '10s'), T0), 'member1', T0 + 3_000)).toBe(10_000);
    expect(analysisWindowMs(ready(rollout('canary-first', '1s'), T0), 'member1', T0 + 300)).toBe(1_000);
  });
});
