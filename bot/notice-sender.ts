// Turns one outbox notice into Slack calls: words and blocks from bot/blocks/, through the
// channel's pacer (bot/pacing/). The drainer (bot/notifier.ts) decides when, and records what
// was posted; this module only says what a notice becomes.
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Replies } from '../jobs/ports.js';
import type { OutboxItem, RolloutStore } from '../jobs/store.js';
import type { Rollout } from '../rollout/model.js';
import { rolloutChart } from './charts/rollout-chart.js';
import { uploadChart } from './charts/upload-chart.js';
import { failedMessage, finishedMessage, gateMessage, heldMessage, operationMessage, reminderMessage, resumedMessage, rolledBackMessage, rootMessage, summaryMessage } from './blocks/messages.js';
import { section, type SlackMessage } from './blocks/kit.js';
import { sendGateDms } from './gate-dms.js';
import { noteWords, privateAnswer } from './blocks/note-words.js';
import type { PacedCall } from './pacing/paced-call.js';

/** A posted message's ts ("1700000000.000100"), not a marker such as "skipped" or "failed:…". */
const SLACK_TS = /^\d+\.\d+$/;
export const isSlackTs = (value: string | undefined): value is string => value !== undefined && SLACK_TS.test(value);

export class RootMissing extends Error {}

/** The metadata every guarded message carries, so a drainer can find a post whose ts was never recorded (bot/posted-notices.ts). */
export const NOTICE_EVENT_TYPE = 'rollgate_notice';

export const noticeMetadata = (rolloutId: string, key: string) => ({ event_type: NOTICE_EVENT_TYPE, event_payload: { rollout: rolloutId, notice: key } });

/** The ts of a rollout's messages, read once per drain; what is written goes to Redis and here. */
export interface MessageBook {
  get(name: string): string | undefined;
  set(name: string, ts: string): Promise<void>;
}

export interface SendContext {
  rollout: Rollout;
  book: MessageBook;
  /** Right before a new message goes to Slack, once its slot is taken: throws when the drain must stop. */
  mark: () => Promise<void>;
  /** How long a call may wait for its channel's slot (undefined: the pacer's own limit). */
  maxWaitMs?: number;
}

/** What Slack returned, and under which name (root, summary-N, held) the drainer records its ts beside the notice's own key. */
export interface Sent {
  ts: string | undefined;
  as?: string;
}

const rootWithdrawn = (rollout: Rollout) => rollout.outcome?.kind === 'failed' && rollout.outcome.nothingToDo?.root === 'withdrawn';

/** The message ts names a notice reads, so a drain can read them all at once. */
export function namesRead(item: OutboxItem): string[] {
  const { notice } = item;
  if (notice.kind === 'summary') return [`summary-${notice.stage}`];
  if (notice.kind === 'gate-closed') return [`gate-${notice.stage}`];
  return [];
}

/** The name (beside the notice's key) a notice's new message is recorded under, if any. */
function postedAs(notice: OutboxItem['notice']): string | undefined {
  if (notice.kind === 'root') return 'root';
  if (notice.kind === 'summary') return `summary-${notice.stage}`;
  if (notice.kind === 'held') return 'held';
  return undefined;
}

/**
 * Where a notice's new message can be looked up in Slack by its metadata: the channel (root)
 * or the rollout's thread. Undefined for what carries no metadata (the chart, a file upload).
 */
export function postedWhere(item: OutboxItem): 'channel' | 'thread' | undefined {
  if (item.notice.kind === 'root') return 'channel';
  return item.notice.kind === 'chart' ? undefined : 'thread';
}

