// Who may open or shut a gate, and when. Refusals are answers, not exceptions.
import type { Actor, Refusal } from './events.js';
import type { Gate, Rollout } from './model.js';
import { isTerminal } from './model.js';
import { refusal as refuse } from './refusals.js';
import type { Why } from './why.js';

function closedGateRefusal(rollout: Rollout, gate: Gate | undefined): Refusal | undefined {
  const where = gate ? { gate: gate.clusters } : {};
  if (isTerminal(rollout.phase)) return refuse('rollout-finished', { why: 'gate-of-ended-rollout', rollout: rollout.id, ...where, phase: rollout.phase });
  if (!gate) return refuse('gate-not-open', { why: 'no-such-gate', rollout: rollout.id });
  switch (gate.state) {
    case 'approved':
      return refuse('gate-decided', { why: 'gate-approved', ...where, ...(gate.decidedBy !== undefined ? { by: gate.decidedBy } : {}) });
    case 'rolled-back':
      return refuse('gate-decided', { why: 'gate-rolled-back', ...where, ...(gate.decidedBy !== undefined ? { by: gate.decidedBy } : {}) });
    case 'closed':
      return refuse('gate-decided', { why: 'gate-closed', ...where, ...closedFacts(gate) });
    case 'expired':
      return refuse('gate-decided', { why: 'gate-expired', ...where, ...closedFacts(gate) });
    case 'pending':
      return refuse('gate-not-open', { why: 'gate-pending', rollout: rollout.id, ...where, phase: rollout.phase });
    case 'open':
      if (rollout.phase === 'rolling-back') return refuse('already-rolling-back', { why: 'rolling-back', rollout: rollout.id });
      return undefined;
  }
}

/** Why `by` may not approve the gate guarding `stage` now, or undefined when they may. */
export function gateRefusal(rollout: Rollout, stage: number, by: Actor): Refusal | undefined {
  const gate = rollout.gates[stage - 1];
  const closed = closedGateRefusal(rollout, gate);
  if (closed) return closed;
  if (rollout.phase === 'paused') return refuse('busy', { why: 'paused', rollout: rollout.id });
  if (rollout.phase === 'operating') return refuse('busy', { why: 'operation-writing', clusters: rollout.operation?.clusters ?? [] });
  return approverRefusal(rollout, by);
}

/** Who may approve (a gate, or a promotion by command): not the requester unless allowed, and an approver. */
export function approverRefusal(rollout: Rollout, by: Actor): Refusal | undefined {
  if (by.user === rollout.requester && !rollout.settings.allowSelfApproval) {
    return refuse('self-approval', { why: 'self-approval', rollout: rollout.id });
  }
  if (!by.isApprover) return refuse('not-an-approver', { why: 'not-an-approver', app: rollout.app });
  return undefined;
}

/** Why `by` may not roll the rollout back now (from the gate guarding `stage`, when given). */
export function rollbackRefusal(rollout: Rollout, by: Actor, stage?: number): Refusal | undefined {
  if (stage !== undefined) {
    const closed = closedGateRefusal(rollout, rollout.gates[stage - 1]);
    if (closed) return closed;
  } else if (isTerminal(rollout.phase)) {
    return refuse('rollout-finished', { why: 'finished', rollout: rollout.id, phase: rollout.phase });
  } else if (rollout.phase === 'rolling-back') {
    return refuse('already-rolling-back', { why: 'rolling-back', rollout: rollout.id });
  }
  if (by.user !== rollout.requester && !by.isApprover) {
    return refuse('not-allowed', { why: 'not-requester-or-approver', requester: rollout.requester, app: rollout.app, action: 'rollback' });
  }
  return undefined;
}

export interface ApproverList {
  users: string[];
  groups: string[];
}

/** An empty list names nobody, so anyone (but the requester, unless allowed) may approve. */
export const namesNobody = (list: ApproverList): boolean => list.users.length === 0 && list.groups.length === 0;

/**
 * Whose approval a decision on `clusters` needs: the lists a person must be in, every one of
 * them, or 'anyone'. Clusters with approvers of their own (production) need theirs; the rest
 * the app's; an app that lists no approvers lets anyone approve. The edge resolves user groups.
 */
export function approversNeeded(approvals: { approvers: ApproverList; clusters: Record<string, ApproverList | undefined> }, clusters: string[] = []): ApproverList[] | 'anyone' {
  const own = clusters.map((c) => approvals.clusters[c]).filter((list): list is ApproverList => list !== undefined && !namesNobody(list));
  if (own.length > 0) return own;
  return namesNobody(approvals.approvers) ? 'anyone' : [approvals.approvers];
}

/** The gate a bare "approve" means: the open one, else the next pending one (which will refuse as not open). */
export function gateStageFor(rollout: Rollout, cluster?: string): number {
  const candidates = rollout.gates.filter((g) => cluster === undefined || g.clusters.includes(cluster));
  const gate = candidates.find((g) => g.state === 'open') ?? candidates.find((g) => g.state === 'pending') ?? candidates[candidates.length - 1];
  return gate?.stage ?? rollout.gates.length + 1;
}

/** Why the gate closed: its facts, and the plain string (all a gate stored before issue 11 has; older readers show it). */
function closedFacts(gate: Gate): { closedReason?: string; closedWhy?: Why } {
  return { ...(gate.closedReason !== undefined ? { closedReason: gate.closedReason } : {}), ...(gate.closedWhy ? { closedWhy: gate.closedWhy } : {}) };
}
