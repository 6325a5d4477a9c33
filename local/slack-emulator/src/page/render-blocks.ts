// Block Kit to HTML for the page. Embedded with Function#toString like renderMrkdwn, so it is
// self-contained and gets the text renderer as an argument.

export type TextRenderer = (text: string, plain: boolean) => string;

/** `errors`: a modal's response_action errors by input block_id, shown under each input. */
export function renderBlocks(blocks: unknown[], text: TextRenderer, errors?: Record<string, string>): string {
  type Obj = Record<string, unknown>;
  const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  const textObj = (t: unknown): string => {
    if (!isObj(t) || typeof t.text !== 'string') return '';
    return text(t.text, t.type === 'plain_text');
  };
  const plainOf = (t: unknown): string => (isObj(t) && typeof t.text === 'string' ? t.text : '');

  const element = (el: unknown, blockId: string): string => {
    if (!isObj(el)) return '';
    if (el.type === 'button') {
      const style = el.style === 'primary' || el.style === 'danger' ? ` btn-${el.style}` : '';
      const data = [
        `data-action-id="${attr(String(el.action_id ?? ''))}"`,
        `data-block-id="${attr(blockId)}"`,
        el.value !== undefined ? `data-value="${attr(String(el.value))}"` : '',
        isObj(el.confirm) ? `data-confirm="${attr(JSON.stringify(el.confirm))}"` : '',
        typeof el.url === 'string' ? `data-url="${attr(el.url)}"` : '',
      ].filter(Boolean).join(' ');
      return `<button type="button" class="btn${style}" ${data}>${textObj(el.text)}</button>`;
    }
    if (el.type === 'image') return `<span class="b-image" title="${attr(String(el.alt_text ?? 'image'))}">\ud83d\uddbc\ufe0f</span>`;
    if (el.type === 'mrkdwn' || el.type === 'plain_text') return `<span>${textObj(el)}</span>`;
    const label = plainOf(el.placeholder) || String(el.type);
    return `<span class="b-unsupported" title="not interactive in the emulator">${attr(label)} \u25be</span>`;
  };

  const richText = (b: Obj): string => {
    const walk = (node: unknown): string => {
      if (!isObj(node)) return '';
      if (node.type === 'text') return text(String(node.text ?? ''), true);
      if (node.type === 'link') return text(`<${String(node.url)}|${String(node.text ?? node.url)}>`, false);
      if (node.type === 'user') return text(`<@${String(node.user_id)}>`, false);
      if (node.type === 'emoji') return text(`:${String(node.name)}:`, true);
      const inner = Array.isArray(node.elements) ? node.elements.map(walk).join('') : '';
      if (node.type === 'rich_text_preformatted') return `<pre>${inner}</pre>`;
      if (node.type === 'rich_text_quote') return `<span class="quote">${inner}</span>`;
      if (node.type === 'rich_text_list') return `<ul>${(node.elements as unknown[]).map((e) => `<li>${walk(e)}</li>`).join('')}</ul>`;
      return inner;
    };
    return `<div class="b-section">${walk(b)}</div>`;
  };

  const block = (b: unknown): string => {
    if (!isObj(b)) return '';
    const id = String(b.block_id ?? '');
    switch (b.type) {
      case 'header':
        return `<div class="b-header">${textObj(b.text)}</div>`;
      case 'divider':
        return '<hr class="b-divider">';
      case 'section': {
        const fields = Array.isArray(b.fields) ? `<div class="b-fields">${b.fields.map((f) => `<div>${textObj(f)}</div>`).join('')}</div>` : '';
        const accessory = b.accessory ? `<div class="b-accessory">${element(b.accessory, id)}</div>` : '';
        return `<div class="b-section"><div class="b-section-body">${b.text ? `<div>${textObj(b.text)}</div>` : ''}${fields}</div>${accessory}</div>`;
      }
      case 'context':
        return `<div class="b-context">${(Array.isArray(b.elements) ? b.elements : []).map((e) => element(e, id)).join('')}</div>`;
      case 'actions':
        return `<div class="b-actions">${(Array.isArray(b.elements) ? b.elements : []).map((e) => element(e, id)).join('')}</div>`;
      case 'image':
        return `<div class="b-image-block">\ud83d\uddbc\ufe0f ${attr(String(b.alt_text ?? 'image'))}</div>`;
      case 'rich_text':
        return richText(b);
      case 'input': {
        const el = isObj(b.element) ? b.element : {};
        const field = `data-input-block="${attr(id)}" data-optional="${b.optional === true ? '1' : '0'}" id="input-${attr(id)}"`;
        const placeholder = plainOf(el.placeholder) ? ` placeholder="${attr(plainOf(el.placeholder))}"` : '';
        const max = typeof el.max_length === 'number' ? ` maxlength="${el.max_length}"` : '';
        const control =
          el.type === 'plain_text_input'
            ? el.multiline === true
              ? `<textarea ${field}${placeholder}${max}></textarea>`
              : `<input type="text" ${field}${placeholder}${max}>`
            : `<span class="b-unsupported" title="not interactive in the emulator">${attr(String(el.type))}</span>`;
        const hint = b.hint ? `<div class="hint">${textObj(b.hint)}</div>` : '';
        const error = errors && errors[id] ? `<div class="error" role="alert">${attr(errors[id])}</div>` : '';
        return `<div class="b-input${error ? ' has-error' : ''}"><label for="input-${attr(id)}">${textObj(b.label)}${b.optional === true ? ' <span class="hint">(optional)</span>' : ''}</label>${control}${error}${hint}</div>`;
      }
      case 'markdown':
        return `<div class="b-section">${text(String(b.text ?? ''), false)}</div>`;
      default:
        return `<div class="b-unsupported">[${attr(String(b.type))} block]</div>`;
    }
  };
  return `<div class="blocks">${blocks.map(block).join('')}</div>`;
}
