// Why rollgate said no, in words: the one place a refusal (rollout/refusals.ts) becomes the
// sentence the person who clicked or typed reads, and the audit shows.
import type { Phase } from '../../rollout/model.js';
import type { Refusal } from '../../rollout/refusals.js';
import { hookAnswerWords } from './hook-lines.js';
import { ALREADY_WORDS } from './operation-words.js';
import { gateClosedReason, outcomeReason } from './reason-words.js';

/** "succeeded", "failed", "been rolled back": how a finished rollout ended. */
const ended = (phase: Phase) => (phase === 'succeeded' ? 'succeeded' : phase === 'failed' ? 'failed' : 'been rolled back');
const theGate = (gate: string[] | undefined) => (gate ? `The ${gate.join(', ')} gate` : 'That gate');
const startAgain = (app: string, version: string) => `\`/rollout start ${app} ${version}\``;

export function refusalWords(refusal: Refusal): string {
  switch (refusal.why) {
    case 'gate-of-ended-rollout':
      return `${theGate(refusal.gate)} is already closed: rollout ${refusal.rollout} has ${ended(refusal.phase)}.`;
    case 'no-such-gate':
      return `Rollout ${refusal.rollout} has no such gate.`;
    case 'gate-approved':
      return `${theGate(refusal.gate)} is already approved${refusal.by === 'auto' ? ' (automatically)' : ` by <@${refusal.by}>`}.`;
    case 'gate-rolled-back':
      return `${theGate(refusal.gate)} is already rolled back by <@${refusal.by}>.`;
    case 'gate-closed':
      return `${theGate(refusal.gate)} is already closed: ${gateClosedReason(refusal) ?? 'the rollout moved on'}.`;
    case 'gate-expired':
      return `${theGate(refusal.gate)} is already timed out (${gateClosedReason(refusal) ?? 'no decision in time'}).`;
    case 'gate-pending':
      return `${theGate(refusal.gate)} is not open yet: rollout ${refusal.rollout} is ${refusal.phase}.`;
    case 'rolling-back':
      return `Rollout ${refusal.rollout} is already rolling back.`;
    case 'paused':
      return `Rollout ${refusal.rollout} is paused; \`/rollout resume ${refusal.rollout}\` first.`;
    case 'operation-writing':
      return `An operation on ${refusal.clusters.join(', ')} is being written; approve again in a moment.`;
    case 'self-approval':
      return `You requested rollout ${refusal.rollout}, so someone else has to approve its gates.`;
    case 'not-an-approver':
      return `You are not an approver of ${refusal.app}, so you cannot approve its gates.`;
    case 'not-requester-or-approver':
      return `Only the requester (<@${refusal.requester}>) or an approver of ${refusal.app} can ${refusal.action === 'rollback' ? 'roll it back' : 'retry it'}.`;
    case 'finished':
      return `Rollout ${refusal.rollout} has already finished (${refusal.phase}).`;
    case 'ended':
      return `Rollout ${refusal.rollout} has already ${ended(refusal.phase)}.`;
    case 'unexpected-event':
      return `${refusal.event} does not apply while rollout ${refusal.rollout} is ${refusal.phase}.`;
    case 'approved-twice':
      return `You already approved the ${refusal.gate.join(', ')} gate; it needs ${refusal.more} more approval${refusal.more === 1 ? '' : 's'} from someone else.`;
    case 'already-paused':
      return `Rollout ${refusal.rollout} is already paused.`;
    case 'cannot-pause-now':
      return `Rollout ${refusal.rollout} is ${refusal.phase}; it can be paused while it analyses, waits for pods or waits at a gate.`;
    case 'not-paused':
      return `Rollout ${refusal.rollout} is not paused.`;
    case 'operation-not-now':
      return `Rollout ${refusal.rollout} is ${refusal.phase}; operations on clusters wait until it analyses or waits at a gate.`;
    case 'unknown-clusters': {
      const { unknown, guess } = refusal;
      return `${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not part of rollout ${refusal.rollout} (${refusal.known.join(', ')}).${guess ? ` Did you mean \`${guess}\`?` : ''}`;
    }
    case 'nothing-to-operate':
      return `Nothing to do: ${refusal.clusters.join(', ')} ${ALREADY_WORDS[refusal.op]}.`;
    case 'retry-after-success':
      return `Rollout ${refusal.rollout} has already rolled out ${refusal.version}: there is nothing to retry.`;
    case 'retry-after-rollback':
      return `Rollout ${refusal.rollout} was rolled back (${refusal.outcome ? outcomeReason(refusal.outcome) : 'rolled back'}); there is nothing to retry. To try ${refusal.version} again, run ${startAgain(refusal.app, refusal.version)}.`;
    case 'retry-before-change':
      return `Rollout ${refusal.rollout} failed before it changed anything (${refusal.outcome ? outcomeReason(refusal.outcome) : 'it failed'}). Nothing to retry: once the cause is fixed, run ${startAgain(refusal.app, refusal.version)}.`;
    case 'retry-after-failed-rollback':
      return `Rollout ${refusal.rollout} failed while rolling back (${refusal.outcome ? outcomeReason(refusal.outcome) : 'it failed'}); ${refusal.clusters.join(', ')} may still run its canary or promotion. Nothing to retry here: check those clusters, and roll them back by hand or with a new rollout of the previous version.`;
    case 'retry-while-rolling-back':
      return `Rollout ${refusal.rollout} is rolling back; nothing is held, so there is nothing to retry.`;
    case 'nothing-held':
      return `Nothing to retry: rollout ${refusal.rollout} is ${refusal.phase} and no step is held.`;
    case 'retry-running':
      return `A retry of the held ${refusal.step} step was already asked by <@${refusal.by}>; it is running.`;
    case 'finalizing': {
      const back = refusal.fromVersion ? startAgain(refusal.app, refusal.fromVersion) : 'a new rollout of the previous version';
      return `Rollout ${refusal.rollout} is finalizing: ${refusal.version} is being written over the base in every cluster, so it can no longer be rolled back. To go back, run ${back} once it has finished.`;
    }
    case 'no-traffic-step':
      return `Rollout ${refusal.rollout} has no traffic step in ${refusal.cluster}.`;
    case 'weight-reached':
      return `${refusal.cluster} is already at ${refusal.weight} %.`;
    case 'step-not-offered':
      return `The step of ${refusal.cluster} to ${refusal.weight} % is not offered now (rollout ${refusal.rollout} is ${refusal.phase}).`;
    case 'held-by-webhook': {
      const { hook } = refusal;
      return `Promotion is held by the confirm-promotion webhook "${hook.name}"${hook.cluster ? ` for ${hook.cluster}` : ''} (${hookAnswerWords(hook)}). ${refusal.retry ?? 'Approve'} again once it answers 2xx; rollout ${refusal.rollout} keeps analysing meanwhile.`;
    }
    // A refusal written by a newer rollgate (read back from the audit): its code is all we know.
    default:
      return `refused (${(refusal as { why?: string }).why ?? (refusal as Refusal).code})`;
  }
}

/** The private answer to a refused click or command: "already" is news, the rest a no. */
export function refusalReply(refusal: Refusal): string {
  return `${refusal.code === 'already' ? ':information_source:' : ':no_entry:'} ${refusalWords(refusal)}`;
}
