// The rollout as rollgate remembers it. Plain data (JSON in Redis), no behaviour here:
// transitions live in machine.ts, so every change of state goes through one function.
import type { HookCall } from './webhooks/hook-call.js';
import type { StepProblem, Why } from './why.js';
// Read back from Redis through rollout-schema.ts: a new field here needs its line there too.

export type Strategy = 'per-cluster' | 'canary-first';

/** A stage does one thing to some clusters, then analyses. Stage 0 deploys canaries; the rest promote behind a gate. */
export interface Stage {
  action: 'canary' | 'promote';
  clusters: string[];
}

export type Phase =
  | 'queued' // accepted, the start step has not run yet
  | 'deploying' // writing canary objects
  | 'promoting' // writing the promotion override
  | 'waiting-ready' // objects written, waiting for pods to be ready
  | 'analysing' // analysis ticks running for the current stage
  | 'awaiting-approval' // a gate is open; nothing runs until someone clicks
  | 'operating' // a person's operation on named clusters (seed Demo 3) is being written
  | 'paused' // a person paused it (or a gate timed out with onTimeout: hold); nothing runs until resume
  | 'finalizing' // absorbing the promotion into the base, removing temporary objects
  | 'rolling-back' // undoing canaries and promotions
  | 'succeeded'
  | 'rolled-back'
  | 'failed';

export const TERMINAL_PHASES: readonly Phase[] = ['succeeded', 'rolled-back', 'failed'];

export type GateState = 'pending' | 'open' | 'approved' | 'rolled-back' | 'closed' | 'expired';

export interface Gate {
  stage: number;
  clusters: string[];
  state: GateState;
  openedAt?: number;
  decidedBy?: string;
  decidedAt?: number;
  /** Why a gate closed without a decision (the rollout ended some other way). */
  closedReason?: string;
  /** closedReason as facts (bot/blocks writes the words); closedReason stays for older readers. */
  closedWhy?: Why;
  /** Distinct approvals this gate needs (per-cluster "two approvals"); 1 when unset. */
  required?: number;
  approvals?: { user: string; at: number; reason?: string }[];
  /** Cluster-specific approvers, when the gate's clusters have their own. */
  approvers?: { users: string[]; groups: string[] };
  reminded?: boolean;
  /** In the decider's words (approvals.reasons: the modal asked why); Slack-escaped text. */
  reason?: string;
}

/** The rank-biserial effect's class (rollout/analysis/mann-whitney.ts). */
export type EffectSize = 'large' | 'medium' | 'small' | 'negligible';

/** What the baseline rule found (rollout/verdict.ts), as data. */
export type BaselineFinding =
  /** The base already runs the new version here: nothing to compare with. */
  | { said: 'no-baseline' }
  | { said: 'no-data' }
  /** The canary is further from its baseline than `allowed` (relative: a percentage of the baseline). */
  | { said: 'outside'; direction: 'above' | 'below'; canary: number; baseline: number; allowed: { amount: number; relative: boolean } };

export interface MetricSample {
  metric: string;
  value: number | null;
  /** Set when no value could be had (no data, Prometheus down, timeout). */
  error?: string;
  /**
   * The measuring system itself did not answer (connection refused, timeout, DNS, HTTP 5xx):
   * the interval is held, neither passed nor failed. "No data" from a live source is not this.
   */
  outage?: boolean;
  min?: number;
  max?: number;
  passed: boolean;
  dryRun: boolean;
  /** The same metric over the stable pods of the cluster in the same interval, where asked for. */
  baseline?: number | null;
  /** Why the baseline rule failed, or why there is no baseline, as facts (bot/blocks writes the words). */
  baselineFinding?: BaselineFinding;
  /** baselineFinding in plain words, for rollgates from before issue 11 (rollout/why.ts). */
  baselineNote?: string;
  /**
   * Mann-Whitney U over the interval's points, canary vs baseline (shown, never decides).
   * bot/blocks writes it from p, effect and `size` (the effect's class); `words` is the plain
   * sentence for older rollgates, shown only for a comparison stored before `size` existed.
   */
  comparison?: { p: number; effect: number; size?: EffectSize; words: string };
  /** Set when the sample is a webhook's answer, not a metric (rollout/webhooks/hook-verdicts.ts). */
  hook?: HookCall;
}

