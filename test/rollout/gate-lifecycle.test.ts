// The time rules of a gate (rollout/gate-lifecycle.ts) through the pure transition(), on a
// fake clock: every event carries its own time, given in minutes after the gate opened. The
// gate times out after 20 minutes, so its one reminder is due at minute 10.
import { describe, expect, it } from 'vitest';
import type { Actor, Effect, RefusalCode, RolloutEvent } from '../../rollout/events.js';
import { transition } from '../../rollout/machine.js';
import type { ClusterTick, Gate, Phase, Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { refusalWords } from '../../bot/blocks/refusal-words.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;
/** The gate opens at the second tick, two minutes after the canaries are ready at T0. */
const OPENED = T0 + 2 * MIN;

const dev: Actor = { user: 'U0DEV', isApprover: false }; // the requester
const lead: Actor = { user: 'U0LEAD', isApprover: true };
const sre: Actor = { user: 'U0SRE', isApprover: true };
const guest: Actor = { user: 'U0GUEST', isApprover: false };

const good = (cluster: string): ClusterTick => ({ cluster, metrics: [{ metric: 'request-success-rate', value: 99.9, min: 99, passed: true, dryRun: false }] });
const tick: RolloutEvent = { type: 'AnalysisTicked', results: ['member1', 'member2', 'member3'].map(good) };
const approve = (by: Actor): RolloutEvent => ({ type: 'GateApproved', stage: 1, by });
const pause = (by: Actor = lead): RolloutEvent => ({ type: 'PauseRequested', by });
const resume = (by: Actor = lead): RolloutEvent => ({ type: 'ResumeRequested', by });

interface Expected {
  phase?: Phase;
  /** Kinds of the notices the transition asks for, in order (any order of other effects). */
  notices?: string[];
  /** Steps it schedules, as "name@minute after the gate opened". */
  steps?: string[];
  gate?: Partial<Gate>;
  refused?: RefusalCode;
  trigger?: string;
}
type Step = [minute: number, event: RolloutEvent, expected: Expected];

function atGate(options: { onTimeout?: 'rollback' | 'hold'; required?: number } = {}): Rollout {
  const app = testConfig((doc) => {
    doc.apps[0].approvals.timeout = '20m';
    doc.apps[0].approvals.onTimeout = options.onTimeout ?? 'rollback';
    if (options.required) doc.apps[0].approvals.clusters = { member1: { users: [], groups: [], required: options.required } };
  }).apps[0]!;
  let r = newRollout({ id: 'http-probe-app-7', app, version: 'v2', requester: 'U0DEV', nowMs: T0 - 2000 });
  const events: [RolloutEvent, number][] = [
    [{ type: 'RolloutStarted', fromVersion: 'v1' }, T0 - 2000],
    [{ type: 'CanaryDeployed' }, T0 - 1000],
    [{ type: 'ReadinessChecked', ready: true }, T0],
    [tick, T0 + MIN],
    [tick, OPENED],
  ];
  for (const [event, at] of events) {
    const result = transition(r, event, at);
    if (!result.ok) throw new Error(JSON.stringify(result.refusal));
    r = result.rollout;
  }
  expect(r.phase).toBe('awaiting-approval');
  expect(r.gates[0]).toMatchObject({ state: 'open', openedAt: OPENED });
  return r;
}

const noticeKinds = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'notify' ? [e.notice.kind] : []));
const stepsAt = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'step' ? [`${e.step}@${(e.at - OPENED) / MIN}`] : []));

/** Applies each step at its minute and checks what it was expected to do; a refusal changes nothing. */
function play(start: Rollout, script: Step[]): Rollout {
  let r = start;
  for (const [minute, event, expected] of script) {
    const where = `${event.type} at minute ${minute}`;
    const result = transition(r, event, OPENED + minute * MIN);
    if (expected.refused) {
      expect(result.ok ? 'applied' : result.refusal.code, where).toBe(expected.refused);
      continue;
    }
    if (!result.ok) throw new Error(`${where} refused: ${JSON.stringify(result.refusal)}`);
    const { rollout, effects } = result;
    if (expected.phase) expect(rollout.phase, where).toBe(expected.phase);
    if (expected.notices) expect(noticeKinds(effects), where).toEqual(expected.notices);
    if (expected.steps) expect(stepsAt(effects), where).toEqual(expected.steps);
    if (expected.gate) expect(rollout.gates[0], where).toMatchObject(expected.gate);
    if (expected.trigger) expect(rollout.pendingOutcome?.trigger, where).toBe(expected.trigger);
    r = rollout;
  }
  return r;
}

