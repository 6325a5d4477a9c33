// Thread lines and private answers a transition asks for (rollout/events.ts NoteLine,
// PrivateAnswer), in words. A notice stored before the domain spoke data carries its
// sentence in `text`: that is posted as it was written.
import type { Answer } from '../../jobs/ports.js';
import type { Notice, NoteLine } from '../../rollout/events.js';
import { humanDuration } from '../../rollout/duration.js';
import type { Rollout } from '../../rollout/model.js';
import { hookAnswerWords } from './hook-lines.js';
import { reasonOf } from './reason-words.js';

function lineWords(rollout: Rollout, line: NoteLine): string {
  const id = rollout.id;
  switch (line.said) {
    case 'paused':
      return `:double_vertical_bar: <@${line.by}> paused rollout \`${id}\`: no analysis, no gate decisions until \`/rollout resume ${id}\`.`;
    case 'resumed':
      return `:arrow_forward: <@${line.by}> resumed rollout \`${id}\`.`;
    case 'retry-asked':
      return `:repeat: <@${line.by}> retries the held ${line.step} step of \`${id}\` now.`;
    case 'gate-timed-out-held':
      return `:alarm_clock: <@${rollout.requester}> the ${line.clusters.join(', ')} gate of \`${id}\` got no decision within ${humanDuration(line.timeoutMs)}; the rollout is held as it is. \`/rollout resume ${id}\` opens the gate again, \`/rollout rollback ${id}\` undoes it.`;
    case 'start-held-by-webhook':
      return `:hourglass_flowing_sand: <@${rollout.requester}> rollout \`${id}\` of ${rollout.app} ${rollout.version} waits for the confirm-rollout webhook *${line.hook.name}* (${hookAnswerWords(line.hook)}); rollgate asks again every interval and starts once it answers 2xx.`;
  }
}

export function noteWords(rollout: Rollout, notice: Extract<Notice, { kind: 'note' }>): string {
  return notice.line ? lineWords(rollout, notice.line) : (notice.text ?? '');
}

/** The private answer a `private` notice asks for (a start that failed). */
export function privateAnswer(rollout: Rollout, notice: Extract<Notice, { kind: 'private' }>): Answer {
  if (!notice.answer) return { said: 'as-written', text: notice.text ?? '' };
  return { said: 'start-failed', rollout: rollout.id, app: rollout.app, version: rollout.version, reason: reasonOf(notice.answer) };
}
