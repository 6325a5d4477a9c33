// The page's renderers, run in Node: mrkdwn, Block Kit, HTML escaping, and that the embedded
// copies (Function#toString) behave the same as the imported ones.
import { describe, expect, it } from 'vitest';
import { renderBlocks } from '../src/page/render-blocks.js';
import { renderMrkdwn, type MrkdwnNames } from '../src/page/render-mrkdwn.js';
import { renderPage } from '../src/page/page.js';
import { gateBlocks } from './helpers.js';

const names: MrkdwnNames = { users: { U0LEAD: 'lead', U0DEV: 'dev' }, channels: { C0ROLLOUTS: 'rollouts' }, groups: { S0SRE: 'sre' }, me: 'U0DEV' };
const md = (text: string) => renderMrkdwn(text, names);

describe('renderMrkdwn', () => {
  it.each([
    ['*bold* and _italic_ and ~gone~', '<b>bold</b> and <i>italic</i> and <s>gone</s>'],
    ['run `kubectl get *pods*`', 'run <code>kubectl get *pods*</code>'],
    ['```\nline *1*\n<b>\n```', '<pre>line *1*\n&lt;b&gt;</pre>'],
    ['before\n```\ncode\n```\nafter *x*', 'before<pre>code</pre>after <b>x</b>'],
    ['ask <@U0LEAD>', 'ask <span class="mention">@lead</span>'],
    ['hey <@U0DEV>', 'hey <span class="mention mention-me">@dev</span>'],
    ['<!subteam^S0SRE> in <#C0ROLLOUTS>', '<span class="mention">@sre</span> in <span class="mention">#rollouts</span>'],
    ['<https://grafana.local/d?a=1&amp;b=2|dash *board*>', '<a href="https://grafana.local/d?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">dash *board*</a>'],
    [':white_check_mark: ok :rocket: :no_such_emoji:', '\u2705 ok \ud83d\ude80 :no_such_emoji:'],
    ['a &lt; b &amp;&amp; c &gt; d', 'a &lt; b &amp;&amp; c &gt; d'],
    ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'],
    ['<javascript:alert(1)|click>', '&lt;javascript:alert(1)|click&gt;'],
    ['&gt; quoted\nnext', '<span class="quote">quoted</span><br>next'],
    ['snake_case_name and 2*3*4', 'snake_case_name and 2*3*4'],
  ])('%s', (input, html) => {
    expect(md(input)).toBe(html);
  });

  it('escapes attribute breakers in links', () => {
    expect(md('<https://x.test/"onmouseover="alert(1)|x>')).toContain('href="https://x.test/&quot;onmouseover=&quot;alert(1)"');
  });

  it('renders plain_text with emoji only', () => {
    expect(renderMrkdwn('*not bold* :tada: <b>', names, true)).toBe('*not bold* \ud83c\udf89 &lt;b&gt;');
  });
});

describe('renderBlocks', () => {
  const text = (t: string, plain: boolean) => renderMrkdwn(t, names, plain);

  it('renders header, fields, context, divider and buttons with style and confirm', () => {
    const html = renderBlocks(
      [
        { type: 'header', text: { type: 'plain_text', text: 'checkout v2' } },
        { type: 'section', fields: [{ type: 'mrkdwn', text: '*member1*\ncanary' }] },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'by <@U0LEAD>' }] },
        { type: 'divider' },
        ...gateBlocks(),
      ],
      text,
    );
    expect(html).toContain('<div class="b-header">checkout v2</div>');
    expect(html).toContain('<div class="b-fields"><div><b>member1</b><br>canary</div></div>');
    expect(html).toContain('<hr class="b-divider">');
    expect(html).toContain('class="btn btn-primary" data-action-id="rollout_approve" data-block-id="gate-member1" data-value="r1:member1"');
    expect(html).toMatch(/class="btn btn-danger"[^>]*data-confirm="\{&quot;title&quot;/);
  });

  it('escapes untrusted values in attributes and text', () => {
    const html = renderBlocks(
      [{ type: 'actions', elements: [{ type: 'button', action_id: 'a"><img src=x>', value: '"><script>', text: { type: 'plain_text', text: '<img src=x onerror=alert(1)>' } }] }],
      text,
    );
    expect(html).not.toMatch(/<img|<script/);
  });

  it('marks blocks it cannot show instead of dropping them', () => {
    expect(renderBlocks([{ type: 'video' }], text)).toContain('[video block]');
  });

  it('shows a modal input with its label, "(optional)" as Slack adds it, and the app\'s error under it', () => {
    const input = { type: 'input', block_id: 'reason', optional: true, label: { type: 'plain_text', text: 'Why?' }, element: { type: 'plain_text_input', action_id: 'r', multiline: true, max_length: 500 } };
    const html = renderBlocks([input], text, { reason: 'Say <why>.' });
    expect(html).toContain('<textarea data-input-block="reason" data-optional="1" id="input-reason" maxlength="500"></textarea>');
    expect(html).toContain('(optional)');
    expect(html).toContain('<div class="error" role="alert">Say &lt;why&gt;.</div>');
  });
});

describe('the embedded page script', () => {
  it('is the same code as the tested renderers, self-contained', () => {
    const embedded = new Function(`${renderMrkdwn.toString()}; return renderMrkdwn;`)() as typeof renderMrkdwn;
    expect(embedded('*x* <@U0LEAD> :tada:', names)).toBe(md('*x* <@U0LEAD> :tada:'));
    const blocks = new Function(`${renderBlocks.toString()}; return renderBlocks;`)() as typeof renderBlocks;
    const text = (t: string, plain: boolean) => renderMrkdwn(t, names, plain);
    expect(blocks(gateBlocks(), text)).toBe(renderBlocks(gateBlocks(), text));
  });

  it('is one HTML document with nothing external', () => {
    const page = renderPage();
    expect(page).toMatch(/^<!doctype html>/);
    // The only <img> is a shared file, whose src is filled in at run time from its url_private (this emulator).
    expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)=(?!"\$\{url\}")/);
    expect(page).not.toMatch(/https?:\/\/(?!x)/);
    expect(() => new Function(page.split('<script>')[1]!.split('</script>')[0]!)).not.toThrow(); // parses
  });
});
