// Slack mrkdwn to HTML. Runs in the page (embedded with Function#toString), so it must stay
// self-contained: no imports, no module-level values, everything it needs inside its body.

export interface MrkdwnNames {
  /** User id -> handle shown after '@'. */
  users: Record<string, string>;
  /** Channel id -> name shown after '#'. */
  channels: Record<string, string>;
  /** User group id -> handle. */
  groups: Record<string, string>;
  /** The viewer, whose mentions are highlighted more strongly. */
  me?: string;
  /** "Now" for `<!date^…>` words such as Today and "5 minutes ago"; the page's clock when absent. */
  nowMs?: number;
}

export function renderMrkdwn(text: string, names: MrkdwnNames, plain?: boolean): string {
  const emoji: Record<string, string> = {
    white_check_mark: '\u2705', heavy_check_mark: '\u2714\ufe0f', x: '\u274c', warning: '\u26a0\ufe0f', rocket: '\ud83d\ude80',
    hourglass_flowing_sand: '\u23f3', hourglass: '\u231b', rotating_light: '\ud83d\udea8', large_green_circle: '\ud83d\udfe2',
    red_circle: '\ud83d\udd34', large_yellow_circle: '\ud83d\udfe1', white_circle: '\u26aa', arrows_counterclockwise: '\ud83d\udd04',
    stopwatch: '\u23f1\ufe0f', bar_chart: '\ud83d\udcca', no_entry: '\u26d4', tada: '\ud83c\udf89', hand: '\u270b', raised_hand: '\u270b',
    pause_button: '\u23f8\ufe0f', arrow_forward: '\u25b6\ufe0f', checkered_flag: '\ud83c\udfc1', eyes: '\ud83d\udc40',
    chart_with_upwards_trend: '\ud83d\udcc8', chart_with_downwards_trend: '\ud83d\udcc9', construction: '\ud83d\udea7',
    information_source: '\u2139\ufe0f', lock: '\ud83d\udd12', fire: '\ud83d\udd25', thumbsup: '\ud83d\udc4d', '+1': '\ud83d\udc4d',
    leftwards_arrow_with_hook: '\u21a9\ufe0f', rewind: '\u23ea', hammer_and_wrench: '\ud83d\udee0\ufe0f', package: '\ud83d\udce6',
    alarm_clock: '\u23f0', double_vertical_bar: '\u23f8\ufe0f', octagonal_sign: '\ud83d\uded1', stop_sign: '\ud83d\uded1', bell: '\ud83d\udd14',
    link: '\ud83d\udd17', mag: '\ud83d\udd0d', gear: '\u2699\ufe0f', memo: '\ud83d\udcdd', hook: '\ud83e\ude9d', zap: '\u26a1',
    traffic_light: '\ud83d\udea5', vertical_traffic_light: '\ud83d\udea6', twisted_rightwards_arrows: '\ud83d\udd00', scales: '\u2696\ufe0f',
    heavy_multiplication_x: '\u2716\ufe0f', question: '\u2753', exclamation: '\u2757', repeat: '\ud83d\udd01', arrow_right: '\u27a1\ufe0f',
    small_red_triangle_down: '\ud83d\udd3b', small_red_triangle: '\ud83d\udd3a', satellite: '\ud83d\udce1', shield: '\ud83d\udee1\ufe0f',
    house: '\ud83c\udfe0', busts_in_silhouette: '\ud83d\udc65', bust_in_silhouette: '\ud83d\udc64', speech_balloon: '\ud83d\udcac',
  };
  // Slack text arrives with &, < and > escaped by the sender; decode, then escape for HTML.
  const esc = (s: string) =>
    s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
      .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
  const emojify = (s: string) => s.replace(/:([a-z0-9_+-]+):/g, (all, name: string) => emoji[name] ?? all);
  if (plain) return emojify(esc(text)).replace(/\n/g, '<br>');

  // `<!date^UNIX^{tokens} text^link|fallback>` in the reader's local time, as Slack shows it.
  const localDate = (target: string, fallback: string | undefined): string => {
    const [, seconds = '', format = ''] = target.split('^');
    const at = new Date(Number(seconds) * 1000);
    if (!/^\d+$/.test(seconds) || Number.isNaN(at.getTime())) return esc(fallback ?? target);
    const now = new Date(names.nowMs ?? Date.now());
    const pad = (n: number) => String(n).padStart(2, '0');
    const month = (long: boolean) => at.toLocaleString('en-US', { month: long ? 'long' : 'short' });
    const dayName = at.toLocaleString('en-US', { weekday: 'long' });
    const day = (d: Date) => Math.floor((d.getTime() - d.getTimezoneOffset() * 60_000) / 86_400_000);
    const pretty = (plain: string) => (day(at) === day(now) ? 'Today' : day(at) === day(now) - 1 ? 'Yesterday' : day(at) === day(now) + 1 ? 'Tomorrow' : plain);
    const minutes = Math.round((now.getTime() - at.getTime()) / 60_000);
    const ago = Math.abs(minutes) < 1 ? 'just now' : Math.abs(minutes) < 60 ? `${Math.abs(minutes)} minutes ${minutes > 0 ? 'ago' : 'from now'}` : `${Math.round(Math.abs(minutes) / 60)} hours ${minutes > 0 ? 'ago' : 'from now'}`;
    const words: Record<string, string> = {
      date_num: `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`,
      date: `${month(true)} ${at.getDate()}, ${at.getFullYear()}`,
      date_short: `${month(false)} ${at.getDate()}, ${at.getFullYear()}`,
      date_long: `${dayName}, ${month(true)} ${at.getDate()}, ${at.getFullYear()}`,
      time: `${pad(at.getHours())}:${pad(at.getMinutes())}`,
      time_secs: `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`,
      ago,
    };
    words.date_pretty = pretty(words.date ?? '');
    words.date_short_pretty = pretty(words.date_short ?? '');
    words.date_long_pretty = pretty(words.date_long ?? '');
    const shown = format.replace(/\{([a-z_]+)\}/g, (all, token: string) => words[token] ?? all);
    return `<time datetime="${esc(at.toISOString())}" title="${esc(fallback ?? at.toISOString())}">${esc(shown)}</time>`;
  };
  const saved: string[] = [];
  const keep = (html: string) => `\u0000${saved.push(html) - 1}\u0000`;
  const mention = (label: string, me: boolean) => keep(`<span class="mention${me ? ' mention-me' : ''}">${esc(label)}</span>`);
  const control = (inner: string): string => {
    const [target = '', label] = inner.split('|');
    if (target.startsWith('@')) return mention(`@${names.users[target.slice(1)] ?? label ?? target.slice(1)}`, target.slice(1) === names.me);
    if (target.startsWith('#')) return mention(`#${names.channels[target.slice(1)] ?? label ?? target.slice(1)}`, false);
    if (target.startsWith('!subteam^')) {
      const id = target.slice('!subteam^'.length);
      return mention(label ?? `@${names.groups[id] ?? id}`, false);
    }
    if (target.startsWith('!date^')) return keep(localDate(target, label));
    if (target.startsWith('!')) return mention(`@${target.slice(1)}`, true);
    if (/^(https?:|mailto:)/i.test(target)) {
      return keep(`<a href="${esc(target)}" target="_blank" rel="noopener noreferrer">${emojify(esc(label ?? target))}</a>`);
    }
    return keep(esc(`<${inner}>`));
  };
  const inline = (s: string): string => {
    let out = s.replace(/`([^`\n]+)`/g, (_all, code: string) => keep(`<code>${esc(code)}</code>`));
    out = out.replace(/<([^<>\n]+)>/g, (_all, inner: string) => control(inner));
    out = esc(out);
    out = out.replace(/(^|[^\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])/g, '$1<b>$2</b>');
    out = out.replace(/(^|[^\w_])_(?!\s)([^_\n]+?)_(?![\w_])/g, '$1<i>$2</i>');
    out = out.replace(/(^|[^\w~])~(?!\s)([^~\n]+?)~(?![\w~])/g, '$1<s>$2</s>');
    out = emojify(out);
    out = out.replace(/(^|\n)&gt; ?([^\n]*)/g, '$1<span class="quote">$2</span>');
    return out.replace(/\n/g, '<br>');
  };
  const parts = text.replace(/\u0000/g, '').split('```');
  const html = parts
    .map((part, i) => {
      if (i % 2 === 1 && i < parts.length - 1) return keep(`<pre>${esc(part.replace(/^\n/, '').replace(/\n$/, ''))}</pre>`);
      // A newline right beside a fence belongs to the fence, as in Slack.
      const before = i > 0 ? part.replace(/^\n/, '') : part;
      return inline(i < parts.length - 1 ? before.replace(/\n$/, '') : before);
    })
    .join('');
  return html.replace(/\u0000(\d+)\u0000/g, (_all, n: string) => saved[Number(n)] ?? '');
}
