// Why a rollout ended, why a step is held, why a gate closed: as facts (issue 11). The
// sentence people read is written in bot/blocks/reason-words.ts from these.
//
// The stored format keeps a required string beside the facts (outcome.reason, held.reason,
// the failed and held notices' reason, the start-failed answer's reason) and an optional one
// (gate.closedReason): a rollgate from before issue 11 reads records written by this one during
// a rolling upgrade, and shows that string as it is. fallbackReason() writes it, in plain
// words (no Slack markup), for those older readers only; readers of this version render from
// the facts when present, else from the string (records stored before). A test keeps the two
// in step (test/bot/reason-words.test.ts).
import { humanDuration } from './duration.js';
import type { StepName } from './events.js';
import type { HookCall } from './webhooks/hook-call.js';
import type { BaselineFinding } from './model.js';
import { effectSize } from './analysis/mann-whitney.js';

/** What went wrong in a step, as the worker saw it. */
export type StepProblem =
  /** The rollout's app is no longer in the config. */
  | { said: 'app-gone'; app: string }
  /** rollgate itself is wrong (a bug, a damaged record); `message`: the error's own text. */
  | { said: 'internal-error'; message: string }
  /** A cluster (or anything else) refused for good; `message`: its own text. */
  | { said: 'refused'; message: string }
  /** A cluster (or a call) did not answer, after the quick retries. */
  | { said: 'unreachable'; cluster?: string; message: string }
  /** The measuring system does not answer: the first few metrics down, and how many more. */
  | { said: 'cannot-measure'; down: { cluster: string; metric: string; error?: string }[]; more: number };

export type Why =
  | StepProblem
  /** A step failed (`problem`) after the clusters were touched, or before. */
  | { said: 'step-failed'; step: StepName; problem: StepProblem }
  /** The new pods were not ready by the progress deadline. */
  | { said: 'not-ready'; waitingFor?: string }
  /** A rollback webhook answered 2xx. */
  | { said: 'webhook'; hook: HookCall }
  /** Deciding metrics failed in `cluster` until the failure limit. */
  | { said: 'metrics-failed'; cluster: string; metrics: string[]; failedChecks: number; failureLimit: number }
  /** Deciding metrics could not be measured `consecutiveErrors` times in a row. */
  | { said: 'not-measured'; cluster: string; metrics: string[]; consecutiveErrors: number; limit?: number }
  /** A gate got no decision in time (onTimeout: rollback). */
  | { said: 'gate-timed-out'; clusters: string[]; timeoutMs: number }
  /** A gate expired with no decision (its own words, on the gate). */
  | { said: 'no-decision'; timeoutMs: number }
  /** The start found the version already running. */
  | { said: 'already-runs'; app: string; version: string }
  /** A gate that never opened, closed because the rollout was rolled back. */
  | { said: 'rolled-back' };

/** The plain string stored beside the facts, for rollgates from before issue 11 (see above). */
export function fallbackReason(why: Why): string {
  switch (why.said) {
    case 'app-gone':
      return `app ${why.app} is no longer configured`;
    case 'internal-error':
      return `rollgate hit an internal error (${why.message}); see its logs`;
    case 'refused':
      return why.message;
    case 'unreachable':
      return `${why.cluster ? `cluster ${why.cluster} unreachable` : 'a call failed'}: ${why.message}`;
    case 'cannot-measure': {
      const shown = why.down.map((d) => `${d.cluster} ${d.metric}: ${d.error ?? 'no answer'}`).join('; ') + (why.more > 0 ? ` (and ${why.more} more)` : '');
      return `analysis cannot measure (${shown}); this interval is neither passed nor failed`;
    }
    case 'step-failed':
      return `${why.step} failed: ${fallbackReason(why.problem)}`;
    case 'not-ready':
      return `not ready within the progress deadline: ${why.waitingFor ?? 'pods not ready'}`;
    case 'webhook': {
      const call = why.hook;
      const where = call.cluster ? ` in ${call.cluster}` : '';
      const answer = call.status !== undefined ? `answered HTTP ${call.status}` : `did not answer (${call.reason ?? 'no answer'})`;
      return `the ${call.type} webhook "${call.name}" ${answer}${where}`;
    }
    case 'metrics-failed':
      return `${why.metrics.join(', ')} failed in ${why.cluster}: ${why.failedChecks} of ${why.failureLimit} allowed failed checks`;
    case 'not-measured':
      return `${why.metrics.join(', ')} could not be measured in ${why.cluster} ${why.consecutiveErrors} times in a row (consecutiveErrorLimit ${why.limit})`;
    case 'gate-timed-out':
      return `the ${why.clusters.join(', ')} gate got no decision within ${humanDuration(why.timeoutMs)}`;
    case 'no-decision':
      return `no decision within ${humanDuration(why.timeoutMs)}`;
    case 'already-runs':
      return `${why.app} already runs ${why.version}`;
    case 'rolled-back':
      return 'rolled back';
  }
}

/** Facts and, for older readers, their plain string: what the stored format holds. */
export function because(why: Why): { reason: string; why: Why } {
  return { reason: fallbackReason(why), why };
}

/** A baseline finding in plain words (MetricSample.baselineNote), for rollgates from before issue 11. */
export function fallbackBaselineNote(finding: BaselineFinding): string {
  switch (finding.said) {
    case 'no-baseline':
      return 'no baseline: the base runs the new version here';
    case 'no-data':
      return 'baseline: no data';
    case 'outside': {
      const { canary, baseline, allowed } = finding;
      const diff = canary - baseline;
      const pct = baseline !== 0 ? ` (${((diff / Math.abs(baseline)) * 100).toFixed(1)}%)` : '';
      const sign = finding.direction === 'above' ? '+' : '-';
      return `${Math.abs(diff).toFixed(2)}${pct} ${finding.direction} the baseline (allowed ${sign}${allowed.amount}${allowed.relative ? '%' : ''})`;
    }
  }
}

/** The Mann-Whitney comparison in plain words (comparison.words), for rollgates from before issue 11. */
export function fallbackComparison(p: number, effect: number): string {
  return `Mann-Whitney p=${p.toPrecision(2)}, effect ${effect >= 0 ? '+' : ''}${effect.toFixed(2)} (${effectSize(effect)})`;
}
