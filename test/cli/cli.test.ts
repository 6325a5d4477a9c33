// The binary as an operator meets it: check-config, bad environments, local mode's pieces
// and the scripted demo.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { configDocument } from '../fixtures/config.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/rollgate.js');
const dir = mkdtempSync(join(tmpdir(), 'rollgate-cli-'));

function rollgate(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLACK_') && !k.startsWith('ROLLGATE_')));
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...clean, ...env }, encoding: 'utf8', timeout: 180_000 });
}

function configFile(mutate: (doc: Record<string, any>) => void = () => undefined): string {
  const doc = configDocument();
  mutate(doc);
  const file = join(dir, `${randomUUID()}.yaml`);
  writeFileSync(file, stringify(doc));
  return file;
}

describe('rollgate check-config', () => {
  it('accepts a valid file and the shipped example', () => {
    const ok = rollgate(['check-config', configFile()]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('ok (karmada mode, 3 clusters, apps: http-probe-app)');
    expect(rollgate(['check-config', join(ROOT, 'rollgate.example.yaml')]).status).toBe(0);
  });

  it('prints every problem with its path and exits 1', () => {
    const bad = rollgate(['check-config', configFile((d) => {
      d.apps[0].analysis.interval = 'sometimes';
      d.apps[0].canary = { replicas: 0 };
      d.apps[0].surprise = true;
    })]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('apps[0].analysis.interval: "sometimes" is not a duration');
    expect(bad.stderr).toContain('apps[0].canary');
    expect(bad.stderr).toMatch(/apps\[0\].*surprise/);
  });

  it('reports YAML syntax errors and a missing file', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'fleet: [unclosed\n');
    expect(rollgate(['check-config', file]).status).toBe(1);
    const missing = rollgate(['check-config', join(dir, 'nope.yaml')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no such file');
  });
});

describe('rollgate serve with a bad environment', () => {
  it('stops at start with one line per problem and never prints a secret', () => {
    const result = rollgate(['serve'], { SLACK_BOT_TOKEN: 'not-a-token-s3cr3t', PORT: 'eighty', ROLLGATE_CONFIG: configFile() });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('SLACK_BOT_TOKEN: must be a bot token');
    expect(result.stderr).toContain('PORT:');
    expect(result.stderr).not.toContain('s3cr3t');
  });
});

describe('local mode', () => {
  it('runs the simulated fleet alone and writes a kubeconfig', async () => {
    const kubeconfig = join(dir, 'local.kubeconfig');
    const child = spawn(process.execPath, [BIN, 'local', 'fleet', '--port', '0', '--kubeconfig', kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((done) => child.stdout.on('data', () => out.includes('prometheus member3') && done()));
    child.kill('SIGTERM');
    expect(out).toContain('kubeconfig:');
    expect(out).toMatch(/prometheus member1: https:\/\/127\.0\.0\.1:\d+\/prometheus\/member1/);
  });

  it('runs a scripted happy and bad rollout without a browser', () => {
    const env = { REDIS_URL: inject('redisUrl'), ROLLGATE_REDIS_PREFIX: `demo-${randomUUID().slice(0, 8)}` };
    const happy = rollgate(['demo', '--script', 'happy'], env);
    expect(happy.status, happy.stderr).toBe(0);
    expect(happy.stdout).toContain('Gate: promote http-probe-app v2 to member3?');
    expect(happy.stdout).toContain('Rolled out v2 to member1, member2, member3');
    expect(happy.stdout).toMatch(/member3\n(.*\n)*\s+http-probe-app\s+2\/2\s+v2/);
    const bad = rollgate(['demo', '--script', 'bad'], env);
    expect(bad.status, bad.stderr).toBe(0);
    expect(bad.stdout).toContain('rolled back automatically');
  }, 400_000); // two demos of real-time analysis intervals (about a minute each on a busy 2-core box): a hang guard only
});
