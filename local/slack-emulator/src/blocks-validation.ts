// Block Kit checks Slack applies before accepting a message, with Slack's error wording:
// "must be less than 3001 characters [json-pointer:/blocks/0/text/text]".

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const BLOCK_TYPES = new Set(['section', 'header', 'context', 'divider', 'actions', 'image', 'input', 'rich_text', 'file', 'video', 'markdown']);
const MAX_BLOCKS = 50;

class Problems {
  readonly list: string[] = [];
  add(message: string, pointer: string): void {
    this.list.push(`${message} [json-pointer:${pointer}]`);
  }
  text(value: unknown, pointer: string, max: number, plainOnly = false): void {
    if (!isObj(value)) return this.add('must provide an object', pointer);
    const allowed = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
    if (!allowed.includes(String(value.type))) this.add(`must be one of: ${allowed.join(', ')}`, `${pointer}/type`);
    this.length(value.text, `${pointer}/text`, 1, max);
  }
  length(value: unknown, pointer: string, min: number, max: number): void {
    if (typeof value !== 'string') return this.add('must provide a string', pointer);
    if (value.length < min) this.add(`must be more than ${min - 1} characters`, pointer);
    if (value.length > max) this.add(`must be less than ${max + 1} characters`, pointer);
  }
  optionalLength(value: unknown, pointer: string, max: number): void {
    if (value !== undefined) this.length(value, pointer, 1, max);
  }
}

function checkConfirm(p: Problems, confirm: unknown, at: string): void {
  if (confirm === undefined) return;
  if (!isObj(confirm)) return p.add('must provide an object', at);
  p.text(confirm.title, `${at}/title`, 100, true);
  p.text(confirm.text, `${at}/text`, 300);
  p.text(confirm.confirm, `${at}/confirm`, 30, true);
  p.text(confirm.deny, `${at}/deny`, 30, true);
}

function checkElement(p: Problems, el: unknown, at: string, actionIds: Set<string>): void {
  if (!isObj(el)) return p.add('must provide an object', at);
  if (typeof el.action_id === 'string') {
    if (actionIds.has(el.action_id)) p.add(`duplicate action_id: ${el.action_id}`, `${at}/action_id`);
    actionIds.add(el.action_id);
  }
  p.optionalLength(el.action_id, `${at}/action_id`, 255);
  if (el.type !== 'button') return; // other elements are accepted as they come
  p.text(el.text, `${at}/text`, 75, true);
  p.optionalLength(el.value, `${at}/value`, 2000);
  p.optionalLength(el.url, `${at}/url`, 3000);
  if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger') p.add('must be one of: primary, danger', `${at}/style`);
  checkConfirm(p, el.confirm, `${at}/confirm`);
}

function checkBlock(p: Problems, block: unknown, at: string, blockIds: Set<string>): void {
  if (!isObj(block)) return p.add('must provide an object', at);
  if (typeof block.type !== 'string' || !BLOCK_TYPES.has(block.type)) return p.add('failed to match all allowed schemas', at);
  if (block.block_id !== undefined) {
    p.length(block.block_id, `${at}/block_id`, 1, 255);
    if (typeof block.block_id === 'string' && blockIds.has(block.block_id)) p.add(`duplicate block_id: ${block.block_id}`, `${at}/block_id`);
    if (typeof block.block_id === 'string') blockIds.add(block.block_id);
  }
  const actionIds = new Set<string>();
  switch (block.type) {
    case 'header':
      return p.text(block.text, `${at}/text`, 150, true);
    case 'section': {
      if (block.text === undefined && block.fields === undefined) return p.add('must provide either text or fields', at);
      if (block.text !== undefined) p.text(block.text, `${at}/text`, 3000);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) return p.add('must provide an array', `${at}/fields`);
        if (block.fields.length > 10) p.add('must provide an array of no more than 10 items', `${at}/fields`);
        block.fields.forEach((f, i) => p.text(f, `${at}/fields/${i}`, 2000));
      }
      if (block.accessory !== undefined) checkElement(p, block.accessory, `${at}/accessory`, actionIds);
      return;
    }
    case 'context':
    case 'actions': {
      const max = block.type === 'context' ? 10 : 25;
      if (!Array.isArray(block.elements) || block.elements.length === 0) return p.add('must provide a non-empty array', `${at}/elements`);
      if (block.elements.length > max) p.add(`must provide an array of no more than ${max} items`, `${at}/elements`);
      block.elements.forEach((el, i) => {
        const where = `${at}/elements/${i}`;
        if (block.type === 'actions') return checkElement(p, el, where, actionIds);
        if (isObj(el) && el.type === 'image') return;
        p.text(el, where, 3000);
      });
      return;
    }
    case 'input': {
      p.text(block.label, `${at}/label`, 2000, true);
      if (block.hint !== undefined) p.text(block.hint, `${at}/hint`, 2000, true);
      if (block.optional !== undefined && typeof block.optional !== 'boolean') p.add('must be a boolean', `${at}/optional`);
      const el = block.element;
      if (!isObj(el)) return p.add('must provide an object', `${at}/element`);
      p.optionalLength(el.action_id, `${at}/element/action_id`, 255);
      if (el.type !== 'plain_text_input') return; // other input elements are accepted as they come
      if (el.placeholder !== undefined) p.text(el.placeholder, `${at}/element/placeholder`, 150, true);
      for (const key of ['min_length', 'max_length'] as const) {
        const n = el[key];
        if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 3000)) p.add('must be an integer from 0 to 3000', `${at}/element/${key}`);
      }
      return;
    }
    default:
      return;
  }
}

function checkBlocks(p: Problems, blocks: unknown, at: string, max: number): void {
  if (!Array.isArray(blocks)) return p.add('must provide an array', at);
  if (blocks.length > max) p.add(`must provide an array of no more than ${max} items`, at);
  const blockIds = new Set<string>();
  blocks.forEach((block, i) => checkBlock(p, block, `${at}/${i}`, blockIds));
}

/** Slack's messages for everything wrong with `blocks`; empty when Slack would accept them. */
export function validateBlocks(blocks: unknown): string[] {
  const p = new Problems();
  checkBlocks(p, blocks, '/blocks', MAX_BLOCKS);
  return p.list;
}

/** A view holds up to 100 blocks (a message, 50). */
const MAX_VIEW_BLOCKS = 100;

/**
 * Slack's messages for everything wrong with a modal or Home view (views.open, views.update,
 * views.publish, response_action update): title, submit and close at most 24 characters,
 * submit required beside an input block, private_metadata at most 3,000, callback_id 255.
 */
export function validateView(view: unknown, surface: 'modal' | 'home'): string[] {
  const p = new Problems();
  if (!isObj(view)) {
    p.add('must provide an object', '/view');
    return p.list;
  }
  if (view.type !== surface) p.add(`must be ${surface}`, '/view/type');
  checkBlocks(p, view.blocks, '/view/blocks', MAX_VIEW_BLOCKS);
  if (view.private_metadata !== undefined) p.length(view.private_metadata, '/view/private_metadata', 0, 3000);
  p.optionalLength(view.callback_id, '/view/callback_id', 255);
  if (surface === 'modal') {
    p.text(view.title, '/view/title', 24, true);
    if (view.submit !== undefined) p.text(view.submit, '/view/submit', 24, true);
    if (view.close !== undefined) p.text(view.close, '/view/close', 24, true);
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) p.add('must provide submit when the view has an input block', '/view/submit');
  }
  return p.list;
}