export function createNoticeSender(options: { client: WebClient; store: RolloutStore; log: Logger; clock: () => number; paced: PacedCall; replies?: Replies }) {
  const { client, store, log, clock, paced } = options;

  async function postWithKey(ctx: SendContext, key: string, message: SlackMessage, thread: { broadcast?: boolean } | undefined): Promise<string> {
    const { rollout, book } = ctx;
    const root = thread ? book.get('root') : undefined;
    if (thread && !root) {
      if (book.get('root-failed')) throw new RootMissing();
      throw new Error(`rollout ${rollout.id}: root message not posted yet`);
    }
    const args = {
      channel: rollout.channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      metadata: noticeMetadata(rollout.id, key),
      ...(root ? { thread_ts: root, ...(thread?.broadcast ? { reply_broadcast: true } : {}) } : {}),
    };
    const result = await guardedPost(ctx, () => client.chat.postMessage(args as Parameters<WebClient['chat']['postMessage']>[0]));
    return result.ts as string;
  }

  /** A new message in the channel's post lane; the posting marker is written once the pacer lets the call go, right before it. */
  function guardedPost<T>(ctx: SendContext, call: () => Promise<T>): Promise<T> {
    return paced(
      ctx.rollout.channel,
      'post',
      async () => {
        await ctx.mark();
        return call();
      },
      ctx.maxWaitMs,
    );
  }

  async function update(ctx: SendContext, key: string, message: SlackMessage): Promise<string | undefined> {
    const { rollout } = ctx;
    const ts = ctx.book.get(key);
    if (!ts) return undefined;
    await paced(rollout.channel, 'update', () => client.chat.update({ channel: rollout.channel, ts, text: message.text, blocks: message.blocks as never }), ctx.maxWaitMs);
    return ts;
  }

  async function send(ctx: SendContext, item: OutboxItem): Promise<Sent> {
    const now = clock();
    const { rollout } = ctx;
    const { notice } = item;
    const post = (message: SlackMessage, thread: { broadcast?: boolean } | undefined) => postWithKey(ctx, item.key, message, thread);
    // A start that found nothing to do takes its root back: not posted if it was not yet.
    if ((notice.kind === 'root' || notice.kind === 'root-update') && rootWithdrawn(rollout)) return { ts: undefined };
    switch (notice.kind) {
      case 'root':
        return { ts: await post(rootMessage(rollout, now), undefined), as: postedAs(notice) };
      case 'root-update':
        return { ts: await update(ctx, 'root', rootMessage(rollout, now)) };
      case 'summary': {
        // While a gate waits and nothing changes, the last summary is updated in place.
        const key = `summary-${notice.stage}`;
        const updated = notice.repeat ? await update(ctx, key, summaryMessage(rollout, notice, now)) : undefined;
        if (updated) return { ts: updated };
        return { ts: await post(summaryMessage(rollout, notice, now), {}), as: postedAs(notice) };
      }
      case 'gate-opened': {
        const ts = await post(gateMessage(rollout, notice.stage, now), { broadcast: true });
        // Recorded before the DMs, which link to it (and may take a while).
        await ctx.book.set(`gate-${notice.stage}`, ts);
        await sendGateDms({ client, store, log }, rollout, notice.stage, ts);
        return { ts };
      }
      case 'gate-closed':
        return { ts: await update(ctx, `gate-${notice.stage}`, gateMessage(rollout, notice.stage, now)) };
      case 'rolled-back':
        return { ts: await post(rolledBackMessage(rollout), { broadcast: true }) };
      case 'finished':
        return { ts: await post(finishedMessage(rollout), { broadcast: true }) };
      case 'failed':
        return { ts: await post(failedMessage(rollout, notice), { broadcast: true }) };
      case 'operation':
        return { ts: await post(operationMessage(rollout, notice.operation), {}) };
      case 'held':
        // Its Retry button is honoured only on the latest held notice (bot/actions/retry-button.ts).
        return { ts: await post(heldMessage(rollout, notice, notice.step), { broadcast: true }), as: postedAs(notice) };
      case 'resumed':
        return { ts: await post(resumedMessage(rollout, notice.step), {}) };
      case 'reminder':
        return { ts: await post(reminderMessage(rollout, notice.stage, clock()), { broadcast: true }) };
      case 'note': {
        const text = noteWords(rollout, notice);
        return { ts: await post({ text, blocks: [section(text)] }, notice.broadcast ? { broadcast: true } : {}) };
      }
      case 'chart': {
        const root = ctx.book.get('root');
        if (!root) return { ts: undefined };
        // Drawn before its slot is taken (off the main thread: bot/charts/chart-thread.ts).
        const chart = await rolloutChart(rollout);
        await guardedPost(ctx, () => uploadChart(client, { channel: rollout.channel, threadTs: root, ...chart }));
        return { ts: 'uploaded' };
      }
      case 'private':
        await options.replies?.reply(rollout.notifyUrl, privateAnswer(rollout, notice));
        return { ts: undefined };
      case 'nothing-to-do':
        // In place of the "queued" answer to the start command: one private message in all.
        await options.replies?.reply(rollout.notifyUrl, { said: 'nothing-to-do', app: rollout.app, version: rollout.version }, { replaceOriginal: true });
        return { ts: undefined };
      case 'root-withdrawn': {
        const root = ctx.book.get('root');
        if (!isSlackTs(root)) return { ts: undefined };
        await paced(rollout.channel, 'update', () => client.chat.delete({ channel: rollout.channel, ts: root }), ctx.maxWaitMs);
        return { ts: 'deleted' };
      }
    }
  }

  /**
   * A notice found already posted (by a drainer that died before recording its ts): what its
   * post would have recorded, and what would have followed it (the gate's DMs, sent once).
   */
  async function adopt(ctx: SendContext, item: OutboxItem, ts: string): Promise<Sent> {
    const { notice } = item;
    if (notice.kind === 'gate-opened') {
      await ctx.book.set(`gate-${notice.stage}`, ts);
      await sendGateDms({ client, store, log }, ctx.rollout, notice.stage, ts);
    }
    const as = postedAs(notice);
    return { ts, ...(as ? { as } : {}) };
  }

  return { send, adopt };
}

export type NoticeSender = ReturnType<typeof createNoticeSender>;
