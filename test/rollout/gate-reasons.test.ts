// A person's reason for a gate decision (approvals.reasons): kept on the gate, in the rollback
// outcome and in the audit entry; absent, everything reads as before.
import { describe, expect, it } from 'vitest';
import { auditEvent } from '../../jobs/audit.js';
import type { RolloutEvent } from '../../rollout/events.js';
import { transition } from '../../rollout/machine.js';
import type { ClusterTick, Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { parseStoredRollout, serializeRollout } from '../../rollout/rollout-schema.js';
import { testConfig } from '../fixtures/config.js';
import { refusalWords } from '../../bot/blocks/refusal-words.js';
import { outcomeReason } from '../../bot/blocks/words.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const lead = { user: 'U0LEAD', isApprover: true };
const sre = { user: 'U0SRE', isApprover: true };
const good = (cluster: string): ClusterTick => ({
  cluster,
  metrics: [
    { metric: 'request-success-rate', value: 99.9, min: 99, passed: true, dryRun: false },
    { metric: 'request-duration', value: 120, max: 500, passed: true, dryRun: false },
  ],
});

function atFirstGate(mutate?: (doc: Record<string, any>) => void): Rollout {
  const app = testConfig(mutate).apps[0]!;
  let r = newRollout({ id: 'r1', app, version: 'v2', requester: 'U0DEV', nowMs: T0 });
  for (const [i, event] of ([
    { type: 'RolloutStarted', fromVersion: 'v1' },
    { type: 'CanaryDeployed' },
    { type: 'ReadinessChecked', ready: true },
    { type: 'AnalysisTicked', results: r.clusters.map(good) },
    { type: 'AnalysisTicked', results: r.clusters.map(good) },
  ] as RolloutEvent[]).entries()) {
    const next = transition(r, event, T0 + i * 1000);
    if (!next.ok) throw new Error(refusalWords(next.refusal));
    r = next.rollout;
  }
  expect(r.phase).toBe('awaiting-approval');
  return r;
}

function apply(rollout: Rollout, event: RolloutEvent): Rollout {
  const result = transition(rollout, event, T0 + 60_000);
  if (!result.ok) throw new Error(refusalWords(result.refusal));
  return result.rollout;
}

describe('reasons for gate decisions', () => {
  it('the config sets what each button asks, kept in the rollout as at its start', () => {
    expect(atFirstGate().settings.reasons).toBeUndefined();
    const asked = atFirstGate((doc) => (doc.apps[0].approvals.reasons = { rollback: 'required' }));
    expect(asked.settings.reasons).toEqual({ rollback: 'required', approve: 'off' });
    expect(atFirstGate((doc) => (doc.apps[0].approvals.notify = 'dm')).settings.notifyDm).toBe(true);
    expect(() => testConfig((doc) => (doc.apps[0].approvals.reasons = { rollback: 'always' }))).toThrow(/reasons\.rollback/);
  });

  it.each([
    ['approve with a reason', { type: 'GateApproved', stage: 1, by: lead, reason: 'dashboards look good' }, 'approved', 'dashboards look good'],
    ['approve without one', { type: 'GateApproved', stage: 1, by: lead }, 'approved', undefined],
    ['roll back with a reason', { type: 'RollbackRequested', stage: 1, by: lead, reason: '5xx up in member1' }, 'rolled-back', '5xx up in member1'],
    ['roll back without one', { type: 'RollbackRequested', stage: 1, by: lead }, 'rolled-back', undefined],
  ] as const)('%s', (_name, event, state, reason) => {
    const after = apply(atFirstGate(), event as RolloutEvent);
    expect(after.gates[0]).toMatchObject({ state, decidedBy: 'U0LEAD' });
    expect(after.gates[0]?.reason).toBe(reason);
    const entry = auditEvent(event as RolloutEvent, after, T0);
    if (reason) expect(entry.detail).toBe(`reason: “${reason}”`);
    else expect(entry.detail).toBeUndefined();
    if (state === 'rolled-back') {
      expect(after.pendingOutcome && outcomeReason(after.pendingOutcome)).toBe(`rolled back by <@U0LEAD> at the member1 gate${reason ? `: “${reason}”` : ''}`);
    }
    // Stored and read back through the schema, the reason is kept.
    const stored = parseStoredRollout(serializeRollout(after));
    expect(stored.ok && stored.value.gates[0]?.reason).toBe(reason);
  });

  it('each of two required approvals keeps its own reason', () => {
    const two = atFirstGate((doc) => (doc.apps[0].approvals.clusters = { member1: { users: ['U0LEAD', 'U0SRE'], required: 2 } }));
    const first = apply(two, { type: 'GateApproved', stage: 1, by: lead, reason: 'first look' });
    expect(first.gates[0]).toMatchObject({ state: 'open', approvals: [{ user: 'U0LEAD', reason: 'first look' }] });
    const second = apply(first, { type: 'GateApproved', stage: 1, by: sre, reason: 'second look' });
    expect(second.gates[0]).toMatchObject({ state: 'approved', reason: 'second look', approvals: [{ reason: 'first look' }, { reason: 'second look' }] });
  });
});
