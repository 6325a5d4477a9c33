// Finds in Slack a notice an earlier drainer posted but never recorded (killed after Slack
// accepted the post, before its ts reached Redis), and says what the drainer that found the
// earlier one's marker does about it. Slack has no idempotency key; every guarded
// message carries its rollout and notice key as message metadata (bot/notice-sender.ts), read
// back with conversations.history (a root) or conversations.replies (the rollout's thread).
// Needs channels:history (and groups:history for private channels); without them, or on any
// other error, the lookup says "refused" and the drainer keeps its older rule (wait, then post).
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { OutboxItem } from '../jobs/store.js';
import type { Rollout } from '../rollout/model.js';
import { isSlackTs, NOTICE_EVENT_TYPE, postedWhere } from './notice-sender.js';

export type PostedLookup = { kind: 'found'; ts: string } | { kind: 'absent' } | { kind: 'refused'; error: string };

export interface PostedQuery {
  channel: string;
  rolloutId: string;
  /** The notice's outbox key, as its message's metadata carries it. */
  key: string;
  /** The rollout's root ts when the notice is posted in its thread; absent for the root itself. */
  threadTs?: string;
  /** When the earlier drainer was about to post (its marker, ms). */
  sinceMs: number;
}

/** Slack's clock and ours may differ: look this far before the marker. */
const CLOCK_MARGIN_MS = 60_000;
const PAGE_SIZE = 200;
/** A channel busier than this since the marker is not searched to the end: treated as refused. */
const MAX_PAGES = 5;

interface FoundMessage {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

const slackError = (error: unknown) => (error as { data?: { error?: string } }).data?.error ?? (error instanceof Error ? error.message : String(error));

export function createPostedNoticeLookup(options: { client: WebClient; log: Logger }) {
  const { client, log } = options;
  // A missing scope refuses every lookup: said once per reason, not once per notice.
  const told = new Set<string>();

  async function page(query: PostedQuery, cursor: string | undefined) {
    const args = {
      channel: query.channel,
      oldest: (Math.max(0, query.sinceMs - CLOCK_MARGIN_MS) / 1000).toFixed(6),
      include_all_metadata: true,
      limit: PAGE_SIZE,
      ...(cursor ? { cursor } : {}),
    };
    return query.threadTs ? client.conversations.replies({ ...args, ts: query.threadTs }) : client.conversations.history(args);
  }

  return async function findPosted(query: PostedQuery): Promise<PostedLookup> {
    try {
      let cursor: string | undefined;
      for (let pages = 0; pages < MAX_PAGES; pages += 1) {
        const answer = await page(query, cursor);
        const hit = (answer.messages as FoundMessage[] | undefined)?.find((m) => {
          const payload = m.metadata?.event_type === NOTICE_EVENT_TYPE ? m.metadata.event_payload : undefined;
          return payload?.rollout === query.rolloutId && payload.notice === query.key;
        });
        if (hit?.ts) return { kind: 'found', ts: hit.ts };
        cursor = answer.response_metadata?.next_cursor || undefined;
        if (!cursor) return { kind: 'absent' };
      }
      throw new Error(`more than ${MAX_PAGES * PAGE_SIZE} messages since the marker`);
    } catch (error) {
      const reason = slackError(error);
      if (!told.has(reason)) {
        told.add(reason);
        log.warn(
          { rollout: query.rolloutId, error: reason },
          'cannot look in Slack for a notice a stopped drainer may have posted (needs the channels:history and groups:history scopes); waiting before posting it again, which may repeat it',
        );
      }
      return { kind: 'refused', error: reason };
    }
  };
}

export type EarlierPost = { kind: 'found'; ts: string } | { kind: 'post' } | { kind: 'wait'; until: number };

/**
 * What a drainer does with a notice another drainer marked as posting (at `marker`) and never
 * recorded. Found in Slack: record that message as its own post would be. Not there: post now,
 * unless the earlier post may still be in flight (a marker younger than `postInFlightMs`), which
 * is waited for until the grace ends. No answer from Slack (a missing scope, any error), or
 * nothing to look up by (the chart): the grace, then post.
 */
export function createEarlierPostCheck(options: { client: WebClient; log: Logger; clock: () => number; postGraceMs: number; postInFlightMs: number }) {
  const { clock, postGraceMs, postInFlightMs } = options;
  const findPosted = createPostedNoticeLookup(options);
  return async function earlierPost(rollout: Rollout, item: OutboxItem, rootTs: string | undefined, marker: number): Promise<EarlierPost> {
    const where = postedWhere(item);
    const query = { channel: rollout.channel, rolloutId: rollout.id, key: item.key, sinceMs: marker };
    const lookup = where === 'channel' ? await findPosted(query) : where === 'thread' && isSlackTs(rootTs) ? await findPosted({ ...query, threadTs: rootTs }) : undefined;
    if (lookup?.kind === 'found') return lookup;
    const now = clock();
    if (lookup?.kind === 'absent' && now >= marker + postInFlightMs) return { kind: 'post' };
    return now < marker + postGraceMs ? { kind: 'wait', until: marker + postGraceMs } : { kind: 'post' };
  };
}
