// Drains each rollout's outbox into Slack, in order, one drainer per rollout at a time.
// A notice is marked as posted (by key) right after Slack accepts it, so a redelivered
// drain does not post it twice. Slack's limits are kept (bot/pacing/): posts to a channel are
// spaced, root updates coalesced, and a 429 delays the drain job (in Redis) instead of
// sleeping in a worker; a notice leaves the outbox only once Slack has accepted it.
// Two ways in: the step that committed the notices drains at once when nothing has to wait
// (drainNow, the OutboxDrainer port), and the `notify` job drains the rest, waiting as needed.
import { DelayedError, Worker, type ConnectionOptions } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { withLease, type Lease } from '../jobs/lease.js';
import type { Observer, OutboxDrainer, Replies } from '../jobs/ports.js';
import { drainJobSchema, NOTIFY_QUEUE } from '../jobs/queues.js';
import { outboxSeq, type OutboxItem, type RolloutStore, type StoredOutboxItem } from '../jobs/store.js';
import type { Rollout } from '../rollout/model.js';
import { createNoticeSender, namesRead, RootMissing, type MessageBook } from './notice-sender.js';
import { createChannelPacer, type PacingTuning } from './pacing/channel-pacer.js';
import { NOTICE_CALL_MAX_MS } from './pacing/notice-client.js';
import { createPacedCall, NoticePostponed } from './pacing/paced-call.js';
import { DEFAULT_COALESCE_MS, ROOT_WRITTEN, rootDueAt } from './pacing/root-coalescing.js';
import { createEarlierPostCheck } from './posted-notices.js';

export interface DrainerOptions {
  /** For the pacing state shared by every drainer (slots, holds), under the store's prefix. */
  redis: Redis;
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
   * How long after its marker an earlier drainer's post may still reach Slack (the notice
   * client's timeout × its attempts; default: the notice client's default). A drainer that looked
   * in Slack and found no such post waits the grace only while the marker is younger than this.
   */
  postInFlightMs?: number;
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

export interface NotifierOptions extends DrainerOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** The process's drainer, when its steps worker has one already (one per process: one warning per lookup failure). */
  drainer?: ReturnType<typeof createOutboxDrainer>;
}

type DrainOutcome = { kind: 'done' } | { kind: 'postponed'; until: number };
const DONE: DrainOutcome = { kind: 'done' };
const postponed = (until: number): DrainOutcome => ({ kind: 'postponed', until });

