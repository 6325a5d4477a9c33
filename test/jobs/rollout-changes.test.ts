// What each committed transition counts in the metrics: how a rollout finished, which gates
// were decided and how. Table-driven over the rollout before and after.
import { describe, expect, it } from 'vitest';
import { rolloutChanges } from '../../jobs/rollout-changes.js';
import type { RolloutEvent } from '../../rollout/events.js';
import { ABORT_WHY, type Gate, type Outcome, type Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { applied } from '../support/applied.js';

const base = newRollout({ id: 'app-1', app: testConfig().apps[0]!, version: 'v2', requester: 'U0DEV', nowMs: 0 });
const gate = (state: Gate['state']): Gate => ({ stage: 1, clusters: ['member1'], state });
const at = (phase: Rollout['phase'], outcome?: Outcome, gates: Gate[] = [gate('open')]): Rollout => ({ ...base, phase, gates, ...(outcome ? { outcome } : {}) });
const rolledBack = (trigger: 'person' | 'analysis' | 'deadline' | 'failure' | 'timeout', reason: string): Outcome => ({ kind: 'rolled-back', at: 1, trigger, reason });
/** A person's rollback as this rollgate stores it: the facts in `asked`, `reason` for older readers. */
const asked = (facts: { why?: string; gate?: string[]; said?: string }): Outcome => ({ kind: 'rolled-back', at: 1, trigger: 'person', by: 'U0DEV', reason: facts.why ?? 'rolled back', asked: facts });

describe('rolloutChanges', () => {
  it.each<[string, Rollout, Rollout, ReturnType<typeof rolloutChanges>]>([
    ['an approval', at('awaiting-approval'), at('promoting', undefined, [gate('approved')]), { gates: ['approved'] }],
    ['a second approval still needed: nothing decided', at('awaiting-approval'), at('awaiting-approval'), { gates: [] }],
    ['Rollback at a gate', at('awaiting-approval'), at('rolling-back', undefined, [gate('rolled-back')]), { gates: ['rolled_back'] }],
    ['a gate timing out', at('awaiting-approval'), at('rolling-back', undefined, [gate('expired')]), { gates: ['expired'] }],
    ['finalize', at('finalizing', undefined, [gate('approved')]), at('succeeded', { kind: 'succeeded', at: 1 }, [gate('approved')]), { finished: 'succeeded', gates: [] }],
    ['an automatic rollback', at('rolling-back', undefined, [gate('pending')]), at('rolled-back', rolledBack('analysis', 'request-success-rate'), [gate('closed')]), { finished: 'rolled_back_automatically', gates: [] }],
    ['a rollback after a step failed', at('rolling-back'), at('rolled-back', rolledBack('failure', 'deploy-canary failed'), [gate('closed')]), { finished: 'rolled_back_automatically', gates: ['closed'] }],
    ['a person\'s rollback', at('rolling-back', undefined, [gate('rolled-back')]), at('rolled-back', rolledBack('person', 'rolled back by <@U0LEAD>'), [gate('rolled-back')]), { finished: 'rolled_back_by_person', gates: [] }],
    ['an abort', at('rolling-back', undefined, []), at('rolled-back', asked({ why: ABORT_WHY }), []), { finished: 'aborted', gates: [] }],
    ['a rollback superseded by a new version', at('rolling-back', undefined, []), at('rolled-back', asked({ why: 'superseded by v3' }), []), { finished: 'rolled_back_by_person', gates: [] }],
    ['a person\'s rollback whose own words begin with "aborted"', at('rolling-back', undefined, []), at('rolled-back', asked({ gate: ['member1'], said: 'aborted: wrong image' }), []), { finished: 'rolled_back_by_person', gates: [] }],
    ['an abort asked of a rollgate from before `asked` (its reason only)', at('rolling-back', undefined, []), at('rolled-back', rolledBack('person', 'aborted (<@U0DEV>)'), []), { finished: 'aborted', gates: [] }],
    ['a failure', at('deploying', undefined, []), at('failed', { kind: 'failed', at: 1, reason: 'start failed' }, []), { finished: 'failed', gates: [] }],
    ['a step inside a terminal phase again: counted once', at('rolled-back', rolledBack('analysis', 'x'), []), at('rolled-back', rolledBack('analysis', 'x'), []), { gates: [] }],
  ])('%s', (_, previous, next, expected) => {
    expect(rolloutChanges(previous, next)).toEqual(expected);
  });
});

describe('an abort, through the machine', () => {
  const dev = { user: 'U0DEV', isApprover: false };
  const run = (rollout: Rollout, event: RolloutEvent) => applied(rollout, event, 10).rollout;

  it('`/rollout abort` (a rollback asked with ABORT_WHY) counts as aborted; a plain rollback does not', () => {
    const analysing: Rollout = { ...base, phase: 'analysing' };
    const aborting = run(analysing, { type: 'RollbackRequested', by: dev, why: ABORT_WHY });
    expect(rolloutChanges(aborting, run(aborting, { type: 'RolledBack' })).finished).toBe('aborted');
    const rollingBack = run(analysing, { type: 'RollbackRequested', by: dev });
    expect(rolloutChanges(rollingBack, run(rollingBack, { type: 'RolledBack' })).finished).toBe('rolled_back_by_person');
  });
});
