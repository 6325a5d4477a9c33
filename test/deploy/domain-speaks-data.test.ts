// Issue 11: the domain (rollout/) and the workers (jobs/) emit codes and facts; every sentence
// a person reads is written in bot/ (bot/blocks/). No Slack markup may creep back into them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slackMarkup } from '../support/slack-markup.js';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

describe('the markup finder', () => {
  it.each([
    ['a mention', 'const t = `<@${by.user}> paused`;'],
    ['a user group', "const t = '<!subteam^S0SRE>';"],
    ['an emoji shortcode', 'const t = `:rocket: Rollout queued`;'],
    ['an emoji alone in a string', "const icon = code === 'already' ? ':information_source:' : ':no_entry:';"],
    ['a bold name', 'const t = `the webhook *${held.name}* holds`;'],
    ['bold words', "const t = 'was *rolled back automatically*: x';"],
    ['an italic word', "const t = 'x _dry run_';"],
    ['a code span', 'const t = `run \\`/rollout resume ${id}\\` first`;'],
    ['a channel link', 'const t = `follow it in <#${channel}>`;'],
  ])('finds %s', (_what, line) => {
    expect(slackMarkup(line)).not.toEqual([]);
  });

  it.each([
    ['a Redis key pattern', "const pattern = `${escaped}:rollout:*:outbox`;"],
    ['a Lua key', "local raw = redis.call('GET', ARGV[4] .. ':rollout:' .. holder)"],
    ['multiplication', 'const ms = a * b * 1000;'],
    ['a comment', '// "<@U0LEAD> paused" is written in bot/blocks/'],
    ['a JSDoc comment', '/** `:rocket:` and *bold* live in bot/ */'],
    ['snake_case names', 'const x = some_name_here;'],
  ])('leaves %s alone', (_what, line) => {
    expect(slackMarkup(line)).toEqual([]);
  });
});

describe.each(['rollout', 'jobs'])('%s/', (dir) => {
  it('holds no Slack markup (mentions, emoji, bold, code spans): words are written in bot/blocks/', () => {
    const found = sources(join(root, dir)).flatMap((file) => slackMarkup(readFileSync(file, 'utf8')).map((hit) => `${relative(root, file)}:${hit.line}: ${hit.kind}: ${hit.text}`));
    expect(found).toEqual([]);
  });
});

// Reasons (why a rollout ended, why a step is held, why a gate closed, what an audit entry adds)
// are facts; the plain strings stored beside them for rollgates from before issue 11 are written
// in exactly two fallback functions, and bot/ reads a stored reason only through reason-words.ts.
const FALLBACKS = new Set(['rollout/why.ts', 'jobs/audit.ts']);
const REASON_SENTENCES = /allowed failed checks|not ready within|got no decision|already runs|no longer configured|internal error \(|cannot measure|unreachable`|nothing to roll out|step runs now|times in a row \(|the baseline \(allowed|Mann-Whitney p=|no baseline:|baseline: no data/;
const STORED_REASON = /\b(?:outcome|held|pendingOutcome|notice|answer)\??\.reason\b|\.closedReason\b|\.detail\b/;

function hits(dir: string, pattern: RegExp, allowed: Set<string>): string[] {
  return sources(join(root, dir)).flatMap((file) => {
    const name = relative(root, file);
    if (allowed.has(name)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (pattern.test(line) && !/^\s*(\/\/|\*|\/\*\*)/.test(line) ? [`${name}:${i + 1}: ${line.trim()}`] : []));
  });
}

describe('reasons as facts (issue 11)', () => {
  it.each(['rollout', 'jobs'])('%s/ writes no reason sentence outside the fallbacks for older readers (rollout/why.ts, jobs/audit.ts)', (dir) => {
    expect(hits(dir, REASON_SENTENCES, FALLBACKS)).toEqual([]);
  });

  it('bot/ reads a stored reason only through bot/blocks/reason-words.ts (facts first, the old string else)', () => {
    // answer-words.ts: the Answer it gets was written by note-words.ts through reason-words.ts.
    const allowed = new Set(['bot/blocks/reason-words.ts', 'bot/blocks/audit-lines.ts', 'bot/blocks/answer-words.ts']);
    expect(hits('bot', STORED_REASON, allowed)).toEqual([]);
  });

  it('the finders find what they are for', () => {
    expect(REASON_SENTENCES.test('const reason = `${names} failed in ${cluster}: ${count} of ${limit} allowed failed checks`;')).toBe(true);
    expect(STORED_REASON.test('const t = `Failed: ${rollout.outcome.reason}`;')).toBe(true);
    expect(STORED_REASON.test('const t = gate.closedReason ?? "x";')).toBe(true);
    expect(STORED_REASON.test('const t = gate.reason;')).toBe(false);
  });
});