export interface ClusterTick {
  cluster: string;
  metrics: MetricSample[];
  podsReady?: { ready: number; total: number };
  /** canary.traffic: the canary's weight during the interval, and its real share where that differs. */
  weight?: number;
  actualWeight?: number;
}

export interface ClusterState {
  canary: 'none' | 'deployed' | 'removed';
  promoted: boolean;
  failedChecks: number;
  /** Ticks in a row in which a metric could not be measured (only kept with a consecutiveErrorLimit). */
  consecutiveErrors?: number;
  lastVerdict?: 'passed' | 'failed';
  /** The cluster's pre-rollout webhooks all answered 2xx once; they are not called again. */
  preRolloutPassed?: boolean;
  /**
   * When the new version's pods here were seen ready (canary deployed, promotion rolled out,
   * or a person's canary/promote operation written): analysis reads samples from then on.
   */
  readyAt?: number;
  /** Tick values for this cluster, oldest first, for trend lines; bounded, see history.ts. */
  history: { at: number; metrics: Record<string, number | null> }[];
  /** With canary.traffic: the canary's share of traffic in percent, as the machine wants it written. */
  weight?: number;
  /** The share the canary really gets where it differs (the replicas provider rounds to whole pods). */
  actualWeight?: number;
  /** Every weight change, oldest first (the end-of-rollout chart marks them). */
  weights?: { at: number; weight: number }[];
  /** approvals.trafficSteps: the next weight a passing interval earned, waiting for a person's click. */
  pendingWeight?: number;
  /** approvals.trafficSteps: who approved the cluster's last weight step. */
  stepApprovedBy?: string;
}

export type ReasonNeed = 'required' | 'optional' | 'off';

export interface RolloutSettings {
  intervalMs: number;
  iterations: number;
  failureLimit: number;
  /** Measurement errors in a row that end the rollout (Argo Rollouts); unset: an error is a failed check. */
  consecutiveErrorLimit?: number;
  autoPromote: boolean;
  allowSelfApproval: boolean;
  /** Who may approve, as configured when the rollout started (shown in gate messages). */
  approvers: { users: string[]; groups: string[] };
  progressDeadlineMs: number;
  readyPollMs: number;
  /** How long to wait before retrying a step whose cluster did not answer. */
  retryMs: number;
  gateTimeoutMs: number;
  onTimeout: 'rollback' | 'hold';
  /** The metrics and their ranges as configured at the start (for the end-of-rollout chart). */
  metrics?: { name: string; min?: number; max?: number }[];
  /** canary.traffic as configured at the start: the provider and the weights the canary walks through. */
  /** preRollout: the app has pre-rollout webhooks, so a cluster gets no weight until they passed there. */
  /** approveSteps: approvals.trafficSteps, each step waits for a click. */
  traffic?: { provider: 'replicas' | 'istio' | 'gateway-api'; weights: number[]; preRollout?: boolean; approveSteps?: boolean };
  /** approvals.reasons as configured at the start: does the Rollback / Approve button ask why? Unset: off. */
  reasons?: { rollback: ReasonNeed; approve: ReasonNeed };
  /** approvals.notify: dm — each approver gets a direct message when a gate opens. */
  notifyDm?: boolean;
  /** Link templates as configured at the start (rollout/links.ts). */
  links?: { text: string; url: string }[];
}

export type OperationKind = 'canary' | 'uncanary' | 'promote' | 'unpromote' | 'rollback';

/** A person's operation on named clusters of a running rollout (the primitives of seed Demo 3). */
export interface Operation {
  op: OperationKind;
  clusters: string[];
  by: string;
  at: number;
  /** The phase to return to once the operation is written. */
  resume: 'analysing' | 'awaiting-approval';
}

/**
 * The `why` a `/rollout abort` gives its rollback (RollbackRequested), kept in the outcome as
 * `asked.why`: what tells an abort from a person's other rollbacks (the metrics count it apart).
 */
export const ABORT_WHY = 'aborted';

