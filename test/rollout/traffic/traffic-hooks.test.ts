// Webhooks and weighted steps (Flagger): no weight before a cluster's pre-rollout hooks pass,
// and a confirm-traffic-increase hook that does not confirm keeps its cluster's weight while
// the interval runs again without counting.
import { describe, expect, it } from 'vitest';
import type { Effect, RolloutEvent } from '../../../rollout/events.js';
import type { ClusterTick, Rollout } from '../../../rollout/model.js';
import { newRollout } from '../../../rollout/plan.js';
import { rolloutSchema } from '../../../rollout/rollout-schema.js';
import type { HookCall } from '../../../rollout/webhooks/hook-call.js';
import { hookSample } from '../../../rollout/webhooks/hook-verdicts.js';
import { testConfig } from '../../fixtures/config.js';
import { applied } from '../../support/applied.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;

function start(hookTypes: HookCall['type'][]): Rollout {
  const app = testConfig((doc) => {
    doc.apps[0].canary = { replicas: 1, traffic: { provider: 'replicas', stepWeight: 10, maxWeight: 30 } };
    doc.apps[0].analysis.iterations = 1;
    doc.apps[0].analysis.webhooks = hookTypes.map((type) => ({ name: `${type}-hook`, type, url: 'http://loadtester.test/' }));
  }).apps[0]!;
  return newRollout({ id: 'http-probe-app-1', app, version: 'v2', requester: 'U0DEV', strategy: 'canary-first', nowMs: T0 });
}

const apply = (rollout: Rollout, event: RolloutEvent, now = T0) => applied(rollout, event, now);

const call = (type: HookCall['type'], status: number): HookCall => ({ name: `${type}-hook`, type, cluster: 'member1', status, ok: status >= 200 && status <= 202, attempts: 1, retries: 0, timeoutMs: 10_000 });
const tick = (...hooks: HookCall[]): ClusterTick => ({
  cluster: 'member1',
  metrics: [...hooks.map(hookSample), { metric: 'request-success-rate', value: 99.9, min: 99, passed: true, dryRun: false }],
});
const steps = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'step' ? [`${e.step}@${(e.at - T0) / MIN}`] : []));
const weight = (r: Rollout) => r.cluster['member1']?.weight ?? '-';

function ready(hookTypes: HookCall['type'][]): { rollout: Rollout; effects: Effect[] } {
  let r = apply(start(hookTypes), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
  r = apply(r, { type: 'CanaryDeployed' }).rollout;
  return apply(r, { type: 'ReadinessChecked', ready: true });
}

/** Ticks minute by minute with these member1 results, applying TrafficShifted after each shift; one line per tick. */
function run(r: Rollout, ticks: ClusterTick[]): { rollout: Rollout; trail: string[] } {
  const trail: string[] = [];
  ticks.forEach((result, i) => {
    const at = T0 + (i + 1) * MIN;
    const out = apply(r, { type: 'AnalysisTicked', results: [result] }, at);
    r = out.rollout;
    trail.push(`${weight(r)} [${steps(out.effects).join(' ')}] ${r.phase} ${r.ticksInStage}`);
    if (steps(out.effects).some((s) => s.startsWith('shift-traffic'))) r = apply(r, { type: 'TrafficShifted' }, at).rollout;
  });
  return { rollout: r, trail };
}

describe('pre-rollout hooks hold the first weight', () => {
  it('the plan says the app has pre-rollout hooks, and the stored rollout keeps it', () => {
    expect(start(['pre-rollout']).settings.traffic).toEqual({ provider: 'replicas', weights: [10, 20, 30], preRollout: true });
    expect(start(['rollout']).settings.traffic).toEqual({ provider: 'replicas', weights: [10, 20, 30] });
    expect(rolloutSchema.parse(JSON.parse(JSON.stringify(start(['pre-rollout'])))).settings.traffic?.preRollout).toBe(true);
  });

  it('ready canaries stay at weight 0 and analysis starts; the first weight comes at the interval the hooks pass, and that interval does not count', () => {
    const { rollout, effects } = ready(['pre-rollout']);
    expect(rollout.phase).toBe('analysing');
    expect(weight(rollout)).toBe('-');
    expect(steps(effects)).toEqual(['tick@1']); // no shift-traffic: nothing is written to the route
    const { trail } = run(rollout, [tick(call('pre-rollout', 500)), tick(call('pre-rollout', 200)), tick(), tick(), tick()]);
    expect(trail).toEqual([
      '- [tick@2] analysing 0', // failed: a failed check, no weight
      '10 [shift-traffic@2] analysing 0', // passed: the first weight
      '20 [shift-traffic@3] analysing 0',
      '30 [shift-traffic@4] analysing 0',
      '30 [tick@6] awaiting-approval 1', // the stage's gate opens
    ]);
  });

  it('without pre-rollout hooks the first weight is given at readiness, as before', () => {
    const { rollout, effects } = ready(['rollout']);
    expect(weight(rollout)).toBe(10);
    expect(steps(effects)).toEqual(['shift-traffic@0']);
  });
});

describe('confirm-traffic-increase holds a step', () => {
  const shifted = () => apply(ready(['confirm-traffic-increase']).rollout, { type: 'TrafficShifted' }).rollout;

  it('a passing interval whose hook did not confirm keeps the weight, is not counted and runs again; the next confirmed one steps', () => {
    const { trail, rollout } = run(shifted(), [
      tick(call('confirm-traffic-increase', 403)),
      tick(call('confirm-traffic-increase', 200)),
      tick(call('confirm-traffic-increase', 500)),
      tick(call('confirm-traffic-increase', 202)),
    ]);
    expect(trail).toEqual([
      '10 [tick@2] analysing 0',
      '20 [shift-traffic@2] analysing 0',
      '20 [tick@4] analysing 0',
      '30 [shift-traffic@4] analysing 0',
    ]);
    expect(rollout.cluster['member1']?.weights?.map((w) => w.weight)).toEqual([10, 20, 30]);
    expect(rollout.cluster['member1']?.failedChecks).toBe(0); // never a failed check
  });

  it('at maxWeight it no longer holds anything: the intervals count towards iterations', () => {
    const { trail } = run(shifted(), [tick(call('confirm-traffic-increase', 200)), tick(call('confirm-traffic-increase', 200)), tick(call('confirm-traffic-increase', 403))]);
    expect(trail.at(-1)).toBe('30 [tick@4] awaiting-approval 1');
  });
});
