// A gate's life beyond one click: approvals that need two people, the reminder half-way to
// the timeout, the timeout itself (roll back, or hold), and pausing and resuming a rollout.
import type { Actor, Effect, NoteLine, Refusal, RefusalCode, RefusalFacts } from './events.js';
import { rollbackRefusal } from './gate-rules.js';
import { fallbackReason } from './why.js';
import type { Gate, Rollout } from './model.js';
import { isTerminal } from './model.js';
import { refusal } from './refusals.js';

export type LifecycleChange = { ok: true; changes: Partial<Rollout>; effects: Effect[] } | { ok: false; refusal: Refusal };

const refuse = (code: RefusalCode, facts: RefusalFacts): LifecycleChange => ({ ok: false, refusal: refusal(code, facts) });
const note = (line: NoteLine): Effect => ({ type: 'notify', notice: { kind: 'note', line } });
const rootUpdate: Effect = { type: 'notify', notice: { kind: 'root-update' } };
const withGate = (gates: Gate[], stage: number, changes: Partial<Gate>) => gates.map((g) => (g.stage === stage ? { ...g, ...changes } : g));

/** A first approval of a gate that needs more: recorded, the gate stays open. Undefined when this one decides. */
export function partialApproval(rollout: Rollout, stage: number, by: Actor, nowMs: number, reason?: string): LifecycleChange | undefined {
  const gate = rollout.gates[stage - 1];
  const required = gate?.required ?? 1;
  const approvals = gate?.approvals ?? [];
  if (!gate || required <= 1) return undefined;
  if (approvals.some((a) => a.user === by.user)) {
    return refuse('already', { why: 'approved-twice', gate: gate.clusters, more: required - approvals.length });
  }
  if (approvals.length + 1 >= required) return undefined;
  const gates = withGate(rollout.gates, stage, { approvals: [...approvals, { user: by.user, at: nowMs, ...(reason ? { reason } : {}) }] });
  return { ok: true, changes: { gates }, effects: [{ type: 'notify', notice: { kind: 'gate-closed', stage } }, rootUpdate] };
}

/** Checked at every analysis tick while a gate waits: one reminder at half time, then the timeout. */
export function gateClock(rollout: Rollout, nowMs: number): { changes: Partial<Rollout>; effects: Effect[]; timedOut?: Gate } | undefined {
  const gate = rollout.gates.find((g) => g.state === 'open');
  if (rollout.phase !== 'awaiting-approval' || !gate || gate.openedAt === undefined) return undefined;
  const { gateTimeoutMs } = rollout.settings;
  const waited = nowMs - gate.openedAt;
  if (waited >= gateTimeoutMs) {
    const expired = withGate(rollout.gates, gate.stage, { state: 'expired', decidedAt: nowMs, closedReason: fallbackReason({ said: 'no-decision', timeoutMs: gateTimeoutMs }), closedWhy: { said: 'no-decision', timeoutMs: gateTimeoutMs } });
    return { changes: { gates: expired }, effects: [{ type: 'notify', notice: { kind: 'gate-closed', stage: gate.stage } }], timedOut: gate };
  }
  if (!gate.reminded && waited >= gateTimeoutMs / 2) {
    return { changes: { gates: withGate(rollout.gates, gate.stage, { reminded: true }) }, effects: [{ type: 'notify', notice: { kind: 'reminder', stage: gate.stage } }] };
  }
  return undefined;
}

/** onTimeout: hold — the gate is closed and the rollout paused; `resume` opens the gate again. */
export function holdAfterTimeout(rollout: Rollout, gate: Gate, nowMs: number): Partial<Rollout> {
  return { phase: 'paused', paused: { by: 'timeout', at: nowMs, resume: 'awaiting-approval', reopen: gate.stage } };
}

export function pause(rollout: Rollout, by: Actor, nowMs: number): LifecycleChange {
  if (rollout.phase === 'paused') return refuse('already', { why: 'already-paused', rollout: rollout.id });
  const denied = rollbackRefusal(rollout, by);
  if (denied) return { ok: false, refusal: denied };
  if (rollout.phase !== 'analysing' && rollout.phase !== 'awaiting-approval' && rollout.phase !== 'waiting-ready') {
    return refuse('busy', { why: 'cannot-pause-now', rollout: rollout.id, phase: rollout.phase });
  }
  return {
    ok: true,
    changes: { phase: 'paused', paused: { by: by.user, at: nowMs, resume: rollout.phase } },
    effects: [note({ said: 'paused', by: by.user }), rootUpdate],
  };
}

export function resume(rollout: Rollout, by: Actor, nowMs: number): LifecycleChange {
  if (isTerminal(rollout.phase)) return refuse('rollout-finished', { why: 'finished', rollout: rollout.id, phase: rollout.phase });
  if (rollout.phase !== 'paused' || !rollout.paused) return refuse('already', { why: 'not-paused', rollout: rollout.id });
  const denied = rollbackRefusal(rollout, by);
  if (denied) return { ok: false, refusal: denied };
  const { resume: phase, reopen, at } = rollout.paused;
  const pausedFor = nowMs - at;
  // A gate that timed out (hold) opens again; a gate that was merely paused keeps its clock, minus the pause.
  const gates = rollout.gates.map((g): Gate => {
    if (g.stage === reopen) return { ...g, state: 'open', openedAt: nowMs, reminded: false, closedReason: undefined, closedWhy: undefined, decidedAt: undefined };
    if (g.state === 'open' && g.openedAt !== undefined) return { ...g, openedAt: g.openedAt + pausedFor };
    return g;
  });
  const next: Effect = phase === 'waiting-ready' ? { type: 'step', step: 'check-ready', at: nowMs } : { type: 'step', step: 'tick', at: nowMs + rollout.settings.intervalMs };
  const reopened: Effect[] = reopen !== undefined ? [{ type: 'notify', notice: { kind: 'gate-opened', stage: reopen } }] : [];
  return {
    ok: true,
    changes: { phase, paused: undefined, gates },
    effects: [next, note({ said: 'resumed', by: by.user }), ...reopened, rootUpdate],
  };
}