export type Outcome =
  | { kind: 'succeeded'; at: number }
  | {
      kind: 'rolled-back';
      at: number;
      by?: string;
      reason: string;
      trigger: 'person' | 'analysis' | 'deadline' | 'failure' | 'timeout' | 'webhook';
      /** For an automatic rollback after analysis: the cluster and metrics that failed. */
      cause?: { cluster: string; failing: MetricSample[]; failedChecks: number; consecutiveErrors?: number; alsoFailing?: { cluster: string; failing: MetricSample[]; failedChecks: number }[] };
      /**
       * A person's rollback (trigger 'person') as facts: their own words, if any, and the gate
       * they clicked on; bot/blocks writes "rolled back by <@U> at the member1 gate". `reason`
       * then holds only their words (or "rolled back"), for readers that predate `asked`.
       */
      asked?: { why?: string; gate?: string[]; said?: string };
      /** An automatic rollback's reason as facts (rollout/why.ts); `reason` is its plain string for older readers. */
      why?: Why;
    }
  | {
      kind: 'failed';
      at: number;
      reason: string;
      /**
       * Set when the start found the version already running: nothing was done, so the rollout
       * ends quietly. `root`: its root message is taken back ('withdrawn'), or stays, showing how
       * it ended ('kept': the thread already held notices, a held start or a webhook wait).
       */
      nothingToDo?: { root: 'withdrawn' | 'kept' };
      /** `reason` as facts (rollout/why.ts); `reason` stays, plain, for older readers. */
      why?: Why;
    };

export interface Rollout {
  id: string;
  app: string;
  version: string;
  fromVersion?: string;
  requester: string;
  channel: string;
  strategy: Strategy;
  clusters: string[];
  stages: Stage[];
  settings: RolloutSettings;
  phase: Phase;
  stage: number;
  /** Bumped by every transition; a scheduled step carries the seq it was scheduled at and is ignored once stale. */
  seq: number;
  ticksInStage: number;
  tick: number;
  readyDeadline?: number;
  cluster: Record<string, ClusterState>;
  gates: Gate[];
  createdAt: number;
  updatedAt: number;
  outcome?: Outcome;
  /** Why the rollout is rolling back, kept while the rollback step runs. */
  pendingOutcome?: Extract<Outcome, { kind: 'rolled-back' }>;
  /** Ids of clicks and commands already applied, so a redelivered one is a no-op. */
  inputsApplied: string[];
  /** The operation being written now, and every one done so far. */
  operation?: Operation;
  operations?: Operation[];
  /** Set while a step keeps failing because a cluster does not answer; the rollout waits and retries. */
  /** `retryBy`: who asked the held step to run now; cleared when it is held again. */
  /** `why`: `reason` as facts (rollout/why.ts); `reason` stays, plain, for older readers. */
  held?: { step: string; reason: string; since: number; retryBy?: string; why?: StepProblem };
  /** The requester's response_url from the start command: a private answer if the start fails. */
  notifyUrl?: string;
  /** While paused: who, since when, and where to go back to (reopening the gate that timed out, if any). */
  paused?: { by: string; at: number; resume: 'analysing' | 'awaiting-approval' | 'waiting-ready'; reopen?: number };
  /** While the start waits for a confirm-rollout webhook: which one, since when, its last answer. */
  hookWait?: { call: HookCall; since: number };
  /** The post-rollout webhooks' answers, once the rollout has ended. */
  postRollout?: HookCall[];
  /** Set by `start --supersede`: the rollout to start once this one is rolled back. */
  successor?: SuccessorRequest;
}

export interface SuccessorRequest {
  version: string;
  requester: string;
  clusters?: string[];
  strategy?: Strategy;
  autoPromote?: boolean;
  notifyUrl?: string;
}

export function isTerminal(phase: Phase): boolean {
  return TERMINAL_PHASES.includes(phase);
}

/** A cluster's state once its canary is gone (a canary that was never there stays "none"). */
export function withoutCanary(state: ClusterState): ClusterState {
  return state.canary === 'deployed' ? { ...state, canary: 'removed' } : state;
}

/** Clusters whose pods run the new version now: the ones analysis looks at. */
export function analysedClusters(rollout: Rollout): string[] {
  return rollout.clusters.filter((name) => {
    const state = rollout.cluster[name];
    return state !== undefined && (state.canary === 'deployed' || state.promoted);
  });
}

export function touchedClusters(rollout: Rollout): string[] {
  return rollout.clusters.filter((name) => {
    const state = rollout.cluster[name];
    return state !== undefined && (state.canary !== 'none' || state.promoted);
  });
}
