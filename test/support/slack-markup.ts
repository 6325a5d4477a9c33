// Finds Slack markup in TypeScript source: what only bot/ may write (rollout/ and jobs/ emit
// data; bot/blocks/ turns it into words). Comments are left out; the patterns are the ones a
// sentence for Slack is made of.

export interface MarkupHit {
  line: number;
  kind: string;
  text: string;
}

const PATTERNS: { kind: string; re: RegExp }[] = [
  { kind: 'mention <@…>', re: /<@/ },
  { kind: 'special mention <!…>', re: /<!(?:subteam|here|channel|everyone|date)/ },
  { kind: 'channel link <#…>', re: /<#[A-Z$]/ },
  { kind: 'link <url|text>', re: /<https?:[^>\s]*\|/ },
  // ":rocket: Rollout" — a shortcode followed by a space (Redis keys like ':rollout:*' are not).
  { kind: 'emoji :shortcode:', re: /(?:^|[\s'"`(]):[a-z0-9_+-]+:(?=\s)/ },
  // An emoji alone in a string (':information_source:'); ':rollout:' is a Redis key segment.
  { kind: 'emoji :shortcode: string', re: /(['"`]):(?!rollout:)[a-z0-9_+-]+:\1/ },
  { kind: '*bold*', re: /(?:^|[\s'"`(])\*(?:\$\{|[A-Za-z])[^*\n]{0,80}\*(?=[\s'"`.,:;)!?]|$)/ },
  { kind: '_italic_', re: /(?:^|[\s'"`(])_(?:\$\{|[A-Za-z])[^_\n]{0,80}_(?=[\s'"`.,:;)!?]|$)/ },
  // A code span inside a template literal: \`/rollout resume …\`
  { kind: '`code` in a string', re: /\\`/ },
];

/** Source without comments (line and block), keeping line numbers. Good enough for our own files. */
function withoutComments(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, (block) => block.replace(/[^\n]/g, ' '))
    .split('\n')
    .map((line) => line.replace(/(^|[^:'"`\\])\/\/.*$/, '$1'))
    .join('\n');
}

export function slackMarkup(source: string): MarkupHit[] {
  const hits: MarkupHit[] = [];
  withoutComments(source)
    .split('\n')
    .forEach((text, i) => {
      for (const { kind, re } of PATTERNS) if (re.test(text)) hits.push({ line: i + 1, kind, text: text.trim().slice(0, 160) });
    });
  return hits;
}
