// files.getUploadURLExternal and files.completeUploadExternal: the upload path Slack supports
// (WebClient's filesUploadV2 calls both, with an HTTP POST of the bytes in between).
import { jsonArg, readContent, type ContentResult } from './content.js';
import { fileObject } from './files.js';
import { isRoot } from './store.js';
import type { ApiHandler, Args } from './web-api-types.js';
import { fail, str } from './web-api-types.js';
import { findChannel } from './workspace.js';

const MAX_ALT_TXT = 1000;

const getUploadURLExternal: ApiHandler = (args, ctx) => {
  const filename = str(args.filename);
  const lengthText = str(args.length);
  if (!filename || lengthText === undefined || !/^\d+$/.test(lengthText)) {
    return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] filename and length (bytes, an integer) are required'] } });
  }
  // Slack: "Typically only occurs when the length provided is 0."
  if (Number(lengthText) === 0) return fail('missing_argument');
  const altTxt = str(args.alt_txt);
  if (altTxt && altTxt.length > MAX_ALT_TXT) return fail('alt_txt_too_large');
  const snippetType = str(args.snippet_type);
  const upload = ctx.files.open({ filename, length: Number(lengthText), ...(altTxt ? { altTxt } : {}), ...(snippetType ? { snippetType } : {}) });
  return { ok: true, upload_url: `${ctx.url()}/upload/v1/${upload.ticket}`, file_id: upload.id };
};

function fileList(value: unknown): { id: string; title?: string }[] | undefined {
  const parsed = jsonArg(value);
  if (!parsed.ok || !Array.isArray(parsed.value) || parsed.value.length === 0) return undefined;
  const out: { id: string; title?: string }[] = [];
  for (const entry of parsed.value) {
    if (typeof entry !== 'object' || entry === null || typeof (entry as { id?: unknown }).id !== 'string') return undefined;
    const { id, title } = entry as { id: string; title?: unknown };
    if (out.some((e) => e.id === id)) continue; // one file, shared once
    out.push(typeof title === 'string' ? { id, title } : { id });
  }
  return out;
}

/** The file message's text: initial_comment, else blocks (Slack ignores blocks when both are given), else none. */
function messageContent(args: Args): ContentResult {
  const comment = str(args.initial_comment);
  if (comment) return { ok: true, content: { text: comment } };
  const read = readContent({ blocks: args.blocks });
  if (read.ok) return read;
  if (read.error === 'no_text') return { ok: true, content: { text: '' } };
  // completeUploadExternal documents invalid_blocks only.
  return { ...read, error: 'invalid_blocks' };
}

const completeUploadExternal: ApiHandler = (args, ctx) => {
  const entries = fileList(args.files);
  if (!entries) {
    return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] files must be a JSON array of {"id", "title"?}'] } });
  }
  // Every file must have been uploaded and not completed yet; nothing is shared otherwise.
  if (entries.some((e) => !ctx.files.completable(e.id))) return fail('file_not_found');
  const channelArg = str(args.channel_id);
  const channel = channelArg ? findChannel(ctx.workspace, channelArg)?.id : undefined;
  if (channelArg && !channel) return fail('channel_not_found');
  const content = messageContent(args);
  if (!content.ok) return fail(content.error, content.extra);

  const user = ctx.workspace.bot.userId;
  const files = entries.map((e) => ctx.files.complete(e.id, e.title, user));
  if (channel) {
    let threadTs = str(args.thread_ts) || undefined;
    if (threadTs) {
      const parent = ctx.store.find(channel, threadTs);
      if (parent && !isRoot(parent)) threadTs = parent.threadTs;
      if (!parent) ctx.log(`files.completeUploadExternal: thread_ts ${threadTs} matches no message in ${channel}; accepted as Slack does, but no one will see it`);
    }
    ctx.store.post({
      channel,
      user,
      ...content.content,
      files: files.map((f) => fileObject(f, ctx.url())),
      ...(threadTs ? { threadTs } : {}),
    });
  }
  return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) };
};

export const fileMethods: Record<string, ApiHandler> = {
  'files.getUploadURLExternal': getUploadURLExternal,
  'files.completeUploadExternal': completeUploadExternal,
};
