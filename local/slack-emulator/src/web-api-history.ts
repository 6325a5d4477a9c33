// conversations.history and conversations.replies: what a restarted bot reads to find the
// messages it already posted (metadata included on request, as Slack does).
import { isRoot, type StoredMessage } from './store.js';
import type { ApiContext, ApiHandler, Args } from './web-api-types.js';
import { bool, fail, str } from './web-api-types.js';
import { findChannel } from './workspace.js';

const MAX_LIMIT = 1000;

function page(messages: StoredMessage[], args: Args, ctx: ApiContext, newestFirst: boolean) {
  const oldest = str(args.oldest);
  const latest = str(args.latest);
  const inclusive = bool(args.inclusive);
  const inRange = messages.filter((m) => {
    if (oldest && (inclusive ? m.ts < oldest : m.ts <= oldest)) return false;
    if (latest && (inclusive ? m.ts > latest : m.ts >= latest)) return false;
    return true;
  });
  const ordered = newestFirst ? [...inRange].reverse() : inRange;
  const cursor = str(args.cursor);
  const start = cursor ? Math.max(0, ordered.findIndex((m) => m.ts === Buffer.from(cursor, 'base64url').toString())) : 0;
  const limit = Math.min(MAX_LIMIT, Math.max(1, Number(str(args.limit) ?? 100) || 100));
  const slice = ordered.slice(start, start + limit);
  const next = ordered[start + limit];
  const withMetadata = bool(args.include_all_metadata);
  return {
    ok: true,
    messages: slice.map((m) => {
      const out = ctx.store.toSlack(m);
      if (!withMetadata) delete out.metadata;
      return out;
    }),
    has_more: next !== undefined,
    response_metadata: { next_cursor: next ? Buffer.from(next.ts).toString('base64url') : '' },
  };
}

const history: ApiHandler = (args, ctx) => {
  const channel = findChannel(ctx.workspace, str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  const shown = ctx.store.allMessages().filter((m) => m.channel === channel.id && !m.deleted && (isRoot(m) || m.replyBroadcast));
  return { ...page(shown, args, ctx, true), pin_count: 0 };
};

const replies: ApiHandler = (args, ctx) => {
  const channel = findChannel(ctx.workspace, str(args.channel) ?? '');
  if (!channel) return fail('channel_not_found');
  const found = ctx.store.find(channel.id, str(args.ts) ?? '');
  const root = found && !isRoot(found) ? ctx.store.find(channel.id, found.threadTs ?? '') : found;
  if (!root) return fail('thread_not_found');
  return page([root, ...ctx.store.repliesOf(root)], args, ctx, false);
};

export const historyMethods: Record<string, ApiHandler> = {
  'conversations.history': history,
  'conversations.replies': replies,
};
