// Drains each rollout's outbox into Slack, in order, one drainer per rollout at a time.
// A notice is marked as posted (by key) right after Slack accepts it, so a redelivered
// drain does not post it twice. Slack's limits are kept (bot/pacing/): posts to a channel are
// spaced, root updates coalesced, and a 429 delays the drain job (in Redis) instead of
// sleeping in a worker; a notice leaves the outbox only once Slack has accepted it.
import { DelayedError, Worker, type ConnectionOptions } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { withLease, type Lease } from '../jobs/lease.js';
import { rolloutChart } from './charts/rollout-chart.js';
import { uploadChart } from './charts/upload-chart.js';
import type { Observer, Replies } from '../jobs/ports.js';
import { drainJobSchema, NOTIFY_QUEUE } from '../jobs/queues.js';
import type { OutboxItem, RolloutStore } from '../jobs/store.js';
import type { Rollout } from '../rollout/model.js';
import { failedMessage, finishedMessage, gateMessage, heldMessage, operationMessage, reminderMessage, resumedMessage, rolledBackMessage, rootMessage, summaryMessage } from './blocks/messages.js';
import { section, type SlackMessage } from './blocks/kit.js';
import { sendGateDms } from './gate-dms.js';
import { noteWords, privateAnswer } from './blocks/note-words.js';
import { createChannelPacer, type PacingTuning } from './pacing/channel-pacer.js';
import { createPacedCall, NoticePostponed } from './pacing/paced-call.js';
import { createRootCoalescing } from './pacing/root-coalescing.js';

export interface NotifierOptions {
  connection: ConnectionOptions;
  /** For the pacing state shared by every drainer (slots, holds), under the store's prefix. */
  redis: Redis;
  prefix: string;
  store: RolloutStore;
  /** Built by createNoticeClient: throws on 429 rather than sleeping in the job. */
  client: WebClient;
  clock: () => number;
  log: Logger;
  lockDurationMs?: number;
  observer?: Observer;
  replies?: Replies;
  sleep?: (ms: number) => Promise<void>;
  pacing?: Partial<PacingTuning> & { coalesceMs?: number };
  /**
   * How long a drainer that finds another's "posting" marker without a ts waits (from the
   * marker) before it posts the notice itself: longer than one post can take (the notice
   * client's timeout × its attempts), so a slow post that outlived its lease records its ts first.
   */
  postGraceMs?: number;
  /**
   * How long a new rollout's root message waits for its start step's answer (ms from its
   * creation; default 5 s). A start that finds its version already running then never posts a
   * root at all, rather than posting one and deleting it; past this, the root goes out anyway,
   * so a slow or stuck start is still seen in the channel.
   */
  rootWaitMs?: number;
  /** Told of each notice Slack accepted (the `event` webhooks); must not block: it is not awaited. */
  onSent?: (rollout: Rollout, notice: OutboxItem['notice']) => void;
}

type DrainOutcome = { kind: 'done' } | { kind: 'postponed'; until: number };
const DONE: DrainOutcome = { kind: 'done' };

