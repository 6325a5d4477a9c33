// The start step finds the version already running: the rollout ends quietly (one private
// message, no public failure), its root message taken back unless the thread already holds
// notices. Table-driven over what came before the start step's answer.
import { describe, expect, it } from 'vitest';
import type { Effect, RolloutEvent } from '../../rollout/events.js';
import { transition } from '../../rollout/machine.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { rolloutChanges } from '../../jobs/rollout-changes.js';
import { testConfig } from '../fixtures/config.js';
import { applied } from '../support/applied.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const queued = (notifyUrl = 'https://hooks.slack.test/commands/1') =>
  newRollout({ id: 'http-probe-app-1', app: testConfig().apps[0]!, version: 'v1', requester: 'U0DEV', nowMs: T0, ...(notifyUrl ? { notifyUrl } : {}) });

const apply = (rollout: Rollout, event: RolloutEvent, now = T0) => applied(rollout, event, now);
const notices = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'notify' ? [e.notice.kind] : []));

describe('a start of the version that already runs, found by the start step', () => {
  it.each([
    ['nothing posted in the thread yet', (r: Rollout) => r, 'withdrawn', ['nothing-to-do', 'root-withdrawn']],
    ['after a held start (a held notice is in the thread)', (r: Rollout) => apply(r, { type: 'StepHeld', step: 'start', problem: { said: 'unreachable', cluster: 'karmada', message: 'no answer' } }).rollout, 'kept', ['nothing-to-do', 'root-update']],
  ] as const)('%s: ends the rollout, root %s, notices %j', (_what, before, root, expected) => {
    const { rollout, effects } = apply(before(queued()), { type: 'AlreadyRunning' }, T0 + 1000);
    expect(rollout.phase).toBe('failed');
    expect(rollout.outcome).toEqual({ kind: 'failed', at: T0 + 1000, reason: 'http-probe-app already runs v1', why: { said: 'already-runs', app: 'http-probe-app', version: 'v1' }, nothingToDo: { root } });
    expect(notices(effects)).toEqual(expected);
    // Nothing public: no failure broadcast, no "resumed", no step left to run; the app is free again.
    expect(notices(effects)).not.toContain('failed');
    expect(notices(effects)).not.toContain('resumed');
    expect(effects.filter((e) => e.type === 'step')).toEqual([]);
    expect(effects).toContainEqual({ type: 'release-lock' });
    expect(rollout.held).toBeUndefined();
    expect(rollout.gates.every((g) => g.state === 'closed')).toBe(true);
  });

  it('without a response_url to answer, only takes the root back', () => {
    const { effects } = apply(queued(''), { type: 'AlreadyRunning' });
    expect(notices(effects)).toEqual(['root-withdrawn']);
  });

  it('applies only to a queued rollout', () => {
    const started = apply(queued(), { type: 'RolloutStarted', fromVersion: 'v0' }).rollout;
    const result = transition(started, { type: 'AlreadyRunning' }, T0);
    expect(result.ok).toBe(false);
    const ended = apply(queued(), { type: 'AlreadyRunning' }).rollout;
    expect(transition(ended, { type: 'AlreadyRunning' }, T0)).toMatchObject({ ok: false, refusal: { code: 'rollout-finished' } });
  });

  it('is not counted as a finished rollout in the metrics (it did nothing)', () => {
    const before = queued();
    const after = apply(before, { type: 'AlreadyRunning' }).rollout;
    expect(rolloutChanges(before, after)).toEqual({ gates: [] });
    const failed = apply(before, { type: 'StepFailed', step: 'start', problem: { said: 'refused', message: 'no such Deployment' } }).rollout;
    expect(rolloutChanges(before, failed).finished).toBe('failed');
  });
});
