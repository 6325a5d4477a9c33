// Reads message content (text, blocks, attachments) from Web API arguments the way Slack does:
// form-encoded values arrive as JSON strings, limits are checked, missing ids are filled in.
import { createHash } from 'node:crypto';
import { validateBlocks } from './blocks-validation.js';
import type { MessageContent } from './store.js';

export const MAX_TEXT = 40_000;

export type Failure = { ok: false; error: string; extra?: Record<string, unknown> };
export type ContentResult = { ok: true; content: MessageContent } | Failure;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON-valued argument: already parsed (JSON body) or a JSON string (form body). */
export function jsonArg(value: unknown): { ok: true; value: unknown } | { ok: false } {
  if (typeof value !== 'string') return { ok: true, value };
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch {
    return { ok: false };
  }
}

function shortId(seed: string): string {
  return createHash('sha256').update(seed).digest('base64url').replace(/[-_]/g, 'x').slice(0, 5);
}

/** Slack gives every block a block_id and every element an action_id when the sender did not. */
export function withIds(blocks: unknown[]): unknown[] {
  return blocks.map((block, i) => {
    if (!isObj(block)) return block;
    const out: Obj = { ...block };
    if (out.block_id === undefined) out.block_id = shortId(`${i}:${JSON.stringify(block)}`);
    const fill = (el: unknown, j: number) =>
      isObj(el) && el.type !== undefined && el.action_id === undefined && ['button', 'overflow', 'static_select', 'datepicker'].includes(String(el.type))
        ? { ...el, action_id: shortId(`${out.block_id}:${j}`) }
        : el;
    if (out.type === 'actions' && Array.isArray(out.elements)) out.elements = out.elements.map(fill);
    if (out.type === 'section' && out.accessory !== undefined) out.accessory = fill(out.accessory, 0);
    return out;
  });
}

function blocksFrom(args: Obj): { ok: true; blocks: unknown[] | undefined } | Failure {
  if (args.blocks === undefined || args.blocks === '') return { ok: true, blocks: undefined };
  const parsed = jsonArg(args.blocks);
  if (!parsed.ok) return { ok: false, error: 'invalid_blocks_format' };
  const problems = validateBlocks(parsed.value);
  if (problems.length > 0) {
    const messages = problems.map((m) => `[ERROR] ${m}`);
    return { ok: false, error: 'invalid_blocks', extra: { errors: problems, response_metadata: { messages } } };
  }
  return { ok: true, blocks: withIds(parsed.value as unknown[]) };
}

/**
 * The content of a post or an edit. For an edit (`previous` given) omitted blocks and text are
 * kept and an empty blocks array removes them, as chat.update documents.
 */
export function readContent(args: Obj, previous?: MessageContent): ContentResult {
  const blocks = blocksFrom(args);
  if (!blocks.ok) return blocks;
  const attachments = jsonArg(args.attachments);
  if (!attachments.ok || (attachments.value !== undefined && !Array.isArray(attachments.value))) {
    return { ok: false, error: 'invalid_attachments' };
  }
  const text = args.text === undefined ? undefined : String(args.text);
  if (text !== undefined && text.length > MAX_TEXT) return { ok: false, error: 'msg_too_long' };
  const hasBlocks = blocks.blocks !== undefined && blocks.blocks.length > 0;
  const hasAttachments = Array.isArray(attachments.value) && attachments.value.length > 0;
  if (!previous && !text && !hasBlocks && !hasAttachments) return { ok: false, error: 'no_text' };
  if (previous && text === undefined && blocks.blocks === undefined && attachments.value === undefined) {
    return { ok: false, error: 'no_text' };
  }
  const content: MessageContent = { text: text ?? previous?.text ?? '' };
  const finalBlocks = blocks.blocks ?? previous?.blocks;
  if (finalBlocks && finalBlocks.length > 0) content.blocks = finalBlocks;
  const finalAttachments = (attachments.value as unknown[] | undefined) ?? previous?.attachments;
  if (finalAttachments && finalAttachments.length > 0) content.attachments = finalAttachments;
  return { ok: true, content };
}