const PERMANENT_SLACK_ERRORS = new Set(['invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'no_text', 'channel_not_found', 'not_in_channel', 'is_archived', 'message_not_found', 'cant_update_message', 'cant_delete_message', 'invalid_arguments']);

/** Rounds a drain in the step takes (new notices committed meanwhile) before it leaves the rest to a job. */
const INLINE_ROUNDS = 3;

class LeaseLost extends Error {}

/** Slack errors that no retry will cure; undefined for the rest (rate limits, 5xx, network). */
function permanentSlackError(error: unknown): string | undefined {
  const code = (error as { data?: { error?: string } }).data?.error;
  if (code && PERMANENT_SLACK_ERRORS.has(code)) return code;
  return error instanceof RootMissing ? 'root message could not be posted' : undefined;
}

/** The ts a drain may read, for every item it holds: one read of the rollout's messages per drain. */
const namesFor = (items: OutboxItem[]) => [...new Set(['root', 'root-failed', ROOT_WRITTEN, ...items.flatMap((i) => [i.key, `posting:${i.key}`, ...namesRead(i)])])];

export function createOutboxDrainer(options: DrainerOptions): OutboxDrainer & { drain(rolloutId: string): Promise<DrainOutcome> } {
  const { store, client, clock, log } = options;
  const leaseMs = options.lockDurationMs ?? 30_000;
  const postGraceMs = options.postGraceMs ?? 30_000;
  const rootWaitMs = options.rootWaitMs ?? 5_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const keyPrefix = store.keys.prefix;
  const pacer = createChannelPacer({ redis: options.redis, prefix: keyPrefix, ...(options.pacing ? { tuning: options.pacing } : {}) });
  const coalesceMs = options.pacing?.coalesceMs ?? DEFAULT_COALESCE_MS;
  const paced = createPacedCall({
    pacer,
    clock,
    sleep,
    onRateLimited: (channel, ms) => {
      options.observer?.callFailed('slack');
      log.info({ channel, retryAfterMs: ms }, 'Slack rate-limited a notice; its drain waits');
    },
  });
  const sender = createNoticeSender({ client, store, log, clock, paced, replies: options.replies });
  const earlierPost = createEarlierPostCheck({ client, log, clock, postGraceMs, postInFlightMs: options.postInFlightMs ?? NOTICE_CALL_MAX_MS });

  function messageBook(rolloutId: string, known: Map<string, string>): MessageBook & { finish(item: StoredOutboxItem, recorded: Record<string, string>): Promise<void> } {
    return {
      get: (name) => known.get(name),
      async set(name, ts) {
        await store.setMessageTs(rolloutId, name, ts);
        known.set(name, ts);
      },
      async finish(item, recorded) {
        await store.finishNotice(rolloutId, item, recorded);
        for (const [name, ts] of Object.entries(recorded)) known.set(name, ts);
      },
    };
  }

  /**
   * What to do with a root-update. Once the rollout's coalescing window has passed, send it
   * (rendered from the latest state). Inside the window, skip it if a later one is queued (that
   * one will carry the state), else wait out the window, at most one, so more changes can
   * gather. Never skipped once due, so a long backlog cannot starve the root.
   */
  function rootUpdatePlan(book: MessageBook, later: OutboxItem[]): 'skip' | 'send' | { waitMs: number } {
    const waitMs = Math.min(rootDueAt(book.get(ROOT_WRITTEN), coalesceMs) - clock(), coalesceMs);
    if (waitMs <= 0) return 'send';
    return later.some((i) => i.notice.kind === 'root-update') ? 'skip' : { waitMs };
  }

  /**
   * Until when the root of a rollout whose start step has not answered yet waits (undefined: post
   * it now). The step's commit drains again, which posts the root at once, or skips it when the
   * start found nothing to do.
   */
  async function rootWaitsUntil(rollout: Rollout): Promise<number | undefined> {
    if (rollout.phase !== 'queued' || rollout.held || rollout.hookWait) return undefined;
    const until = rollout.createdAt + rootWaitMs;
    if (clock() >= until) return undefined;
    const startPending = (await store.pending(rollout.id)).some((p) => p.step === 'start');
    return startPending ? until : undefined;
  }

  /**
   * Exactly once, as far as Slack allows. Slack has no idempotency key, so two guards:
   * 1. right before each new message (updates in place may repeat), a "posting" marker is written
   *    only if the lease is still ours, in one step: a drainer whose lease lapsed (a Redis
   *    restart, a long pause) stops before posting anything more;
   * 2. the ts is written right after the post. A drainer that finds a marker without a ts knows
   *    an earlier one was posting when it lost its lease or died: it looks for that post in Slack
   *    (bot/posted-notices.ts) and records it if there, else posts once that post cannot land.
   * What is left: without the history scopes (or when Slack will not answer the lookup), a drainer
   * killed after Slack accepted a post and before its ts was written (one Redis round trip) gets
   * that notice posted twice once the grace has passed; so does the chart (a file, no metadata).
   *
   * The outbox and the messages it needs are read once per round (the lease makes this drainer
   * the only writer meanwhile); a round ends with the snapshot, and drain() looks again.
   * `inline` (in the step that queued the notices): nothing waits, a wait postpones instead.
   */
  async function drainOnce(rolloutId: string, lease: Lease, inline: boolean, committed?: Rollout): Promise<DrainOutcome> {
    for (let round = 0; ; round++) {
      const items = await store.outboxEntries(rolloutId);
      if (items.length === 0) return DONE;
      // The step's own commit is as fresh as a read while no notice came from a later one.
      const known = round === 0 && committed && items.every((i) => outboxSeq(i) <= committed.seq) ? committed : undefined;
      const rollout = known ?? (await store.get(rolloutId));
      if (!rollout) return DONE;
      const book = messageBook(rolloutId, await store.messageTsOf(rolloutId, namesFor(items)));
      const outcome = await drainItems(rollout, items, book, lease, inline);
      if (outcome !== 'look-again') return outcome;
    }
  }

  async function drainItems(rollout: Rollout, items: StoredOutboxItem[], book: ReturnType<typeof messageBook>, lease: Lease, inline: boolean): Promise<DrainOutcome | 'look-again'> {
    const rolloutId = rollout.id;
    for (const [index, item] of items.entries()) {
      if (book.get(item.key)) {
        await book.finish(item, {});
        continue;
      }
      const plan = item.notice.kind === 'root-update' ? rootUpdatePlan(book, items.slice(index + 1)) : 'send';
      if (typeof plan === 'object') {
        if (inline) return postponed(clock() + plan.waitMs);
        // Later notices may arrive while the window passes: read the outbox again after it.
        await sleep(plan.waitMs);
        return 'look-again';
      }
      const waitUntil = item.notice.kind === 'root' ? await rootWaitsUntil(rollout) : undefined;
      if (waitUntil !== undefined) return postponed(waitUntil);
      // Updates in place (root, gate) and taking the root back are harmless to repeat: only new messages are guarded.
      const guarded = plan === 'send' && item.notice.kind !== 'root-update' && item.notice.kind !== 'gate-closed' && item.notice.kind !== 'root-withdrawn';
      // Posted already by a drainer that stopped before recording it: its ts, to record instead of posting.
      let found: string | undefined;
      const marker = guarded ? Number(book.get(`posting:${item.key}`) ?? Number.NaN) : Number.NaN;
      if (Number.isFinite(marker)) {
        const earlier = await earlierPost(rollout, item, book.get('root'), marker);
        if (earlier.kind === 'wait') {
          log.warn({ rollout: rolloutId, notice: item.notice.kind }, 'an earlier drainer was posting this notice when it lost its lease; waiting before deciding');
          return postponed(earlier.until);
        }
        if (earlier.kind === 'found') {
          log.info({ rollout: rolloutId, notice: item.notice.kind }, 'found in Slack a notice an earlier drainer posted without recording it; recorded, not posted again');
          found = earlier.ts;
        }
      }
      // Right before a new message goes to Slack: still ours? Then say we are posting it.
      const mark = async () => {
        if (guarded && !(await store.markPosting(rolloutId, item.key, lease, clock()))) throw new LeaseLost();
      };
      // The notice's key, and the name its message goes by (root, summary-N), mapped to what Slack returned.
      let recorded: Record<string, string>;
      let accepted = false;
      try {
        const ctx = { rollout, book, mark, ...(inline ? { maxWaitMs: 0 } : {}) };
        const sent = plan !== 'send' ? { ts: undefined } : found ? await sender.adopt(ctx, item, found) : await sender.send(ctx, item);
        recorded = { [item.key]: sent.ts ?? 'skipped', ...(sent.as && sent.ts ? { [sent.as]: sent.ts } : {}) };
        accepted = plan === 'send';
      } catch (error) {
        if (error instanceof LeaseLost) {
          log.warn({ rollout: rolloutId, notice: item.notice.kind }, 'drain lease lost; leaving the rest to the next drainer');
          return DONE;
        }
        // The post failed here, in this drainer: whoever tries next need not wait for it.
        if (guarded) await book.set(`posting:${item.key}`, 'failed');
        if (error instanceof NoticePostponed) return postponed(error.until);
        const permanent = permanentSlackError(error);
        if (!permanent) throw error;
        // Slack will refuse this notice every time (bad blocks, no such channel): say so in the
        // log and move on, rather than block every later notice of the rollout for good.
        log.error({ rollout: rolloutId, notice: item.notice.kind, error: permanent }, 'Slack refused a notice for good; skipping it');
        options.observer?.callFailed('slack');
        recorded = { [item.key]: `failed:${permanent}`, ...(item.notice.kind === 'root' ? { 'root-failed': permanent } : {}) };
      }
      // A root written (or refused for good) starts the coalescing window, recorded with the notice.
      if (plan === 'send' && (item.notice.kind === 'root' || item.notice.kind === 'root-update')) recorded[ROOT_WRITTEN] = String(clock());
      await book.finish(item, recorded);
      if (accepted) options.onSent?.(rollout, item.notice);
    }
    return DONE;
  }

  async function drain(rolloutId: string, inline: boolean, committed?: Rollout): Promise<DrainOutcome> {
    // Loop until the outbox stays empty after we let go, so a notice queued while we held
    // the lease (whose own drain found us busy) is never stranded. A postponed drain keeps its
    // job (delayed), which comes back for the rest; in the step, it asks for one.
    let rounds = 0;
    do {
      if (inline && ++rounds > INLINE_ROUNDS) return postponed(clock());
      const leased = await withLease(store, store.keys.notifyLock(rolloutId), leaseMs, (lease) => drainOnce(rolloutId, lease, inline, rounds <= 1 ? committed : undefined));
      if (leased.busy) return DONE;
      if (leased.value.kind === 'postponed') return leased.value;
    } while ((await store.outbox(rolloutId)).length > 0);
    return DONE;
  }

  return {
    drain: (rolloutId) => drain(rolloutId, false),
    async drainNow(rolloutId, committed) {
      try {
        return (await drain(rolloutId, true, committed)).kind === 'done';
      } catch (error) {
        log.info({ rollout: rolloutId, err: error instanceof Error ? error.message : String(error) }, 'notices not posted in the step; a drain job takes them');
        return false;
      }
    },
  };
}

/** The `notify` queue's worker: drains what the steps left, waiting in Redis (a delayed job) when it must. */
export function createNotifier(options: NotifierOptions): Worker {
  const { clock, log } = options;
  const drainer = options.drainer ?? createOutboxDrainer(options);
  const worker = new Worker(
    NOTIFY_QUEUE,
    async (job, token) => {
      const outcome = await drainer.drain(drainJobSchema.parse(job.data).rolloutId);
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
