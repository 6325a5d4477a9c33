// Who may open or shut a gate, and when. Refusals are answers, not exceptions.
import type { Actor, Refusal } from './events.js';
import type { Gate, Rollout } from './model.js';
import { finishedWord, isTerminal } from './model.js';

const refuse = (code: Refusal['code'], message: string): Refusal => ({ code, message });

function closedGateRefusal(rollout: Rollout, gate: Gate | undefined): Refusal | undefined {
  const where = gate ? `The ${gate.clusters.join(', ')} gate` : 'That gate';
  if (isTerminal(rollout.phase)) return refuse('rollout-finished', `${where} is already closed: rollout ${rollout.id} has ${finishedWord(rollout)}.`);
  if (!gate) return refuse('gate-not-open', `Rollout ${rollout.id} has no such gate.`);
  switch (gate.state) {
    case 'approved':
      return refuse('gate-decided', `${where} is already approved${gate.decidedBy === 'auto' ? ' (automatically)' : ` by <@${gate.decidedBy}>`}.`);
    case 'rolled-back':
      return refuse('gate-decided', `${where} is already rolled back by <@${gate.decidedBy}>.`);
    case 'closed':
      return refuse('gate-decided', `${where} is already closed: ${gate.closedReason ?? 'the rollout moved on'}.`);
    case 'expired':
      return refuse('gate-decided', `${where} is already timed out (${gate.closedReason ?? 'no decision in time'}).`);
    case 'pending':
      return refuse('gate-not-open', `${where} is not open yet: rollout ${rollout.id} is ${rollout.phase}.`);
    case 'open':
      if (rollout.phase === 'rolling-back') return refuse('already-rolling-back', `Rollout ${rollout.id} is already rolling back.`);
      return undefined;
  }
}

/** Why `by` may not approve the gate guarding `stage` now, or undefined when they may. */
export function gateRefusal(rollout: Rollout, stage: number, by: Actor): Refusal | undefined {
  const gate = rollout.gates[stage - 1];
  const closed = closedGateRefusal(rollout, gate);
  if (closed) return closed;
  if (rollout.phase === 'paused') return refuse('busy', `Rollout ${rollout.id} is paused; \`/rollout resume ${rollout.id}\` first.`);
  if (rollout.phase === 'operating') return refuse('busy', `An operation on ${rollout.operation?.clusters.join(', ')} is being written; approve again in a moment.`);
  return approverRefusal(rollout, by);
}

/** Who may approve (a gate, or a promotion by command): not the requester unless allowed, and an approver. */
export function approverRefusal(rollout: Rollout, by: Actor): Refusal | undefined {
  if (by.user === rollout.requester && !rollout.settings.allowSelfApproval) {
    return refuse('self-approval', `You requested rollout ${rollout.id}, so someone else has to approve its gates.`);
  }
  if (!by.isApprover) return refuse('not-an-approver', `You are not an approver of ${rollout.app}, so you cannot approve its gates.`);
  return undefined;
}

/** Why `by` may not roll the rollout back now (from the gate guarding `stage`, when given). */
export function rollbackRefusal(rollout: Rollout, by: Actor, stage?: number): Refusal | undefined {
  if (stage !== undefined) {
    const closed = closedGateRefusal(rollout, rollout.gates[stage - 1]);
    if (closed) return closed;
  } else if (isTerminal(rollout.phase)) {
    return refuse('rollout-finished', `Rollout ${rollout.id} has already finished (${rollout.phase}).`);
  } else if (rollout.phase === 'rolling-back') {
    return refuse('already-rolling-back', `Rollout ${rollout.id} is already rolling back.`);
  }
  if (by.user !== rollout.requester && !by.isApprover) {
    return refuse('not-allowed', `Only the requester (<@${rollout.requester}>) or an approver of ${rollout.app} can roll it back.`);
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
