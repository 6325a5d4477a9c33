// Why a transition said no, as data: a `code` the edges act on (icon, audit outcome) and a
// `why` with the facts a sentence is made of. The sentences are written in bot/blocks/
// (refusal-words.ts); nothing here is meant to be read as it is.
import type { OperationKind, Outcome, Phase } from './model.js';

type Ended = Exclude<Outcome, { kind: 'succeeded' }>;
import type { HookCall } from './webhooks/hook-call.js';
import type { Why } from './why.js';

export type RefusalCode =
  | 'not-an-approver'
  | 'self-approval'
  | 'gate-not-open'
  | 'gate-decided'
  | 'rollout-finished'
  | 'already-rolling-back'
  | 'not-allowed'
  | 'busy'
  | 'already'
  | 'unknown-cluster'
  | 'held-by-webhook'
  | 'unexpected-event'
  | 'nothing-to-retry';

/** `gate`: the clusters of the gate a click named, when there is one. `phase`: the rollout's at the refusal. */
export type RefusalFacts =
  | { why: 'gate-of-ended-rollout'; rollout: string; gate?: string[]; phase: Phase }
  | { why: 'no-such-gate'; rollout: string }
  /** `by`: who approved, 'auto' for autoPromote. */
  | { why: 'gate-approved'; gate?: string[]; by?: string }
  | { why: 'gate-rolled-back'; gate?: string[]; by?: string }
  /** `closedWhy`: why it closed, as facts; `closedReason`: the string a gate stored before issue 11. */
  | { why: 'gate-closed'; gate?: string[]; closedReason?: string; closedWhy?: Why }
  | { why: 'gate-expired'; gate?: string[]; closedReason?: string; closedWhy?: Why }
  | { why: 'gate-pending'; rollout: string; gate?: string[]; phase: Phase }
  | { why: 'rolling-back'; rollout: string }
  | { why: 'paused'; rollout: string }
  | { why: 'operation-writing'; clusters: string[] }
  | { why: 'self-approval'; rollout: string }
  | { why: 'not-an-approver'; app: string }
  /** Only the requester or an approver may do `action`. */
  | { why: 'not-requester-or-approver'; requester: string; app: string; action: 'rollback' | 'retry' }
  | { why: 'finished'; rollout: string; phase: Phase }
  /** An event that no longer applies to a rollout that has ended. */
  | { why: 'ended'; rollout: string; phase: Phase }
  | { why: 'unexpected-event'; rollout: string; event: string; phase: Phase }
  | { why: 'approved-twice'; gate: string[]; more: number }
  | { why: 'already-paused'; rollout: string }
  | { why: 'cannot-pause-now'; rollout: string; phase: Phase }
  | { why: 'not-paused'; rollout: string }
  | { why: 'operation-not-now'; rollout: string; phase: Phase }
  /** `known`: the rollout's clusters; `guess`: the closest one to a single unknown name. */
  | { why: 'unknown-clusters'; rollout: string; unknown: string[]; known: string[]; guess?: string }
  | { why: 'nothing-to-operate'; op: OperationKind; clusters: string[] }
  | { why: 'retry-after-success'; rollout: string; version: string }
  /** `outcome`: how the rollout ended (its reason is written from it). */
  | { why: 'retry-after-rollback'; rollout: string; app: string; version: string; outcome?: Ended }
  | { why: 'retry-before-change'; rollout: string; app: string; version: string; outcome?: Ended }
  | { why: 'retry-after-failed-rollback'; rollout: string; outcome?: Ended; clusters: string[] }
  | { why: 'retry-while-rolling-back'; rollout: string }
  | { why: 'nothing-held'; rollout: string; phase: Phase }
  | { why: 'retry-running'; step: string; by: string }
  | { why: 'finalizing'; rollout: string; app: string; version: string; fromVersion?: string }
  | { why: 'no-traffic-step'; rollout: string; cluster: string }
  | { why: 'weight-reached'; cluster: string; weight: number }
  | { why: 'step-not-offered'; rollout: string; cluster: string; weight: number; phase: Phase }
  /** `retry`: what to do again once the hook answers 2xx (a gate's Approve, or `/rollout promote`). */
  | { why: 'held-by-webhook'; rollout: string; hook: HookCall; retry?: 'Approve' | 'Promote' };

export type Refusal = { code: RefusalCode } & RefusalFacts;

export const refusal = (code: RefusalCode, facts: RefusalFacts): Refusal => ({ code, ...facts });
