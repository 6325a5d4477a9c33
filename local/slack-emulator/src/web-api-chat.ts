// chat.* methods, answered as Slack answers them.
import { jsonArg, readContent } from './content.js';
import { isRoot } from './store.js';
import type { ApiContext, ApiHandler, Args } from './web-api-types.js';
import { bool, fail, str } from './web-api-types.js';
import { findChannel, findUser } from './workspace.js';

function channelOf(ctx: ApiContext, args: Args): string | undefined {
  const raw = str(args.channel);
  return raw === undefined ? undefined : findChannel(ctx.workspace, raw)?.id;
}

const postMessage: ApiHandler = (args, ctx) => {
  const channel = channelOf(ctx, args);
  if (!channel) return fail('channel_not_found');
  const content = readContent(args);
  if (!content.ok) return fail(content.error, content.extra);
  const metadata = jsonArg(args.metadata);
  if (!metadata.ok) return fail('invalid_metadata_format');
  let threadTs = str(args.thread_ts) || undefined;
  if (threadTs) {
    const parent = ctx.store.find(channel, threadTs);
    // Slack files a reply to a reply under the thread's root, and silently accepts an unknown
    // thread_ts (the reply then shows nowhere); say so in the log, since it is usually a bug.
    if (parent && !isRoot(parent)) threadTs = parent.threadTs;
    if (!parent) ctx.log(`chat.postMessage: thread_ts ${threadTs} matches no message in ${channel}; accepted as Slack does, but no one will see it`);
  }
  const message = ctx.store.post({
    channel,
    user: ctx.workspace.bot.userId,
    ...content.content,
    ...(threadTs ? { threadTs, replyBroadcast: bool(args.reply_broadcast) } : {}),
    ...(metadata.value !== undefined ? { metadata: metadata.value } : {}),
  });
  return { ok: true, channel, ts: message.ts, message: ctx.store.toSlack(message) };
};

const update: ApiHandler = (args, ctx) => {
  const channel = channelOf(ctx, args);
  if (!channel) return fail('channel_not_found');
  const message = ctx.store.find(channel, str(args.ts) ?? '');
  if (!message) return fail('message_not_found');
  if (message.user !== ctx.workspace.bot.userId) return fail('cant_update_message');
  const content = readContent(args, message);
  if (!content.ok) return fail(content.error, content.extra);
  ctx.store.update(message, content.content);
  return { ok: true, channel, ts: message.ts, text: message.text, message: ctx.store.toSlack(message) };
};

const postEphemeral: ApiHandler = (args, ctx) => {
  const channel = channelOf(ctx, args);
  if (!channel) return fail('channel_not_found');
  const user = findUser(ctx.workspace, str(args.user) ?? '');
  if (!user) return fail('user_not_in_channel');
  const content = readContent(args);
  if (!content.ok) return fail(content.error, content.extra);
  const threadTs = str(args.thread_ts) || undefined;
  const ephemeral = ctx.store.postEphemeral({ user: user.id, channel, ...content.content, ...(threadTs ? { threadTs } : {}) });
  return { ok: true, message_ts: ephemeral.ts };
};

const remove: ApiHandler = (args, ctx) => {
  const channel = channelOf(ctx, args);
  if (!channel) return fail('channel_not_found');
  const message = ctx.store.find(channel, str(args.ts) ?? '');
  if (!message) return fail('message_not_found');
  if (message.user !== ctx.workspace.bot.userId) return fail('cant_delete_message');
  ctx.store.remove(message);
  return { ok: true, channel, ts: message.ts };
};

const getPermalink: ApiHandler = (args, ctx) => {
  const channel = channelOf(ctx, args);
  if (!channel) return fail('channel_not_found');
  const message = ctx.store.find(channel, str(args.message_ts) ?? '');
  if (!message) return fail('message_not_found');
  return { ok: true, channel, permalink: permalink(ctx.url(), channel, message.ts, isRoot(message) ? undefined : message.threadTs) };
};

export function permalink(base: string, channel: string, ts: string, threadTs?: string): string {
  const link = `${base}/archives/${channel}/p${ts.replace('.', '')}`;
  return threadTs ? `${link}?thread_ts=${threadTs}&cid=${channel}` : link;
}

export const chatMethods: Record<string, ApiHandler> = {
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.delete': remove,
  'chat.getPermalink': getPermalink,
};
