// What can happen to a rollout (events, past tense), what the machine asks the edges to do
// (effects), and why it may say no (refusals).
import type { ClusterTick, MetricSample, Operation, OperationKind } from './model.js';
import type { HookCall } from './webhooks/hook-call.js';
import type { StepProblem, Why } from './why.js';

export interface Actor {
  user: string;
  /** Resolved at the edge from the app's approvers (users and user groups). */
  isApprover: boolean;
}

export type RolloutEvent =
  | { type: 'RolloutStarted'; fromVersion: string }
  /** The start step found the version already running: there is nothing to roll out. */
  | { type: 'AlreadyRunning' }
  | { type: 'CanaryDeployed' }
  | { type: 'PromotionApplied' }
  | { type: 'ReadinessChecked'; ready: boolean; waitingFor?: string }
  /** `gateHooks`: confirm-promotion answers, when this interval may complete a stage that promotes by itself. */
  | { type: 'AnalysisTicked'; results: ClusterTick[]; gateHooks?: HookCall[] }
  /** `cluster`: the one a typed "approve ID CLUSTER" named, checked against the rollout. `hooks`: confirm-promotion answers. */
  /** `reason`: the approver's words, when the modal asked (approvals.reasons.approve). */
  | { type: 'GateApproved'; stage: number; by: Actor; cluster?: string; hooks?: HookCall[]; reason?: string }
  /** A confirm-rollout webhook did not answer 2xx: the start waits and asks again. */
  | { type: 'StartHeldByWebhook'; hooks: HookCall[] }
  /** `why`: rollgate's words ("aborted", "superseded by v3"); `reason`: the person's own, from the modal. */
  | { type: 'RollbackRequested'; by: Actor; stage?: number; why?: string; reason?: string }
  /** `hooks`: the post-rollout webhooks' answers (best effort). */
  | { type: 'Finalized'; hooks?: HookCall[] }
  | { type: 'RolledBack'; hooks?: HookCall[] }
  /** `problem`: what went wrong, as facts (rollout/why.ts). */
  | { type: 'StepFailed'; step: StepName; problem: StepProblem }
  | { type: 'StepHeld'; step: StepName; problem: StepProblem }
  /** `hooks`: for `promote`, the confirm-promotion answers of the named clusters (promoting is approving). */
  | { type: 'OperationRequested'; op: OperationKind; clusters: string[]; by: Actor; hooks?: HookCall[] }
  | { type: 'OperationApplied' }
  | { type: 'PauseRequested'; by: Actor }
  | { type: 'ResumeRequested'; by: Actor }
  /** A person asks the held step to run now instead of at its next retry. */
  | { type: 'RetryRequested'; by: Actor }
  /** The weights in the rollout's clusters are written; `actual`: the real share where it differs (whole pods). */
  | { type: 'TrafficShifted'; actual?: Record<string, number> }
  /** approvals.trafficSteps: a person took the offered step of `cluster` to `weight` (the button's). */
  | { type: 'TrafficStepApproved'; cluster: string; weight: number; by: Actor };

/** Steps run by the workers; each touches the outside world (Kubernetes, Prometheus). */
export type StepName = 'start' | 'deploy-canary' | 'promote' | 'check-ready' | 'tick' | 'finalize' | 'rollback' | 'operate' | 'shift-traffic';

export interface RollbackCause {
  cluster: string;
  failing: MetricSample[];
  failedChecks: number;
  /** Set when measurement errors in a row, not failed checks, reached their limit. */
  consecutiveErrors?: number;
  /** Other clusters whose deciding metrics failed in the same interval, so the notice names each. */
  alsoFailing?: { cluster: string; failing: MetricSample[]; failedChecks: number }[];
}

/** Slack messages a transition wants posted; rendered from the rollout when they are sent. */
export type Notice =
  | { kind: 'root' }
  | { kind: 'root-update' }
  /** `repeat`: nothing changed since the last summary while a gate waits; it is updated in place. */
  | { kind: 'summary'; tick: number; stage: number; results: ClusterTick[]; failedChecks: Record<string, number>; gateHooks?: HookCall[]; repeat?: boolean }
  | { kind: 'gate-opened'; stage: number }
  | { kind: 'gate-closed'; stage: number }
  | { kind: 'rolled-back' }
  | { kind: 'finished' }
  /** The chart of every metric over the whole rollout, per cluster, uploaded to the thread. */
  | { kind: 'chart' }
  /** `why`: the reason as facts; `reason`: its plain string, for readers from before issue 11. */
  | { kind: 'failed'; reason: string; why?: Why }
  | { kind: 'operation'; operation: Operation }
  /** `step`: the step that is held ('tick': the analysis cannot measure). */
  | { kind: 'held'; reason: string; step?: StepName; why?: StepProblem }
  | { kind: 'resumed'; step?: StepName }
  /** Half-way to the gate's timeout: one reminder, to the approvers. */
  | { kind: 'reminder'; stage: number }
  /**
   * A line in the rollout's thread (pause, resume, a timed-out gate held), as facts; bot/blocks
   * writes it. `text`: a line stored before the domain spoke data, posted as it was written.
   */
  | { kind: 'note'; line?: NoteLine; text?: string; broadcast?: boolean }
  /** A private answer to the requester (through the start command's response_url); `text` as for a note. */
  | { kind: 'private'; answer?: PrivateAnswer; text?: string }
  /** The start found nothing to roll out: the requester is told privately, in place of "queued". */
  | { kind: 'nothing-to-do' }
  /** Take back the root message (delete it if it was posted): the rollout did nothing worth a trace. */
  | { kind: 'root-withdrawn' };

/** What a thread line says, as data (bot/blocks/note-words.ts writes the sentence). */
export type NoteLine =
  | { said: 'paused'; by: string }
  | { said: 'resumed'; by: string }
  | { said: 'retry-asked'; by: string; step: StepName }
  /** onTimeout: hold: the gate of `clusters` got no decision within `timeoutMs`; the requester is told. */
  | { said: 'gate-timed-out-held'; clusters: string[]; timeoutMs: number }
  /** confirm-rollout did not answer 2xx: the start waits (`hook`: its answer). */
  | { said: 'start-held-by-webhook'; hook: HookCall };

/** `why`: the reason as facts; `reason`: its plain string, for readers from before issue 11. */
export type PrivateAnswer = { said: 'start-failed'; reason: string; why?: StepProblem };

export type Effect =
  | { type: 'step'; step: StepName; at: number }
  | { type: 'notify'; notice: Notice }
  | { type: 'release-lock' };

export type { Refusal, RefusalCode, RefusalFacts } from './refusals.js';