const PERMANENT_SLACK_ERRORS = new Set(['invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'no_text', 'channel_not_found', 'not_in_channel', 'is_archived', 'message_not_found', 'cant_update_message', 'cant_delete_message', 'invalid_arguments']);

/** A posted message's ts ("1700000000.000100"), not a marker such as "skipped" or "failed:…". */
const SLACK_TS = /^\d+\.\d+$/;

const rootWithdrawn = (rollout: Rollout) => rollout.outcome?.kind === 'failed' && rollout.outcome.nothingToDo?.root === 'withdrawn';

class RootMissing extends Error {}
class LeaseLost extends Error {}

export function createNotifier(options: NotifierOptions): Worker {
  const { store, client, clock, log } = options;
  const leaseMs = options.lockDurationMs ?? 30_000;
  const postGraceMs = options.postGraceMs ?? 30_000;
  const rootWaitMs = options.rootWaitMs ?? 5_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const keyPrefix = store.keys.prefix;
  const pacer = createChannelPacer({ redis: options.redis, prefix: keyPrefix, ...(options.pacing ? { tuning: options.pacing } : {}) });
  const coalescing = createRootCoalescing({ redis: options.redis, prefix: keyPrefix, ...(options.pacing?.coalesceMs !== undefined ? { windowMs: options.pacing.coalesceMs } : {}) });
  const paced = createPacedCall({
    pacer,
    clock,
    sleep,
    onRateLimited: (channel, ms) => {
      options.observer?.callFailed('slack');
      log.info({ channel, retryAfterMs: ms }, 'Slack rate-limited a notice; its drain waits');
    },
  });

  async function post(rollout: Rollout, message: SlackMessage, thread: { broadcast?: boolean } | undefined, mark: () => Promise<void>): Promise<string> {
    const root = thread ? await store.messageTs(rollout.id, 'root') : undefined;
    if (thread && !root) {
      if (await store.messageTs(rollout.id, 'root-failed')) throw new RootMissing();
      throw new Error(`rollout ${rollout.id}: root message not posted yet`);
    }
    const args = {
      channel: rollout.channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      ...(root ? { thread_ts: root, ...(thread?.broadcast ? { reply_broadcast: true } : {}) } : {}),
    };
    // The posting marker is written once the channel's pacer lets the call go, right before it.
    const result = await paced(rollout.channel, 'post', async () => {
      await mark();
      return client.chat.postMessage(args as Parameters<WebClient['chat']['postMessage']>[0]);
    });
    return result.ts as string;
  }

  async function update(rollout: Rollout, key: string, message: SlackMessage): Promise<string | undefined> {
    const ts = await store.messageTs(rollout.id, key);
    if (!ts) return undefined;
    await paced(rollout.channel, 'update', () => client.chat.update({ channel: rollout.channel, ts, text: message.text, blocks: message.blocks as never }));
    return ts;
  }

  async function send(rollout: Rollout, item: OutboxItem, mark: () => Promise<void>): Promise<string | undefined> {
    const now = clock();
    const { notice } = item;
    // A start that found nothing to do takes its root back: not posted if it was not yet.
    if ((notice.kind === 'root' || notice.kind === 'root-update') && rootWithdrawn(rollout)) return undefined;
    switch (notice.kind) {
      case 'root': {
        const ts = await post(rollout, rootMessage(rollout, now), undefined, mark);
        await store.setMessageTs(rollout.id, 'root', ts);
        return ts;
      }
      case 'root-update':
        return update(rollout, 'root', rootMessage(rollout, now));
      case 'summary': {
        // While a gate waits and nothing changes, the last summary is updated in place.
        const key = `summary-${notice.stage}`;
        const updated = notice.repeat ? await update(rollout, key, summaryMessage(rollout, notice, now)) : undefined;
        if (updated) return updated;
        const ts = await post(rollout, summaryMessage(rollout, notice, now), {}, mark);
        await store.setMessageTs(rollout.id, key, ts);
        return ts;
      }
      case 'gate-opened': {
        const ts = await post(rollout, gateMessage(rollout, notice.stage, now), { broadcast: true }, mark);
        await store.setMessageTs(rollout.id, `gate-${notice.stage}`, ts);
        await sendGateDms({ client, store, log }, rollout, notice.stage, ts);
        return ts;
      }
      case 'gate-closed':
        return update(rollout, `gate-${notice.stage}`, gateMessage(rollout, notice.stage, now));
      case 'rolled-back':
        return post(rollout, rolledBackMessage(rollout), { broadcast: true }, mark);
      case 'finished':
        return post(rollout, finishedMessage(rollout), { broadcast: true }, mark);
      case 'failed':
        return post(rollout, failedMessage(rollout, notice), { broadcast: true }, mark);
      case 'operation':
        return post(rollout, operationMessage(rollout, notice.operation), {}, mark);
      case 'held': {
        const ts = await post(rollout, heldMessage(rollout, notice, notice.step), { broadcast: true }, mark);
        // Its Retry button is honoured only on the latest held notice (bot/actions/retry-button.ts).
        await store.setMessageTs(rollout.id, 'held', ts);
        return ts;
      }
      case 'resumed':
        return post(rollout, resumedMessage(rollout, notice.step), {}, mark);
      case 'reminder':
        return post(rollout, reminderMessage(rollout, notice.stage, clock()), { broadcast: true }, mark);
      case 'note': {
        const text = noteWords(rollout, notice);
        return post(rollout, { text, blocks: [section(text)] }, notice.broadcast ? { broadcast: true } : {}, mark);
      }
      case 'chart': {
        const root = await store.messageTs(rollout.id, 'root');
        if (!root) return undefined;
        await paced(rollout.channel, 'post', async () => {
          await mark();
          return uploadChart(client, { channel: rollout.channel, threadTs: root, ...rolloutChart(rollout) });
        });
        return 'uploaded';
      }
      case 'private':
        await options.replies?.reply(rollout.notifyUrl, privateAnswer(rollout, notice));
        return undefined;
      case 'nothing-to-do':
        // In place of the "queued" answer to the start command: one private message in all.
        await options.replies?.reply(rollout.notifyUrl, { said: 'nothing-to-do', app: rollout.app, version: rollout.version }, { replaceOriginal: true });
        return undefined;
      case 'root-withdrawn': {
        const root = await store.messageTs(rollout.id, 'root');
        if (!root || !SLACK_TS.test(root)) return undefined;
        await paced(rollout.channel, 'update', () => client.chat.delete({ channel: rollout.channel, ts: root }));
        return 'deleted';
      }
    }
  }

  /**
   * What to do with a root-update at the head. Once the rollout's coalescing window has passed,
   * send it (rendered from the latest state). Inside the window, skip it if a later one is
   * queued (that one will carry the state), else wait out the window, at most one, so more
   * changes can gather. Never skipped once due, so a long backlog cannot starve the root.
   */
  async function rootUpdatePlan(rolloutId: string, later: OutboxItem[]): Promise<'skip' | 'send' | { waitMs: number }> {
    const waitMs = Math.min((await coalescing.dueAt(rolloutId)) - clock(), coalescing.windowMs);
    if (waitMs <= 0) return 'send';
    return later.some((i) => i.notice.kind === 'root-update') ? 'skip' : { waitMs };
  }

  /**
   * Until when the root of a rollout whose start step has not answered yet waits (undefined: post
   * it now). The step's commit queues a drain of its own, which posts the root at once, or
   * skips it when the start found nothing to do.
   */
  async function rootWaitsUntil(rollout: Rollout): Promise<number | undefined> {
    if (rollout.phase !== 'queued' || rollout.held || rollout.hookWait) return undefined;
    const until = rollout.createdAt + rootWaitMs;
    if (clock() >= until) return undefined;
    const startPending = (await store.pending(rollout.id)).some((p) => p.step === 'start');
    return startPending ? until : undefined;
  }

  /** Slack errors that no retry will cure; undefined for the rest (rate limits, 5xx, network). */
  function permanentSlackError(error: unknown): string | undefined {
    const code = (error as { data?: { error?: string } }).data?.error;
    if (code && PERMANENT_SLACK_ERRORS.has(code)) return code;
    return error instanceof RootMissing ? 'root message could not be posted' : undefined;
  }

  /**
   * Exactly once, as far as Slack allows. Slack has no idempotency key, so two guards:
   * 1. the lease is checked (renewed) right before each new message (updates in place may repeat): a drainer whose lease lapsed
   *    (a Redis restart, a long pause) stops before posting anything more;
   * 2. a "posting" marker is written before each post and the ts right after it. A drainer that
   *    finds a marker without a ts knows an earlier one was posting when it lost its lease or
   *    died: it waits until that post must have ended (postGraceMs from the marker), then
   *    posts only if no ts was recorded by then.
   * What is left: a drainer killed after Slack accepted a post and before its ts was written
   * (one Redis round trip) posts that notice twice once the grace has passed.
   */
  async function drainOnce(rolloutId: string, lease: Lease): Promise<DrainOutcome> {
    for (;;) {
      const [item, ...later] = await store.outbox(rolloutId);
      if (!item) return DONE;
      if (!(await store.messageTs(rolloutId, item.key))) {
        const rollout = await store.get(rolloutId);
        if (!rollout) return DONE;
        const plan = item.notice.kind === 'root-update' ? await rootUpdatePlan(rolloutId, later) : 'send';
        if (typeof plan === 'object') {
          await sleep(plan.waitMs);
          continue;
        }
        const waitUntil = item.notice.kind === 'root' ? await rootWaitsUntil(rollout) : undefined;
        if (waitUntil !== undefined) return { kind: 'postponed', until: waitUntil };
        // Updates in place (root, gate) and taking the root back are harmless to repeat: only new messages are guarded.
        const guarded = plan === 'send' && item.notice.kind !== 'root-update' && item.notice.kind !== 'gate-closed' && item.notice.kind !== 'root-withdrawn';
        if (guarded) {
          const marker = Number((await store.messageTs(rolloutId, `posting:${item.key}`)) ?? Number.NaN);
          if (Number.isFinite(marker) && clock() < marker + postGraceMs) {
            log.warn({ rollout: rolloutId, notice: item.notice.kind }, 'an earlier drainer was posting this notice when it lost its lease; waiting before deciding');
            return { kind: 'postponed', until: marker + postGraceMs };
          }
        }
        // Right before a new message goes to Slack: still ours? Then say we are posting it.
        const mark = async () => {
          if (!guarded) return;
          if (!(await lease.stillHeld())) throw new LeaseLost();
          await store.setMessageTs(rolloutId, `posting:${item.key}`, String(clock()));
        };
        let ts: string | undefined;
        try {
          ts = plan === 'skip' ? undefined : await send(rollout, item, mark);
          if (plan === 'send') options.onSent?.(rollout, item.notice);
        } catch (error) {
          if (error instanceof LeaseLost) {
            log.warn({ rollout: rolloutId, notice: item.notice.kind }, 'drain lease lost; leaving the rest to the next drainer');
            return DONE;
          }
          // The post failed here, in this drainer: whoever tries next need not wait for it.
          if (guarded) await store.setMessageTs(rolloutId, `posting:${item.key}`, 'failed');
          if (error instanceof NoticePostponed) return { kind: 'postponed', until: error.until };
          const permanent = permanentSlackError(error);
          if (!permanent) throw error;
          // Slack will refuse this notice every time (bad blocks, no such channel): say so in the
          // log and move on, rather than block every later notice of the rollout for good.
          log.error({ rollout: rolloutId, notice: item.notice.kind, error: permanent }, 'Slack refused a notice for good; skipping it');
          options.observer?.callFailed('slack');
          if (item.notice.kind === 'root') await store.setMessageTs(rolloutId, 'root-failed', permanent);
          ts = `failed:${permanent}`;
        }
        if (plan === 'send' && (item.notice.kind === 'root' || item.notice.kind === 'root-update')) await coalescing.written(rolloutId, clock());
        await store.setMessageTs(rolloutId, item.key, ts ?? 'skipped');
      }
      await store.popOutbox(rolloutId, item.key);
    }
  }

  async function drain(rolloutId: string): Promise<DrainOutcome> {
    // Loop until the outbox stays empty after we let go, so a notice queued while we held
    // the lease (whose own drain job found us busy) is never stranded. A postponed drain
    // keeps its job (delayed), which comes back for the rest.
    do {
      const leased = await withLease(store, store.keys.notifyLock(rolloutId), leaseMs, (lease) => drainOnce(rolloutId, lease));
      if (leased.busy) return DONE;
      if (leased.value.kind === 'postponed') return leased.value;
    } while ((await store.outbox(rolloutId)).length > 0);
    return DONE;
  }

  const worker = new Worker(
    NOTIFY_QUEUE,
    async (job, token) => {
      const outcome = await drain(drainJobSchema.parse(job.data).rolloutId);
      if (outcome.kind === 'postponed') {
        // The job waits in Redis, not in this worker (and spends no attempt): other rollouts' drains go on.
        await job.moveToDelayed(Date.now() + Math.max(0, outcome.until - clock()), token);
        throw new DelayedError();
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: 16,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: Math.max(1000, Math.floor((options.lockDurationMs ?? 30_000) / 2)),
    },
  );
  worker.on('failed', (job, error) => {
    options.observer?.callFailed('slack');
    // Only say "will retry" when this job will; once its attempts are spent, the reconciler
    // drains the rollout again on its next round (finished rollouts too).
    const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1);
    log.warn({ job: job?.id, err: error.message }, final ? 'notices not posted; the reconciler drains this rollout again on its next round' : 'notice not posted yet, will retry');
  });
  worker.on('error', (error) => log.error({ err: error.message }, 'notifier error'));
  return worker;
}
