import { describe, expect, it } from 'vitest';
import type { Effect, RolloutEvent } from '../../rollout/events.js';
import { created, transition } from '../../rollout/machine.js';
import type { ClusterTick, Rollout } from '../../rollout/model.js';
import { newRollout, planStages } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { refusalWords } from '../../bot/blocks/refusal-words.js';
import { applied } from '../support/applied.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;
const dev = { user: 'U0DEV', isApprover: false };
const lead = { user: 'U0LEAD', isApprover: true };
const guest = { user: 'U0GUEST', isApprover: false };

function start(strategy: 'per-cluster' | 'canary-first' = 'per-cluster', overrides: { autoPromote?: boolean } = {}): Rollout {
  const app = testConfig().apps[0]!;
  return newRollout({ id: 'http-probe-app-1', app, version: 'v2', requester: 'U0DEV', strategy, nowMs: T0, ...overrides });
}

const apply = (rollout: Rollout, event: RolloutEvent, now = T0) => applied(rollout, event, now);

const good = (cluster: string): ClusterTick => ({
  cluster,
  metrics: [
    { metric: 'request-success-rate', value: 99.9, min: 99, passed: true, dryRun: false },
    { metric: 'request-duration', value: 120, max: 500, passed: true, dryRun: false },
  ],
});
const bad = (cluster: string): ClusterTick => ({
  cluster,
  metrics: [
    { metric: 'request-success-rate', value: 85.2, min: 99, passed: false, dryRun: false },
    { metric: 'request-duration', value: 120, max: 500, passed: true, dryRun: false },
  ],
});

/** Drives a rollout from queued to the first gate (or past it with autoPromote). */
function toFirstGate(rollout: Rollout): Rollout {
  let r = apply(rollout, { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
  r = apply(r, { type: 'CanaryDeployed' }).rollout;
  r = apply(r, { type: 'ReadinessChecked', ready: true }).rollout;
  r = apply(r, { type: 'AnalysisTicked', results: r.clusters.map(good) }, T0 + MIN).rollout;
  return apply(r, { type: 'AnalysisTicked', results: r.clusters.map(good) }, T0 + 2 * MIN).rollout;
}

const steps = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'step' ? [`${e.step}@${e.at - T0}`] : []));
const notices = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'notify' ? [e.notice.kind] : []));

describe('plan', () => {
  it.each([
    ['per-cluster', ['m1', 'm2', 'm3'], 'canary(m1,m2,m3) promote(m1) promote(m2) promote(m3)'],
    ['canary-first', ['m1', 'm2', 'm3'], 'canary(m1) promote(m1) promote(m2,m3)'],
    ['canary-first', ['m1'], 'canary(m1) promote(m1)'],
  ] as const)('%s over %j', (strategy, clusters, expected) => {
    const text = planStages(strategy, [...clusters]).map((s) => `${s.action}(${s.clusters.join(',')})`).join(' ');
    expect(text).toBe(expected);
  });

  it('opens with a root message and the start step', () => {
    const rollout = start();
    expect(rollout.gates.map((g) => g.clusters)).toEqual([['member1'], ['member2'], ['member3']]);
    expect(created(rollout, T0)).toEqual([{ type: 'notify', notice: { kind: 'root' } }, { type: 'step', step: 'start', at: T0 }]);
  });
});