const quietTick = { phase: 'awaiting-approval' as const, notices: ['summary', 'root-update'] };

describe('gate timeout and its one reminder', () => {
  it.each<[string, { onTimeout?: 'rollback' | 'hold' }, Step[]]>([
    [
      'onTimeout rollback: one reminder at half time, then the gate expires and the rollout rolls back',
      {},
      [
        [9, tick, quietTick],
        [10, tick, { phase: 'awaiting-approval', notices: ['summary', 'reminder', 'root-update'], gate: { state: 'open', reminded: true } }],
        [11, tick, quietTick],
        [19, tick, quietTick],
        [20, tick, { phase: 'rolling-back', notices: ['summary', 'gate-closed', 'root-update'], steps: ['rollback@20'], gate: { state: 'expired', decidedAt: OPENED + 20 * MIN }, trigger: 'timeout' }],
        [21, approve(lead), { refused: 'gate-decided' }],
      ],
    ],
    [
      'a gate first looked at after its timeout expires at once, without a reminder first',
      {},
      [[25, tick, { phase: 'rolling-back', notices: ['summary', 'gate-closed', 'root-update'], trigger: 'timeout' }]],
    ],
    [
      'onTimeout hold: the gate expires, the rollout is held; resume opens the gate again with a fresh clock and reminder',
      { onTimeout: 'hold' },
      [
        [10, tick, { notices: ['summary', 'reminder', 'root-update'] }],
        [20, tick, { phase: 'paused', notices: ['summary', 'gate-closed', 'note', 'root-update'], steps: [], gate: { state: 'expired' } }],
        [25, tick, { refused: 'unexpected-event' }],
        [26, approve(lead), { refused: 'gate-decided' }],
        [30, resume(), { phase: 'awaiting-approval', notices: ['note', 'gate-opened', 'root-update'], steps: ['tick@31'], gate: { state: 'open', openedAt: OPENED + 30 * MIN, reminded: false } }],
        [39, tick, quietTick],
        [40, tick, { notices: ['summary', 'reminder', 'root-update'] }],
        [50, tick, { phase: 'paused', gate: { state: 'expired' } }],
      ],
    ],
  ])('%s', (_name, options, script) => {
    play(atGate(options), script);
  });
});

