// Every emoji shortcode rollgate writes (in bot/) shows as an emoji in the emulator's page,
// never as raw `:name:` text.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { renderMrkdwn } from '../src/page/render-mrkdwn.js';

const BOT = resolve(import.meta.dirname, '../../../bot');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

it('renders every shortcode bot/ writes as an emoji', () => {
  // A shortcode starts a string or follows a space, backtick, quote or parenthesis (not `${prefix}:rollout:`).
  const codes = new Set(sources(BOT).flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/(?<=^|[\s`'"(])(:[a-z][a-z0-9_+-]*:)/gm)].map((m) => m[1]!)));
  expect(codes.size).toBeGreaterThan(10);
  const names = { users: {}, channels: {}, groups: {} };
  expect([...codes].filter((code) => renderMrkdwn(code, names).includes(code) || renderMrkdwn(code, names, true).includes(code))).toEqual([]);
});
