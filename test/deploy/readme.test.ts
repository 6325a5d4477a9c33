// The operator sections of the README say things that can rot: the commands it tells people to
// run after `npm ci`, and the deploy/ paths it names.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8') + readFileSync(join(ROOT, 'deploy/README.md'), 'utf8');

it('every `npm run -s rollgate -- COMMAND` in the README is a command that exists (its --help works)', () => {
  const commands = new Set([...readme.matchAll(/npm run -s rollgate -- ((?:local )?[a-z-]+)/g)].map((m) => m[1]!));
  expect([...commands].sort()).toEqual(expect.arrayContaining(['check-config', 'local slack']));
  const script = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.rollgate as string;
  for (const command of commands) {
    const [bin, ...args] = script.split(' ');
    const run = spawnSync(bin === 'node' ? process.execPath : bin!, [...args, ...command.split(' '), '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status, `${command}: ${run.stderr}`).toBe(0);
    expect(run.stdout).toMatch(/^usage: rollgate/);
  }
});

it('every deploy/ path the README names exists', () => {
  const paths = new Set([...readme.matchAll(/(?:deploy\/)?((?:kustomize|deploy\/kustomize)\/[\w./-]+|deploy\/[\w.-]+\.(?:json|sh|md))/g)].map((m) => m[0]!.replace(/^(?!deploy\/)/, 'deploy/').replace(/[.,)]+$/, '')));
  expect(paths.size).toBeGreaterThan(8);
  expect([...paths].filter((p) => !existsSync(join(ROOT, p.replace('/MODE/', '/karmada/'))))).toEqual([]);
});
