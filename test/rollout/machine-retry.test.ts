// Retry from Slack, in the pure machine: a held step runs now (once per hold, by the
// requester or an approver); a rollout with nothing held, or one that has ended, refuses
// with words that say what to do instead.
import { describe, expect, it } from 'vitest';
import type { Effect, RolloutEvent } from '../../rollout/events.js';
import { transition } from '../../rollout/machine.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { refusalWords } from '../../bot/blocks/refusal-words.js';
import { noteWords } from '../../bot/blocks/note-words.js';
import { applied } from '../support/applied.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const dev = { user: 'U0DEV', isApprover: false };
const lead = { user: 'U0LEAD', isApprover: true };
const guest = { user: 'U0GUEST', isApprover: false };

const queued = (): Rollout => newRollout({ id: 'http-probe-app-1', app: testConfig().apps[0]!, version: 'v2', requester: 'U0DEV', nowMs: T0 });

const apply = (rollout: Rollout, event: RolloutEvent, now = T0) => applied(rollout, event, now);
const refusal = (rollout: Rollout, event: RolloutEvent) => {
  const result = transition(rollout, event, T0);
  return result.ok ? undefined : result.refusal;
};
const steps = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'step' ? [`${e.step}@${e.at - T0}`] : []));

function heldAtDeploy(): Rollout {
  const started = apply(queued(), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
  return apply(started, { type: 'StepHeld', step: 'deploy-canary', problem: { said: 'unreachable', cluster: 'member2', message: 'HTTP 503' } }).rollout;
}

describe('retrying a held step', () => {
  it('runs the held step now instead of at its next retry, and says who asked', () => {
    const held = heldAtDeploy();
    const retried = apply(held, { type: 'RetryRequested', by: dev }, T0 + 100);
    expect(steps(retried.effects)).toEqual(['deploy-canary@100']);
    expect(retried.rollout.seq).toBe(held.seq + 1); // the held step's own delayed job is now stale
    expect(retried.rollout.phase).toBe('deploying');
    const notes = retried.effects.flatMap((e) => (e.type === 'notify' && e.notice.kind === 'note' ? [noteWords(retried.rollout, e.notice)] : []));
    expect(notes).toEqual([expect.stringContaining('<@U0DEV> retries the held deploy-canary step')]);
  });

  it('retries once per hold: a second click is told a retry is under way', () => {
    const retried = apply(heldAtDeploy(), { type: 'RetryRequested', by: dev }).rollout;
    const second = refusal(retried, { type: 'RetryRequested', by: lead });
    expect(second?.code).toBe('already');
    expect(second && refusalWords(second)).toContain('already asked by <@U0DEV>');
    // Held again (the cluster still does not answer): a later retry may be asked.
    const heldAgain = apply(retried, { type: 'StepHeld', step: 'deploy-canary', problem: { said: 'unreachable', message: 'still 503' } });
    expect(heldAgain.effects.some((e) => e.type === 'notify' && e.notice.kind === 'held')).toBe(false);
    expect(steps(apply(heldAgain.rollout, { type: 'RetryRequested', by: lead }).effects)).toEqual(['deploy-canary@0']);
  });

  it('is for the requester or an approver only, like a rollback', () => {
    expect(refusal(heldAtDeploy(), { type: 'RetryRequested', by: guest })).toMatchObject({ code: 'not-allowed' });
    expect(steps(apply(heldAtDeploy(), { type: 'RetryRequested', by: lead }).effects)).toEqual(['deploy-canary@0']);
  });

  it('ends with the step: once it goes through the hold is over and there is nothing to retry', () => {
    const retried = apply(heldAtDeploy(), { type: 'RetryRequested', by: dev }).rollout;
    const through = apply(retried, { type: 'CanaryDeployed' }).rollout;
    expect(through.held).toBeUndefined();
    const none = refusal(through, { type: 'RetryRequested', by: dev });
    expect(none?.code).toBe('nothing-to-retry');
    expect(none && refusalWords(none)).toContain('no step is held');
  });
});

describe('nothing to retry', () => {
  it('a running rollout with nothing held', () => {
    const started = apply(queued(), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
    expect(refusal(started, { type: 'RetryRequested', by: dev })).toMatchObject({ code: 'nothing-to-retry' });
  });

  it('a rollout that failed before touching anything: start it again', () => {
    const failed = apply(queued(), { type: 'StepFailed', step: 'start', problem: { said: 'refused', message: 'the base does not exist' } }).rollout;
    const r = refusal(failed, { type: 'RetryRequested', by: dev });
    expect(r?.code).toBe('rollout-finished');
    expect(r && refusalWords(r)).toContain('failed before it changed anything');
    expect(r && refusalWords(r)).toContain('`/rollout start http-probe-app v2`');
  });

  it('a rollout that failed mid-way and was rolled back: start it again', () => {
    const started = apply(queued(), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
    const deployed = apply(started, { type: 'CanaryDeployed' }).rollout;
    const rollingBack = apply(deployed, { type: 'StepFailed', step: 'check-ready', problem: { said: 'refused', message: 'forbidden' } }).rollout;
    expect(rollingBack.phase).toBe('rolling-back');
    expect(refusal(rollingBack, { type: 'RetryRequested', by: dev })).toMatchObject({ code: 'nothing-to-retry' });
    const rolledBack = apply(rollingBack, { type: 'RolledBack' }).rollout;
    const r = refusal(rolledBack, { type: 'RetryRequested', by: dev });
    expect(r?.code).toBe('rollout-finished');
    expect(r && refusalWords(r)).toContain('was rolled back (check-ready failed: forbidden)');
    expect(r && refusalWords(r)).toContain('`/rollout start http-probe-app v2`');
  });
});
