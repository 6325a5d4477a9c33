// `<!date^…>` in the emulator page: shown in the reader's own time zone, as Slack does, with
// Today/Yesterday words; the fallback text only when the token cannot be read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMrkdwn, type MrkdwnNames } from '../src/page/render-mrkdwn.js';
import { clockTime } from '../../../bot/blocks/kit.js';

const AT = Date.UTC(2026, 11, 3, 12, 5, 30);
const names = (nowMs: number): MrkdwnNames => ({ users: {}, channels: {}, groups: {}, nowMs });
const shown = (html: string) => html.replace(/<[^>]+>/g, '');

let tz: string | undefined;
beforeAll(() => {
  tz = process.env.TZ;
  process.env.TZ = 'Asia/Tokyo'; // UTC+9, no daylight saving: 12:05 UTC is 21:05 there
});
afterAll(() => {
  if (tz === undefined) delete process.env.TZ;
  else process.env.TZ = tz;
});

describe('dates in the emulator page', () => {
  it('shows what rollgate posts in the local time of the page, keeping the UTC text as a title', () => {
    const html = renderMrkdwn(`waiting since ${clockTime(AT)}`, names(AT + 60_000));
    expect(shown(html)).toBe('waiting since Today 21:05');
    expect(html).toContain('title="12:05 UTC"');
  });

  it('says Yesterday, or the short date further back, and renders the other tokens', () => {
    expect(shown(renderMrkdwn(clockTime(AT), names(AT + 24 * 3600_000)))).toBe('Yesterday 21:05');
    expect(shown(renderMrkdwn(clockTime(AT), names(AT + 5 * 24 * 3600_000)))).toBe('Dec 3, 2026 21:05');
    expect(shown(renderMrkdwn(`<!date^${AT / 1000 - 30}^{date_num} {time_secs} ({ago})|x>`, names(AT + 10 * 60_000)))).toBe('2026-12-03 21:05:00 (11 minutes ago)');
  });

  it('falls back to the text after | when the token is unreadable', () => {
    expect(shown(renderMrkdwn('<!date^soon^{time}|12:05 UTC>', names(AT)))).toBe('12:05 UTC');
  });

  it('the copy embedded in the page renders the same', () => {
    const embedded = new Function(`${renderMrkdwn.toString()}; return renderMrkdwn;`)() as typeof renderMrkdwn;
    expect(embedded(clockTime(AT), names(AT))).toBe(renderMrkdwn(clockTime(AT), names(AT)));
  });
});
