// The READMEs say things that can rot: the commands they tell people to run after `npm ci`,
// the deploy/ paths and the source files they name.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

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

// Files move (issue 11 moved local/ into packages): every source path a README names in a code
// span must still be there. The local packages' READMEs name paths from their own folder
// (`src/…`) or from the root (`test/cli/…`).
describe('source paths the READMEs name', () => {
  const codeSpanWords = (text: string) => [...text.matchAll(/`([^`\n]+)`/g)].flatMap((m) => m[1]!.split(/[\s,()]+/)).map((w) => w.replace(/[.,:;]+$/, ''));
  const SOURCE = /^(?:bot|jobs|rollout|cli|local|test|chaos|bench)\/[\w./-]*$/;
  const GENERATED = /^bench\/results\//;

  it('README.md: each one exists', () => {
    const named = [...new Set(codeSpanWords(readFileSync(join(ROOT, 'README.md'), 'utf8')).filter((w) => SOURCE.test(w) && !GENERATED.test(w)))];
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((p) => !existsSync(join(ROOT, p)))).toEqual([]);
  });

  it.each(['fleet-sim', 'slack-emulator', 'demo'])('local/%s/README.md: each one exists, from the package or the root', (name) => {
    const dir = join(ROOT, 'local', name);
    const named = [...new Set(codeSpanWords(readFileSync(join(dir, 'README.md'), 'utf8')).filter((w) => /^(?:\.\.\/|src\/|test\/|tls\/)[\w./-]*$/.test(w)))];
    expect(named.filter((p) => !existsSync(join(dir, p)) && !existsSync(join(ROOT, p)))).toEqual([]);
  });
});
