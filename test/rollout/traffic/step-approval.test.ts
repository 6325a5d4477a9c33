// approvals.trafficSteps: a passing interval offers the next weight per cluster instead of
// taking it; an approver's click (TrafficStepApproved) takes it once; Rollback stays possible.
import { describe, expect, it } from 'vitest';
import type { Effect, RolloutEvent } from '../../../rollout/events.js';
import { transition } from '../../../rollout/machine.js';
import type { ClusterTick, Rollout } from '../../../rollout/model.js';
import { newRollout } from '../../../rollout/plan.js';
import { rolloutSchema } from '../../../rollout/rollout-schema.js';
import { testConfig } from '../../fixtures/config.js';
import { applied } from '../../support/applied.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;
const lead = { user: 'U0LEAD', isApprover: true };

function start(trafficSteps = true): Rollout {
  const app = testConfig((doc) => {
    doc.apps[0].canary = { replicas: 1, traffic: { provider: 'replicas', stepWeight: 10, maxWeight: 30 } };
    doc.apps[0].analysis.iterations = 1;
    doc.apps[0].approvals = { ...(doc.apps[0].approvals ?? {}), trafficSteps };
  }).apps[0]!;
  return newRollout({ id: 'http-probe-app-1', app, version: 'v2', requester: 'U0DEV', strategy: 'canary-first', nowMs: T0 });
}

const apply = (rollout: Rollout, event: RolloutEvent, now = T0) => applied(rollout, event, now);

const tick = (ok = true): ClusterTick => ({ cluster: 'member1', metrics: [{ metric: 'request-success-rate', value: ok ? 99.9 : 80, min: 99, passed: ok, dryRun: false }] });
const steps = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'step' ? [`${e.step}@${(e.at - T0) / MIN}`] : []));
const state = (r: Rollout) => `${r.cluster['member1']?.weight ?? '-'}${r.cluster['member1']?.pendingWeight ? ` (offered ${r.cluster['member1']?.pendingWeight})` : ''}`;

/** At 10 %, shifted, analysing. */
function atFirstWeight(trafficSteps = true): Rollout {
  let r = apply(start(trafficSteps), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
  r = apply(r, { type: 'CanaryDeployed' }).rollout;
  r = apply(r, { type: 'ReadinessChecked', ready: true }).rollout;
  return apply(r, { type: 'TrafficShifted' }).rollout;
}

const increase = (weight: number, by = lead): RolloutEvent => ({ type: 'TrafficStepApproved', cluster: 'member1', weight, by });

describe('approvals.trafficSteps', () => {
  it('is off by default and kept in the stored rollout when on', () => {
    expect(start(false).settings.traffic?.approveSteps).toBeUndefined();
    expect(rolloutSchema.parse(JSON.parse(JSON.stringify(start()))).settings.traffic?.approveSteps).toBe(true);
  });

  it('a passing interval offers the step and keeps the weight; analysis goes on uncounted until the click, which takes the step once', () => {
    let r = atFirstWeight();
    let out = apply(r, { type: 'AnalysisTicked', results: [tick()] }, T0 + MIN);
    expect([state(out.rollout), steps(out.effects).join(' '), out.rollout.ticksInStage]).toEqual(['10 (offered 20)', 'tick@2', 0]);
    out = apply(out.rollout, { type: 'AnalysisTicked', results: [tick()] }, T0 + 2 * MIN);
    expect([state(out.rollout), steps(out.effects).join(' '), out.rollout.ticksInStage]).toEqual(['10 (offered 20)', 'tick@3', 0]);
    r = out.rollout;

    const clicked = apply(r, increase(20), T0 + 2.5 * MIN);
    expect([state(clicked.rollout), steps(clicked.effects).join(' ')]).toEqual(['20', 'shift-traffic@2.5']);
    expect(clicked.rollout.cluster['member1']?.stepApprovedBy).toBe('U0LEAD');
    expect(clicked.rollout.cluster['member1']?.weights?.map((w) => w.weight)).toEqual([10, 20]);
    // The double click: the second one finds the step taken, and nothing moves again.
    const twice = transition(clicked.rollout, increase(20), T0 + 2.5 * MIN);
    expect(twice.ok ? 'applied' : twice.refusal.code).toBe('already');
    const shifted = apply(clicked.rollout, { type: 'TrafficShifted' }, T0 + 2.5 * MIN);
    expect(steps(shifted.effects)).toEqual(['tick@3.5']);
  });

  it('a failing interval offers nothing; a click before any offer is refused', () => {
    const r = atFirstWeight();
    const failed = apply(r, { type: 'AnalysisTicked', results: [tick(false)] }, T0 + MIN);
    expect(state(failed.rollout)).toBe('10');
    const early = transition(failed.rollout, increase(20), T0 + MIN);
    expect(early.ok ? 'applied' : early.refusal.code).toBe('busy');
  });

  it('same approver rules as a gate: not the requester, only an approver', () => {
    const offered = apply(atFirstWeight(), { type: 'AnalysisTicked', results: [tick()] }, T0 + MIN).rollout;
    const self = transition(offered, increase(20, { user: 'U0DEV', isApprover: true }), T0 + MIN);
    expect(self.ok ? 'applied' : self.refusal.code).toBe('self-approval');
    const stranger = transition(offered, increase(20, { user: 'U0RANDOM', isApprover: false }), T0 + MIN);
    expect(stranger.ok ? 'applied' : stranger.refusal.code).toBe('not-an-approver');
  });

  it('Rollback stays available while a step is offered', () => {
    const offered = apply(atFirstWeight(), { type: 'AnalysisTicked', results: [tick()] }, T0 + MIN).rollout;
    const back = apply(offered, { type: 'RollbackRequested', by: lead }, T0 + MIN);
    expect(back.rollout.phase).toBe('rolling-back');
    const late = transition(back.rollout, increase(20), T0 + MIN);
    expect(late.ok ? 'applied' : late.refusal.code).toBe('busy');
  });

  it('at maxWeight nothing is offered and intervals count as without it', () => {
    let r = atFirstWeight();
    for (const weight of [20, 30]) {
      r = apply(r, { type: 'AnalysisTicked', results: [tick()] }, T0 + MIN).rollout;
      r = apply(r, increase(weight), T0 + MIN).rollout;
      r = apply(r, { type: 'TrafficShifted' }, T0 + MIN).rollout;
    }
    const out = apply(r, { type: 'AnalysisTicked', results: [tick()] }, T0 + 2 * MIN);
    expect([state(out.rollout), out.rollout.phase]).toEqual(['30', 'awaiting-approval']);
  });
});
