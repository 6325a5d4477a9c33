// Flagger's `event` webhooks: every notice rollgate posts about a rollout is also POSTed, as
// JSON, to the app's event hooks (metadata eventMessage, eventType, timestamp, as Flagger's
// CallEventWebhook). Best effort and never awaited by the drain: a slow or failing receiver
// never holds the outbox; its failures are logged.
import type { Logger } from 'pino';
import type { Config } from '../rollout/config.js';
import type { Notice } from '../rollout/events.js';
import type { Rollout } from '../rollout/model.js';
import { hooksOfType } from '../rollout/webhooks/hook-config.js';
import type { Webhooks } from '../rollout/webhooks/webhooks.js';
import { noteWords } from './blocks/note-words.js';
import { failedMessage, finishedMessage, gateMessage, heldMessage, operationMessage, reminderMessage, resumedMessage, rolledBackMessage, rootMessage, summaryMessage } from './blocks/messages.js';

/** Root updates are coalesced state, charts are files, private answers are private: not events. */
const SKIPPED: ReadonlySet<Notice['kind']> = new Set(['root-update', 'chart', 'private', 'nothing-to-do', 'root-withdrawn']);
const WARNINGS: ReadonlySet<Notice['kind']> = new Set(['rolled-back', 'failed', 'held', 'reminder']);

export function noticeText(rollout: Rollout, notice: Notice, now: number): string | undefined {
  switch (notice.kind) {
    case 'root':
      return rootMessage(rollout, now).text;
    case 'summary':
      return summaryMessage(rollout, notice, now).text;
    case 'gate-opened':
    case 'gate-closed':
      return gateMessage(rollout, notice.stage, now).text;
    case 'rolled-back':
      return rolledBackMessage(rollout).text;
    case 'finished':
      return finishedMessage(rollout).text;
    case 'failed':
      return failedMessage(rollout, notice).text;
    case 'operation':
      return operationMessage(rollout, notice.operation).text;
    case 'held':
      return heldMessage(rollout, notice).text;
    case 'resumed':
      return resumedMessage(rollout).text;
    case 'reminder':
      return reminderMessage(rollout, notice.stage, now).text;
    case 'note':
      return noteWords(rollout, notice);
    default:
      return undefined;
  }
}

export function createEventForwarder(options: { config: Config; webhooks: Webhooks; clock: () => number; log: Logger }) {
  const { config, webhooks, clock, log } = options;
  return (rollout: Rollout, notice: Notice): void => {
    const app = config.apps.find((a) => a.name === rollout.app);
    if (!app || SKIPPED.has(notice.kind) || hooksOfType(app, 'event').length === 0) return;
    const now = clock();
    const message = noticeText(rollout, notice, now);
    if (!message) return;
    const type = WARNINGS.has(notice.kind) ? 'Warning' : 'Normal';
    void webhooks
      .event(rollout, app, { message, type, kind: notice.kind, at: now })
      .then((calls) => {
        for (const call of calls.filter((c) => !c.ok)) log.warn({ rollout: rollout.id, hook: call.name, status: call.status, reason: call.reason }, 'event webhook failed');
      })
      .catch((error: unknown) => log.warn({ rollout: rollout.id, err: String(error) }, 'event webhook failed'));
  };
}
