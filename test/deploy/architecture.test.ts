// ARCHITECTURE.md names the file at each hop of a click and of a tick: every path it names must
// exist, so the picture cannot silently go stale when a file moves.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
/** Every `code span` or picture line word that looks like a path in the repository. */
const named = [...new Set([...text.matchAll(/(?:^|[\s`(])((?:bot|jobs|rollout|cli|local|test|bench)\/[\w./-]*)/gm)].map((m) => m[1]!.replace(/[.,:;]+$/, '')))];

describe('ARCHITECTURE.md', () => {
  it('names the hops of a click and a tick by their files', () => {
    for (const hop of ['bot/slack-app.ts', 'bot/actions/gate-buttons.ts', 'jobs/worker.ts', 'rollout/machine.ts', 'rollout/verdict.ts', 'rollout/kube/cluster-api.ts', 'bot/notifier.ts', 'bot/blocks/']) {
      expect(named).toContain(hop);
    }
  });

  it('names only files and folders that exist', () => {
    expect(named.length).toBeGreaterThan(30);
    expect(named.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });
});
