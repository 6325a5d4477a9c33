// Why a rollout ended, why a step is held, why a gate closed: written here from the facts the
// domain stores (rollout/why.ts). A record stored before those facts existed (issue 11) has
// only its plain string, shown as it was written. One place to change the wording.
import type { BaselineFinding, Gate, MetricSample, Outcome, Rollout } from '../../rollout/model.js';
import type { Why } from '../../rollout/why.js';
import { humanDuration } from '../../rollout/duration.js';

/** The sentence for a reason's facts. */
export function reasonWords(why: Why): string {
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
      const down = why.down.map((d) => `${d.cluster} ${d.metric}: ${d.error ?? 'no answer'}`).join('; ');
      return `analysis cannot measure (${down}${why.more > 0 ? ` (and ${why.more} more)` : ''}); this interval is neither passed nor failed`;
    }
    case 'step-failed':
      return `${why.step} failed: ${reasonWords(why.problem)}`;
    case 'not-ready':
      return `not ready within the progress deadline: ${why.waitingFor ?? 'pods not ready'}`;
    case 'webhook': {
      const { hook } = why;
      const answer = hook.status !== undefined ? `answered HTTP ${hook.status}` : `did not answer (${hook.reason ?? 'no answer'})`;
      return `the ${hook.type} webhook "${hook.name}" ${answer}${hook.cluster ? ` in ${hook.cluster}` : ''}`;
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

/** Facts when present, else the string stored before they existed. */
export function reasonOf(stored: { reason: string; why?: Why | undefined }): string {
  return stored.why ? reasonWords(stored.why) : stored.reason;
}

/** Why the rollout is held (its banner in the root message). */
export function heldReason(held: NonNullable<Rollout['held']>): string {
  return reasonOf(held);
}

/** Why a gate closed without a decision, when it says. */
export function gateClosedReason(gate: Pick<Gate, 'closedReason' | 'closedWhy'>): string | undefined {
  return gate.closedWhy ? reasonWords(gate.closedWhy) : gate.closedReason;
}

/** Why a rollout ended as it did: a person's rollback from its `asked` facts, the rest from `why`, else the stored reason. */
export function outcomeReason(outcome: Exclude<Outcome, { kind: 'succeeded' }>): string {
  if (outcome.kind === 'rolled-back' && outcome.trigger === 'person' && outcome.asked && outcome.by !== undefined) {
    const { why, gate, said } = outcome.asked;
    return why ? `${why} (<@${outcome.by}>)` : `rolled back by <@${outcome.by}>${gate ? ` at the ${gate.join(', ')} gate` : ''}${said ? `: “${said}”` : ''}`;
  }
  return reasonOf(outcome);
}

/** What the baseline rule found, in words. */
export function baselineWords(finding: BaselineFinding): string {
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

/** A sample's baseline note: from its finding, else (stored before issue 11) its note. */
export function baselineNote(sample: Pick<MetricSample, 'baselineFinding' | 'baselineNote'>): string | undefined {
  return sample.baselineFinding ? baselineWords(sample.baselineFinding) : sample.baselineNote;
}

/** The Mann-Whitney comparison, written from its p, effect and size; stored before `size` existed, its words. */
export function comparisonWords(comparison: NonNullable<MetricSample['comparison']>): string {
  const { p, effect, size } = comparison;
  if (!size) return comparison.words;
  return `Mann-Whitney p=${p.toPrecision(2)}, effect ${effect >= 0 ? '+' : ''}${effect.toFixed(2)} (${size})`;
}
