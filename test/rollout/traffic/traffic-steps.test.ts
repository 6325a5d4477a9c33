// Weighted steps in the state machine: weights per cluster, one step per fully passing
// interval, no advance on a failing one, iterations counted at maxWeight only.
import { describe, expect, it } from 'vitest';
import type { Effect, RolloutEvent } from '../../../rollout/events.js';
import { transition } from '../../../rollout/machine.js';
import type { ClusterTick, Rollout } from '../../../rollout/model.js';
import { newRollout } from '../../../rollout/plan.js';
import { testConfig } from '../../fixtures/config.js';
import { applied } from '../../support/applied.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;

function start(strategy: 'per-cluster' | 'canary-first' = 'per-cluster', traffic: Record<string, unknown> = { provider: 'replicas', stepWeight: 10, maxWeight: 50 }): Rollout {
  const app = testConfig((doc) => {
    doc.apps[0].canary = { replicas: 1, traffic };
    doc.apps[0].analysis.iterations = 2;
  }).apps[0]!;
  return newRollout({ id: 'http-probe-app-1', app, version: 'v2', requester: 'U0DEV', strategy, nowMs: T0 });
}

const apply = (rollout: Rollout, event: RolloutEvent, now = T0) => applied(rollout, event, now);

const tick = (cluster: string, ok = true): ClusterTick => ({
  cluster,
  metrics: [{ metric: 'request-success-rate', value: ok ? 99.9 : 80, min: 99, passed: ok, dryRun: false }],
});
const steps = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'step' ? [`${e.step}@${(e.at - T0) / MIN}`] : []));
const weights = (r: Rollout) => r.clusters.map((c) => r.cluster[c]?.weight ?? '-').join(' ');

function ready(strategy?: 'per-cluster' | 'canary-first'): { rollout: Rollout; effects: Effect[] } {
  let r = apply(start(strategy), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
  r = apply(r, { type: 'CanaryDeployed' }).rollout;
  return apply(r, { type: 'ReadinessChecked', ready: true });
}

describe('traffic-weighted steps', () => {
  it('the plan keeps the weights; ready canaries get the first weight before any interval runs', () => {
    expect(start().settings.traffic).toEqual({ provider: 'replicas', weights: [10, 20, 30, 40, 50] });
    const { rollout, effects } = ready();
    expect(rollout.phase).toBe('analysing');
    expect(weights(rollout)).toBe('10 10 10');
    expect(steps(effects)).toEqual(['shift-traffic@0']);
    const shifted = apply(rollout, { type: 'TrafficShifted' });
    expect(steps(shifted.effects)).toEqual(['tick@1']);
  });

  it('walks 10 → 20 → … → 50 one passing interval at a time, then opens the gate after `iterations` intervals at 50', () => {
    let r = apply(ready().rollout, { type: 'TrafficShifted' }).rollout;
    const trail: string[] = [];
    for (let i = 1; i <= 6; i++) {
      const ticked = apply(r, { type: 'AnalysisTicked', results: r.clusters.map((c) => tick(c)) }, T0 + i * MIN);
      r = ticked.rollout;
      trail.push(`${weights(r)} [${steps(ticked.effects).join(' ')}] ${r.phase} ${r.ticksInStage}`);
      if (steps(ticked.effects).some((s) => s.startsWith('shift-traffic'))) r = apply(r, { type: 'TrafficShifted' }, T0 + i * MIN).rollout;
    }
    expect(trail).toEqual([
      '20 20 20 [shift-traffic@1] analysing 0',
      '30 30 30 [shift-traffic@2] analysing 0',
      '40 40 40 [shift-traffic@3] analysing 0',
      '50 50 50 [shift-traffic@4] analysing 0',
      '50 50 50 [tick@6] analysing 1',
      '50 50 50 [tick@7] awaiting-approval 2',
    ]);
    expect(r.cluster['member1']?.weights?.map((w) => `${w.weight}@${(w.at - T0) / MIN}`)).toEqual(['10@0', '20@1', '30@2', '40@3', '50@4']);
  });

  it('a failing interval never advances a weight', () => {
    let r = apply(ready().rollout, { type: 'TrafficShifted' }).rollout;
    const failed = apply(r, { type: 'AnalysisTicked', results: [tick('member1'), tick('member2', false), tick('member3')] }, T0 + MIN);
    expect(weights(failed.rollout)).toBe('10 10 10');
    expect(steps(failed.effects)).toEqual(['tick@2']);
    r = failed.rollout;
    const second = apply(r, { type: 'AnalysisTicked', results: [tick('member1'), tick('member2', false), tick('member3')] }, T0 + 2 * MIN);
    expect(second.rollout.phase).toBe('rolling-back');
    expect(weights(second.rollout)).toBe('10 10 10');
  });

  it('canary-first weights only the first cluster; a redelivered TrafficShifted after the tick is refused, the weight stays', () => {
    let r = apply(ready('canary-first').rollout, { type: 'TrafficShifted', actual: { member1: 100 / 3 } }).rollout;
    expect(weights(r)).toBe('10 - -');
    expect(r.cluster['member1']?.actualWeight).toBeCloseTo(33.33, 1);
    r = apply(r, { type: 'AnalysisTicked', results: [tick('member1')] }, T0 + MIN).rollout;
    expect(weights(r)).toBe('20 - -');
    expect(r.cluster['member1']?.actualWeight).toBeUndefined();
    r = apply(r, { type: 'TrafficShifted' }, T0 + MIN).rollout;
    const again = transition(r, { type: 'AnalysisTicked', results: [tick('member1')] }, T0 + 2 * MIN);
    expect(again.ok && weights(again.rollout)).toBe('30 - -');
  });

  it('without canary.traffic nothing changes: no weights, no shift step', () => {
    const app = testConfig().apps[0]!;
    let r = newRollout({ id: 'x-1', app, version: 'v2', requester: 'U0DEV', nowMs: T0 });
    r = apply(r, { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
    r = apply(r, { type: 'CanaryDeployed' }).rollout;
    const out = apply(r, { type: 'ReadinessChecked', ready: true });
    expect(steps(out.effects)).toEqual(['tick@1']);
    expect(weights(out.rollout)).toBe('- - -');
    expect(out.rollout.settings.traffic).toBeUndefined();
  });
});
