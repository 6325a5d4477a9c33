// A person's operations on named clusters of a running rollout: the primitives of seed
// Demo 3 (canary deploy, canary rollback, promote, promotion rollback). Each touches only
// the clusters it names and is idempotent: asking for what already is gets "already so".
import type { Actor, Effect, Refusal, RefusalCode, RefusalFacts } from './events.js';
import { closest } from './closest.js';
import { approverRefusal, rollbackRefusal } from './gate-rules.js';
import type { HookCall } from './webhooks/hook-call.js';
import { promotionRefusal } from './webhooks/hook-transitions.js';
import type { ClusterState, OperationKind, Rollout } from './model.js';
import { isTerminal, withoutCanary } from './model.js';
import { refusal } from './refusals.js';

export type OperationTransition = { ok: true; changes: Partial<Rollout>; effects: Effect[] } | { ok: false; refusal: Refusal };

const refuse = (code: RefusalCode, facts: RefusalFacts): OperationTransition => ({ ok: false, refusal: refusal(code, facts) });

const ALREADY: Record<OperationKind, (state: ClusterState) => boolean> = {
  canary: (s) => s.canary === 'deployed',
  uncanary: (s) => s.canary !== 'deployed',
  promote: (s) => s.promoted,
  unpromote: (s) => !s.promoted,
  rollback: (s) => s.canary !== 'deployed' && !s.promoted,
};

/** Names that are not clusters of the rollout, with the closest one when a single name was mistyped. */
export function unknownClusters(rollout: Rollout, unknown: string[]): Refusal {
  const guess = unknown.length === 1 ? closest(unknown[0] as string, rollout.clusters) : undefined;
  return refusal('unknown-cluster', { why: 'unknown-clusters', rollout: rollout.id, unknown, known: rollout.clusters, ...(guess ? { guess } : {}) });
}

/** `hooks`: for `promote`, the confirm-promotion answers of the clusters it names; one not answering 2xx refuses it, as it refuses Approve. */
export function requestOperation(rollout: Rollout, op: OperationKind, clusters: string[], by: Actor, nowMs: number, hooks?: HookCall[]): OperationTransition {
  if (isTerminal(rollout.phase)) return refuse('rollout-finished', { why: 'finished', rollout: rollout.id, phase: rollout.phase });
  if (rollout.phase !== 'analysing' && rollout.phase !== 'awaiting-approval') {
    return refuse('busy', { why: 'operation-not-now', rollout: rollout.id, phase: rollout.phase });
  }
  const unknown = clusters.filter((c) => !rollout.clusters.includes(c));
  if (unknown.length > 0) return { ok: false, refusal: unknownClusters(rollout, unknown) };
  // Promoting is approving, so it follows the gate rules; the rest follow the rollback rules.
  const denied = op === 'promote' ? approverRefusal(rollout, by) : rollbackRefusal(rollout, by);
  if (denied) return { ok: false, refusal: denied };
  const needed = clusters.filter((c) => !ALREADY[op](rollout.cluster[c] as ClusterState));
  if (needed.length === 0) return refuse('already', { why: 'nothing-to-operate', op, clusters });
  const held = op === 'promote' ? promotionRefusal(rollout, hooks, 'Promote') : undefined;
  if (held) return { ok: false, refusal: held };
  const operation = { op, clusters: needed, by: by.user, at: nowMs, resume: rollout.phase };
  return {
    ok: true,
    changes: { phase: 'operating', operation },
    effects: [
      { type: 'step', step: 'operate', at: nowMs },
      { type: 'notify', notice: { kind: 'operation', operation } },
      { type: 'notify', notice: { kind: 'root-update' } },
    ],
  };
}


export function operationApplied(rollout: Rollout, nowMs: number): OperationTransition {
  const operation = rollout.operation;
  if (rollout.phase !== 'operating' || !operation) return refuse('unexpected-event', { why: 'unexpected-event', rollout: rollout.id, event: 'OperationApplied', phase: rollout.phase });
  const cluster = { ...rollout.cluster };
  for (const name of operation.clusters) {
    const state = cluster[name] as ClusterState;
    if (operation.op === 'canary') cluster[name] = { ...state, canary: 'deployed', readyAt: nowMs };
    if (operation.op === 'uncanary') cluster[name] = withoutCanary(state);
    if (operation.op === 'promote') cluster[name] = { ...state, promoted: true, readyAt: nowMs };
    if (operation.op === 'unpromote') cluster[name] = { ...state, promoted: false };
    if (operation.op === 'rollback') cluster[name] = { ...withoutCanary(state), promoted: false };
  }
  // The operation made the pending tick stale; analysis goes on (also while a gate waits).
  const resumeTicks: Effect[] = [{ type: 'step', step: 'tick', at: nowMs + rollout.settings.intervalMs }];
  return {
    ok: true,
    changes: { phase: operation.resume, cluster, operation: undefined, operations: [...(rollout.operations ?? []), operation] },
    effects: [...resumeTicks, { type: 'notify', notice: { kind: 'root-update' } }],
  };
}

/** The canary and promoted sets the fleet must have once the operation in flight is written. */
export function desiredSets(rollout: Rollout): { canaries: string[]; promoted: string[] } {
  const op = rollout.operation;
  const has = (name: string, kind: 'canary' | 'promoted') => {
    const state = rollout.cluster[name] as ClusterState;
    const now = kind === 'canary' ? state.canary === 'deployed' : state.promoted;
    if (!op || !op.clusters.includes(name)) return now;
    if (op.op === 'rollback') return false;
    if (kind === 'canary') return op.op === 'canary' ? true : op.op === 'uncanary' ? false : now;
    return op.op === 'promote' ? true : op.op === 'unpromote' ? false : now;
  };
  return { canaries: rollout.clusters.filter((c) => has(c, 'canary')), promoted: rollout.clusters.filter((c) => has(c, 'promoted')) };
}
