// Private answers (jobs/ports.ts Answer) in words: refusals, lost clicks, a superseding
// rollout's start, a start that failed or found nothing to do.
import type { Answer } from '../../jobs/ports.js';
import type { StartOutcome } from '../../jobs/start-rollout.js';
import { humanDuration } from '../../rollout/duration.js';
import { alreadyRunningText } from './messages.js';
import { refusalReply } from './refusal-words.js';

/** "checkout is in its cooldown after the last rollout: 4 min left (cooldown 10 min)." */
export function cooldownWords(outcome: Extract<StartOutcome, { kind: 'cooldown' }>): string {
  return `${outcome.app} is in its cooldown after the last rollout: ${humanDuration(outcome.leftMs)} left (cooldown ${humanDuration(outcome.cooldownMs)}).`;
}

export function answerWords(answer: Answer): string {
  switch (answer.said) {
    case 'refused':
      return refusalReply(answer.refusal);
    case 'no-such-rollout':
      return `:no_entry: There is no rollout ${answer.rollout}.`;
    case 'input-lost':
      return `:warning: Your ${answer.input} of \`${answer.rollout}\` could not be applied (${answer.error}). Nothing changed; please try again.`;
    case 'successor-started':
      return `:rocket: Rollout \`${answer.rollout}\` of ${answer.app} ${answer.version} is queued.`;
    case 'successor-not-started': {
      const { outcome } = answer;
      return `:no_entry: ${answer.app} ${answer.version} did not start: ${outcome.kind === 'busy' ? `${outcome.activeId} is active` : cooldownWords(outcome)}`;
    }
    case 'start-failed':
      return `:no_entry: Rollout ${answer.rollout} of ${answer.app} ${answer.version} could not start: ${answer.reason}`;
    case 'nothing-to-do':
      return alreadyRunningText(answer.app, answer.version);
    case 'as-written':
      return answer.text;
  }
}