describe('transitions', () => {
  it('walks the happy path of per-cluster and bumps seq on every change', () => {
    let r = start();
    const trail: string[] = [];
    const go = (event: RolloutEvent, now = T0) => {
      const before = r.seq;
      const out = apply(r, event, now);
      expect(out.rollout.seq).toBe(before + 1);
      r = out.rollout;
      trail.push(`${event.type}->${r.phase} [${steps(out.effects).join(' ')}] {${notices(out.effects).join(' ')}}`);
    };
    go({ type: 'RolloutStarted', fromVersion: 'v1' });
    go({ type: 'CanaryDeployed' });
    go({ type: 'ReadinessChecked', ready: false });
    go({ type: 'ReadinessChecked', ready: true });
    go({ type: 'AnalysisTicked', results: r.clusters.map(good) }, T0 + MIN);
    go({ type: 'AnalysisTicked', results: r.clusters.map(good) }, T0 + 2 * MIN);
    go({ type: 'GateApproved', stage: 1, by: lead }, T0 + 3 * MIN);
    expect(trail).toEqual([
      'RolloutStarted->deploying [deploy-canary@0] {root-update}',
      'CanaryDeployed->waiting-ready [check-ready@2000] {root-update}',
      'ReadinessChecked->waiting-ready [check-ready@2000] {}',
      'ReadinessChecked->analysing [tick@60000] {root-update}',
      'AnalysisTicked->analysing [tick@120000] {summary root-update}',
      'AnalysisTicked->awaiting-approval [tick@180000] {summary gate-opened root-update}',
      'GateApproved->promoting [promote@180000] {gate-closed root-update}',
    ]);
    expect(r.gates[0]).toMatchObject({ state: 'approved', decidedBy: 'U0LEAD', decidedAt: T0 + 3 * MIN });
    expect(r.fromVersion).toBe('v1');
  });

  it('finalizes after the last stage and releases the app lock', () => {
    let r = toFirstGate(start());
    for (const stage of [1, 2, 3]) {
      r = apply(r, { type: 'GateApproved', stage, by: lead }).rollout;
      r = apply(r, { type: 'PromotionApplied' }).rollout;
      expect(r.cluster[`member${stage}`]?.promoted).toBe(true);
      r = apply(r, { type: 'ReadinessChecked', ready: true }).rollout;
      r = apply(r, { type: 'AnalysisTicked', results: r.clusters.map(good) }).rollout;
      const out = apply(r, { type: 'AnalysisTicked', results: r.clusters.map(good) });
      r = out.rollout;
      if (stage < 3) expect(r.phase).toBe('awaiting-approval');
      else expect(steps(out.effects)).toEqual(['finalize@0']);
    }
    const out = apply(r, { type: 'Finalized' });
    expect(out.rollout.phase).toBe('succeeded');
    expect(out.effects).toContainEqual({ type: 'release-lock' });
    expect(notices(out.effects)).toEqual(['root-update', 'finished', 'chart']);
  });

  it('canary-first deploys one canary, then promotes the first cluster and the rest', () => {
    let r = toFirstGate(start('canary-first'));
    expect(r.cluster.member1?.canary).toBe('deployed');
    expect(r.cluster.member2?.canary).toBe('none');
    r = apply(r, { type: 'GateApproved', stage: 1, by: lead }).rollout;
    r = apply(r, { type: 'PromotionApplied' }).rollout;
    r = apply(r, { type: 'ReadinessChecked', ready: true }).rollout;
    r = apply(r, { type: 'AnalysisTicked', results: [good('member1')] }).rollout;
    r = apply(r, { type: 'AnalysisTicked', results: [good('member1')] }).rollout;
    expect(r.gates[1]).toMatchObject({ state: 'open', clusters: ['member2', 'member3'] });
    r = apply(r, { type: 'GateApproved', stage: 2, by: lead }).rollout;
    r = apply(r, { type: 'PromotionApplied' }).rollout;
    expect([r.cluster.member2?.promoted, r.cluster.member3?.promoted]).toEqual([true, true]);
  });

  it('autoPromote promotes without a gate when the stage passes', () => {
    const r = toFirstGate(start('per-cluster', { autoPromote: true }));
    expect(r.phase).toBe('promoting');
    expect(r.gates[0]).toMatchObject({ state: 'approved', decidedBy: 'auto' });
  });

  it('counts failed checks per cluster and rolls back at the failure limit', () => {
    let r = apply(start(), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
    r = apply(r, { type: 'CanaryDeployed' }).rollout;
    r = apply(r, { type: 'ReadinessChecked', ready: true }).rollout;
    const first = apply(r, { type: 'AnalysisTicked', results: [good('member1'), bad('member2'), good('member3')] });
    expect(first.rollout.phase).toBe('analysing');
    expect(first.rollout.ticksInStage).toBe(0); // a failing interval does not advance the stage
    expect(first.rollout.cluster.member2?.failedChecks).toBe(1);
    const second = apply(first.rollout, { type: 'AnalysisTicked', results: [good('member1'), bad('member2'), good('member3')] }, T0 + MIN);
    expect(second.rollout.phase).toBe('rolling-back');
    expect(steps(second.effects)).toEqual([`rollback@${MIN}`]);
    expect(notices(second.effects)).toEqual(['summary', 'root-update']);
    expect(second.rollout.pendingOutcome).toMatchObject({ trigger: 'analysis', cause: { cluster: 'member2', failedChecks: 2 } });
    const done = apply(second.rollout, { type: 'RolledBack' }, T0 + 2 * MIN);
    expect(done.rollout.phase).toBe('rolled-back');
    expect(done.rollout.outcome).toMatchObject({ kind: 'rolled-back', trigger: 'analysis', at: T0 + 2 * MIN });
    expect(Object.values(done.rollout.cluster).map((c) => c.canary)).toEqual(['removed', 'removed', 'removed']);
    expect(notices(done.effects)).toEqual(['root-update', 'rolled-back', 'chart']);
  });

  it('opens the gate only after enough passing intervals', () => {
    let r = apply(start(), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
    r = apply(r, { type: 'CanaryDeployed' }).rollout;
    r = apply(r, { type: 'ReadinessChecked', ready: true }).rollout;
    r = apply(r, { type: 'AnalysisTicked', results: [good('member1'), bad('member2'), good('member3')] }).rollout;
    r = apply(r, { type: 'AnalysisTicked', results: r.clusters.map(good) }).rollout;
    expect(r.phase).toBe('analysing');
    r = apply(r, { type: 'AnalysisTicked', results: r.clusters.map(good) }).rollout;
    expect(r.phase).toBe('awaiting-approval');
    expect(r.cluster.member2?.failedChecks).toBe(1);
  });

  it('keeps analysing while a gate waits, and a failure then still rolls back', () => {
    let r = toFirstGate(start());
    const quiet = apply(r, { type: 'AnalysisTicked', results: r.clusters.map(good) }, T0 + 3 * MIN);
    expect(quiet.rollout.phase).toBe('awaiting-approval');
    expect(quiet.rollout.gates[0]?.state).toBe('open');
    expect(steps(quiet.effects)).toEqual([`tick@${4 * MIN}`]);
    r = apply(quiet.rollout, { type: 'AnalysisTicked', results: [good('member1'), bad('member2'), good('member3')] }, T0 + 4 * MIN).rollout;
    const out = apply(r, { type: 'AnalysisTicked', results: [good('member1'), bad('member2'), good('member3')] }, T0 + 5 * MIN);
    expect(out.rollout.phase).toBe('rolling-back');
    expect(out.rollout.gates[0]).toMatchObject({ state: 'closed' });
    expect(notices(out.effects)).toContain('gate-closed');
  });

  it('with a consecutiveErrorLimit, measurement errors are counted apart from failed checks', () => {
    const base = start();
    let r: Rollout = { ...base, settings: { ...base.settings, consecutiveErrorLimit: 3, failureLimit: 2 } };
    r = apply(r, { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
    r = apply(r, { type: 'CanaryDeployed' }).rollout;
    r = apply(r, { type: 'ReadinessChecked', ready: true }).rollout;
    const noData: ClusterTick = { cluster: 'member1', metrics: [{ metric: 'request-success-rate', value: null, min: 99, passed: false, dryRun: false, error: 'no data: the query returned no series' }] };
    r = apply(r, { type: 'AnalysisTicked', results: [noData] }).rollout;
    r = apply(r, { type: 'AnalysisTicked', results: [noData] }).rollout;
    expect(r.phase).toBe('analysing');
    expect(r.cluster.member1).toMatchObject({ failedChecks: 0, consecutiveErrors: 2 });
    const out = apply(r, { type: 'AnalysisTicked', results: [noData] });
    expect(out.rollout.phase).toBe('rolling-back');
    expect(out.rollout.pendingOutcome?.reason).toContain('could not be measured in member1 3 times in a row');
  });

  it('a dry-run metric never fails a check', () => {
    let r = apply(start(), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
    r = apply(r, { type: 'CanaryDeployed' }).rollout;
    r = apply(r, { type: 'ReadinessChecked', ready: true }).rollout;
    const dry: ClusterTick = { cluster: 'member1', metrics: [{ metric: 'x', value: 5, max: 1, passed: false, dryRun: true }] };
    r = apply(r, { type: 'AnalysisTicked', results: [dry] }).rollout;
    expect(r.cluster.member1?.failedChecks).toBe(0);
  });

  it('a person rolling back at a gate closes it and undoes everything', () => {
    let r = toFirstGate(start());
    r = apply(r, { type: 'GateApproved', stage: 1, by: lead }).rollout;
    r = apply(r, { type: 'PromotionApplied' }).rollout;
    r = apply(r, { type: 'ReadinessChecked', ready: true }).rollout;
    r = apply(r, { type: 'AnalysisTicked', results: r.clusters.map(good) }).rollout;
    r = apply(r, { type: 'AnalysisTicked', results: r.clusters.map(good) }).rollout;
    const out = apply(r, { type: 'RollbackRequested', by: lead, stage: 2 }, T0 + 9 * MIN);
    expect(out.rollout.gates[1]).toMatchObject({ state: 'rolled-back', decidedBy: 'U0LEAD' });
    expect(notices(out.effects)).toEqual(['gate-closed', 'root-update']);
    const done = apply(out.rollout, { type: 'RolledBack' });
    expect(done.rollout.cluster.member1?.promoted).toBe(false);
    expect(done.rollout.gates[2]?.state).toBe('closed');
  });

  it('rolls back when pods are not ready by the progress deadline', () => {
    let r = apply(start(), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
    r = apply(r, { type: 'CanaryDeployed' }).rollout;
    const out = apply(r, { type: 'ReadinessChecked', ready: false, waitingFor: 'member2: 0/1 canary pods ready' }, T0 + 11 * MIN);
    expect(out.rollout.phase).toBe('rolling-back');
    expect(out.rollout.pendingOutcome?.reason).toContain('member2: 0/1 canary pods ready');
  });

  it('a permanent failure before anything was written fails the rollout', () => {
    const out = apply(start(), { type: 'StepFailed', step: 'start', problem: { said: 'refused', message: 'Deployment default/http-probe-app not found' } });
    expect(out.rollout.phase).toBe('failed');
    expect(out.effects).toContainEqual({ type: 'release-lock' });
  });
});

describe('refusals', () => {
  const atGate = toFirstGate(start());
  const approved = apply(atGate, { type: 'GateApproved', stage: 1, by: lead }).rollout;
  const analysing = apply(apply(start(), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout, { type: 'CanaryDeployed' }).rollout;
  const rolledBack = apply(apply(atGate, { type: 'RollbackRequested', by: dev }).rollout, { type: 'RolledBack' }).rollout;
  const rollingBack = apply(atGate, { type: 'RollbackRequested', by: dev }).rollout;

  it.each([
    ['approve twice (double click)', approved, { type: 'GateApproved', stage: 1, by: lead }, 'gate-decided', 'already approved by <@U0LEAD>'],
    ['approve a gate that is not open yet', atGate, { type: 'GateApproved', stage: 2, by: lead }, 'gate-not-open', 'not open yet'],
    ['approve while the cluster is not waiting', analysing, { type: 'GateApproved', stage: 1, by: lead }, 'gate-not-open', 'not open yet'],
    ['approve a closed gate after rollback', rolledBack, { type: 'GateApproved', stage: 1, by: lead }, 'rollout-finished', 'been rolled back'],
    ['approve while rolling back', rollingBack, { type: 'GateApproved', stage: 1, by: lead }, 'gate-decided', 'rolled back by <@U0DEV>'],
    ['approve your own rollout', atGate, { type: 'GateApproved', stage: 1, by: { user: 'U0DEV', isApprover: true } }, 'self-approval', 'someone else'],
    ['approve as a non-approver', atGate, { type: 'GateApproved', stage: 1, by: guest }, 'not-an-approver', 'not an approver'],
    ['approve a gate that does not exist', atGate, { type: 'GateApproved', stage: 7, by: lead }, 'gate-not-open', 'no such gate'],
    ['approve a cluster the rollout does not have', atGate, { type: 'GateApproved', stage: 1, by: lead, cluster: 'membr1' }, 'unknown-cluster', 'Did you mean `member1`?'],
    ['roll back as a bystander', atGate, { type: 'RollbackRequested', by: guest }, 'not-allowed', 'Only the requester'],
    ['roll back twice', rollingBack, { type: 'RollbackRequested', by: lead }, 'already-rolling-back', 'already rolling back'],
    ['roll back from an old gate message', approved, { type: 'RollbackRequested', by: lead, stage: 1 }, 'gate-decided', 'already approved'],
    ['roll back a finished rollout', rolledBack, { type: 'RollbackRequested', by: lead }, 'rollout-finished', 'already finished'],
    ['a stale step result', atGate, { type: 'CanaryDeployed' }, 'unexpected-event', 'does not apply'],
    ['a step result after the end', rolledBack, { type: 'Finalized' }, 'rollout-finished', 'been rolled back'],
  ] as const)('refuses to %s', (_name, rollout, event, code, text) => {
    const result = transition(rollout, event as RolloutEvent, T0 + 5 * MIN);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.refusal.code).toBe(code);
    expect(refusalWords(result.refusal)).toContain(text);
  });

  it('allows self-approval when the app allows it', () => {
    const r = { ...atGate, settings: { ...atGate.settings, allowSelfApproval: true } };
    expect(transition(r, { type: 'GateApproved', stage: 1, by: { user: 'U0DEV', isApprover: true } }, T0).ok).toBe(true);
  });

  it('lets the requester roll back even though they are not an approver', () => {
    expect(transition(atGate, { type: 'RollbackRequested', by: dev, stage: 1 }, T0).ok).toBe(true);
  });
});

describe('operations on named clusters (seed Demo 3)', () => {
  const atGate = toFirstGate(start());
  const run = (r: Rollout, op: 'canary' | 'uncanary' | 'promote' | 'unpromote', clusters: string[], by = lead) => transition(r, { type: 'OperationRequested', op, clusters, by }, T0);

  it('writes only what changes, returns to the gate, and remembers the operation', () => {
    const requested = run(atGate, 'uncanary', ['member2']);
    if (!requested.ok) throw new Error(JSON.stringify(requested.refusal));
    expect(requested.rollout.phase).toBe('operating');
    expect(steps(requested.effects)).toEqual(['operate@0']);
    const applied = apply(requested.rollout, { type: 'OperationApplied' });
    expect(applied.rollout.phase).toBe('awaiting-approval');
    expect(applied.rollout.cluster.member2?.canary).toBe('removed');
    expect(applied.rollout.cluster.member1?.canary).toBe('deployed');
    expect(applied.rollout.operations).toMatchObject([{ op: 'uncanary', clusters: ['member2'], by: 'U0LEAD' }]);
  });

  it('resumes analysis ticks after an operation made while analysing', () => {
    let r = apply(start(), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
    r = apply(r, { type: 'CanaryDeployed' }).rollout;
    r = apply(r, { type: 'ReadinessChecked', ready: true }).rollout;
    const requested = run(r, 'promote', ['member3']);
    if (!requested.ok) throw new Error(JSON.stringify(requested.refusal));
    const applied = apply(requested.rollout, { type: 'OperationApplied' });
    expect(applied.rollout.phase).toBe('analysing');
    expect(steps(applied.effects)).toEqual([`tick@${MIN}`]);
  });

  it.each([
    ['asks for what already is', atGate, 'canary', ['member1'], lead, 'already', 'already runs a canary'],
    ['names a cluster outside the rollout', atGate, 'canary', ['membr2'], lead, 'unknown-cluster', 'not part of rollout http-probe-app-1 (member1, member2, member3). Did you mean `member2`?'],
    ['promotes without being an approver', atGate, 'promote', ['member2'], guest, 'not-an-approver', 'not an approver'],
    ['promotes their own rollout', atGate, 'promote', ['member2'], { user: 'U0DEV', isApprover: true }, 'self-approval', 'someone else'],
    ['removes a canary as a bystander', atGate, 'uncanary', ['member2'], guest, 'not-allowed', 'Only the requester'],
    ['operates while a step writes', apply(atGate, { type: 'GateApproved', stage: 1, by: lead }).rollout, 'canary', ['member2'], lead, 'busy', 'wait until'],
  ] as const)('refuses when a person %s', (_name, rollout, op, clusters, by, code, text) => {
    const result = run(rollout, op, [...clusters], by);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.refusal.code).toBe(code);
    expect(refusalWords(result.refusal)).toContain(text);
  });

  it('refuses an approval while an operation is being written', () => {
    const requested = run(atGate, 'uncanary', ['member2']);
    if (!requested.ok) throw new Error('refused');
    const result = transition(requested.rollout, { type: 'GateApproved', stage: 1, by: lead }, T0);
    expect(result.ok ? 'ok' : result.refusal.code).toBe('busy');
  });
});

describe('holding on an unreachable cluster', () => {
  it('says so once, retries the same step later, and says when it carries on', () => {
    const r = apply(start(), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
    const held = apply(r, { type: 'StepHeld', step: 'deploy-canary', problem: { said: 'unreachable', cluster: 'member2', message: 'HTTP 503' } });
    expect(held.rollout.phase).toBe('deploying');
    expect(steps(held.effects)).toEqual([`deploy-canary@${r.settings.retryMs}`]);
    expect(notices(held.effects)).toEqual(['held', 'root-update']);
    const again = apply(held.rollout, { type: 'StepHeld', step: 'deploy-canary', problem: { said: 'unreachable', message: 'still 503' } });
    expect(notices(again.effects)).toEqual([]);
    const resumed = apply(again.rollout, { type: 'CanaryDeployed' });
    expect(resumed.rollout.held).toBeUndefined();
    expect(notices(resumed.effects)).toContain('resumed');
  });
});