describe('pausing stops the gate clock', () => {
  it.each<[string, Step[]]>([
    [
      'a 30-minute pause moves the reminder and the timeout 30 minutes later',
      [
        [5, tick, quietTick],
        [8, pause(), { phase: 'paused', notices: ['note', 'root-update'], steps: [] }],
        [9, tick, { refused: 'unexpected-event' }],
        [12, approve(sre), { refused: 'busy' }],
        [38, resume(), { phase: 'awaiting-approval', steps: ['tick@39'], gate: { state: 'open', openedAt: OPENED + 30 * MIN } }],
        [39, tick, quietTick],
        [40, tick, { notices: ['summary', 'reminder', 'root-update'] }],
        [49, tick, quietTick],
        [50, tick, { phase: 'rolling-back', trigger: 'timeout' }],
      ],
    ],
    [
      'a pause after the reminder does not send it again',
      [
        [10, tick, { notices: ['summary', 'reminder', 'root-update'] }],
        [12, pause(dev), { phase: 'paused' }], // the requester may pause
        [15, resume(dev), { gate: { openedAt: OPENED + 3 * MIN, reminded: true } }],
        [22, tick, quietTick],
        [23, tick, { phase: 'rolling-back', trigger: 'timeout' }],
      ],
    ],
    [
      'who and when: not twice, not by a bystander, resume only when paused',
      [
        [1, resume(), { refused: 'already' }],
        [2, pause(guest), { refused: 'not-allowed' }],
        [3, pause(), { phase: 'paused' }],
        [4, pause(sre), { refused: 'already' }],
        [5, resume(guest), { refused: 'not-allowed' }],
        [6, resume(sre), { phase: 'awaiting-approval' }],
        [7, approve(sre), { phase: 'promoting', gate: { state: 'approved', decidedBy: 'U0SRE' } }],
        [8, pause(), { refused: 'busy' }],
      ],
    ],
  ])('%s', (_name, script) => {
    play(atGate(), script);
  });

  it('while waiting for pods: resume checks readiness at once', () => {
    const r = play(atGate(), [[1, approve(lead), { phase: 'promoting' }]]);
    const promoted = transition(r, { type: 'PromotionApplied' }, OPENED + 2 * MIN);
    if (!promoted.ok) throw new Error(JSON.stringify(promoted.refusal));
    const paused = transition(promoted.rollout, pause(), OPENED + 3 * MIN);
    if (!paused.ok) throw new Error(JSON.stringify(paused.refusal));
    expect(paused.rollout.paused).toMatchObject({ resume: 'waiting-ready' });
    const resumed = transition(paused.rollout, resume(), OPENED + 9 * MIN);
    if (!resumed.ok) throw new Error(JSON.stringify(resumed.refusal));
    expect(resumed.rollout.phase).toBe('waiting-ready');
    expect(stepsAt(resumed.effects)).toEqual(['check-ready@9']);
  });
});

describe('a gate that needs two approvals', () => {
  it.each<[string, Step[]]>([
    [
      'the first approval is recorded and the gate stays open; the second, by someone else, promotes',
      [
        [1, approve(lead), { phase: 'awaiting-approval', notices: ['gate-closed', 'root-update'], gate: { state: 'open', approvals: [{ user: 'U0LEAD', at: OPENED + MIN }] } }],
        [2, approve(lead), { refused: 'already' }],
        [3, approve(dev), { refused: 'self-approval' }],
        [4, approve(guest), { refused: 'not-an-approver' }],
        [5, approve(sre), { phase: 'promoting', steps: ['promote@5'], gate: { state: 'approved', decidedBy: 'U0SRE', decidedAt: OPENED + 5 * MIN, approvals: [{ user: 'U0LEAD', at: OPENED + MIN }, { user: 'U0SRE', at: OPENED + 5 * MIN }] } }],
      ],
    ],
    [
      'one approval does not stop the clock: the reminder and the timeout still come',
      [
        [1, approve(lead), { phase: 'awaiting-approval' }],
        [10, tick, { notices: ['summary', 'reminder', 'root-update'] }],
        [20, tick, { phase: 'rolling-back', trigger: 'timeout', gate: { state: 'expired', approvals: [{ user: 'U0LEAD', at: OPENED + MIN }] } }],
      ],
    ],
    [
      'approvals given before a pause still count after it',
      [
        [1, approve(lead), {}],
        [2, pause(), { phase: 'paused' }],
        [3, approve(sre), { refused: 'busy' }],
        [4, resume(), { phase: 'awaiting-approval' }],
        [5, approve(sre), { phase: 'promoting' }],
      ],
    ],
  ])('%s', (_name, script) => {
    play(atGate({ required: 2 }), script);
  });
});

describe('the words of a second approval by the same person', () => {
  it.each([
    [2, 'it needs 1 more approval from someone else.'],
    [3, 'it needs 2 more approvals from someone else.'],
  ])('with %i approvals required: "%s", never "approval(s)"', (required, words) => {
    const first = transition(atGate({ required }), approve(lead), OPENED + MIN);
    if (!first.ok) throw new Error(refusalWords(first.refusal));
    const again = transition(first.rollout, approve(lead), OPENED + 2 * MIN);
    expect(again.ok ? '' : refusalWords(again.refusal)).toContain(words);
    expect(again.ok ? '' : refusalWords(again.refusal)).not.toContain('(s)');
  });
});
