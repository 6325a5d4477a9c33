// The binary as an operator meets it: check-config, bad environments, local mode's pieces
// and the scripted demo.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { configDocument } from '../fixtures/config.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/rollgate.js');
const dir = mkdtempSync(join(tmpdir(), 'rollgate-cli-'));

function rollgate(args: string[], env: Record<string, string> = {}, timeout = 120_000) {
  // No kubeconfig of the machine running the tests: HOME is a fresh directory, KUBECONFIG unset unless given.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLACK_') && !k.startsWith('ROLLGATE_') && k !== 'KUBECONFIG'));
  clean.HOME = dir;
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...clean, ...env }, encoding: 'utf8', timeout });
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

  it('prints every problem in one pass, in file order, each with FILE:LINE and a guess where one fits', () => {
    const file = configFile((d) => {
      d.fleet.clusters[0].prometheus.url = 'prometheus.member1:9090';
      d.apps[0].clusters = ['member1', 'member2', 'membr3'];
      d.apps[0].analysis.intervall = d.apps[0].analysis.interval;
      delete d.apps[0].analysis.interval;
      d.apps[0].analysis.metrics = [
        { name: 'request-success-rate', min: 99, max: 50 },
        { name: 'request-success-rate', min: 90 },
        { name: 'request-duration', maxIncrease: 10 },
        { name: 'custom', max: 1, query: 'sum(rate(x{pod=~"{{canaryPod}}"}[{{interval}}]))' },
      ];
    });
    const lines = readFileSync(file, 'utf8').split('\n');
    const lineOf = (text: string, after = 0) => lines.findIndex((l, i) => i >= after && l.includes(text)) + 1;
    const bad = rollgate(['check-config', file]);
    expect(bad.status).toBe(1);
    const printed = bad.stderr.trim().split('\n');
    expect(printed).toEqual([
      `${file}:${lineOf('url: prometheus.member1:9090')}: fleet.clusters[0].prometheus.url: must be an http:// or https:// URL, like http://prometheus.monitoring:9090`,
      `${file}:${lineOf('- membr3')}: apps[0].clusters[2]: "membr3" is not a fleet cluster (member1, member2, member3); did you mean "member3"?`,
      `${file}:${lineOf('max: 50')}: apps[0].analysis.metrics[0].max: max 50 is below min 99: no value could pass; swap them?`,
      `${file}:${lineOf('- name: request-success-rate', lineOf('max: 50'))}: apps[0].analysis.metrics[1].name: metric "request-success-rate" is listed twice; each metric is judged once`,
      `${file}:${lineOf('query:')}: apps[0].analysis.metrics[3].query: unknown variable {{canaryPod}}; did you mean {{canaryPods}}? (known: namespace, deployment, canary, canaryPods, canaryWorkloads, basePods, cluster, interval, weight)`,
      // YAML keeps keys in the order written: the mistyped key was added last.
      `${file}:${lineOf('intervall:')}: apps[0].analysis.intervall: unknown key "intervall"; did you mean "interval"?`,
    ]);
    // maxIncrease: 10 is allowed, as documented.
    expect(bad.stderr).not.toContain('maxIncrease');
  });

  it('checks every kubeconfig context the config names, at once, and says plainly when KUBECONFIG names no file', () => {
    const kubeconfig = join(dir, 'contexts.kubeconfig');
    const context = (name: string) => ({ name, context: { cluster: name, user: 'u' } });
    writeFileSync(kubeconfig, stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: ['karmada-apiserver', 'member1', 'member2'].map((name) => ({ name, cluster: { server: 'https://127.0.0.1:6443' } })),
      users: [{ name: 'u', user: { token: 'not-a-real-token' } }],
      contexts: ['karmada-apiserver', 'member1', 'member2'].map(context),
      'current-context': 'karmada-apiserver',
    }));
    const file = configFile((d) => (d.fleet.clusters[1].context = 'membr2'));
    const lines = readFileSync(file, 'utf8').split('\n');
    const missing = rollgate(['check-config', file], { KUBECONFIG: kubeconfig });
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim().split('\n')).toEqual([
      `${file}:${lines.findIndex((l) => l.includes('context: membr2')) + 1}: fleet.clusters[1].context: kubeconfig has no context "membr2" (it has: karmada-apiserver, member1, member2); did you mean "member2"?`,
      `${file}:${lines.findIndex((l) => l.includes('context: member3')) + 1}: fleet.clusters[2].context: kubeconfig has no context "member3" (it has: karmada-apiserver, member1, member2); did you mean "member1"?`,
    ]);
    expect(missing.stderr).not.toContain('not-a-real-token');

    const nowhere = rollgate(['check-config', configFile()], { KUBECONFIG: '/nonexistent' });
    expect(nowhere.status).toBe(1);
    expect(nowhere.stderr.trim()).toBe("KUBECONFIG: /nonexistent: no such file; point KUBECONFIG at the kubeconfig with the fleet's contexts (or unset it to use ~/.kube/config)");
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

  // A whole demo is a minute on a busy machine: the kill timeout is a hang guard, not a bound.
  const DEMO_GUARD_MS = 300_000;
  const demoEnv = () => ({ REDIS_URL: inject('redisUrl'), ROLLGATE_REDIS_PREFIX: `demo-${randomUUID().slice(0, 8)}` });

  it('runs a scripted happy rollout without a browser', { timeout: DEMO_GUARD_MS + 30_000 }, () => {
    const happy = rollgate(['demo', '--script', 'happy'], demoEnv(), DEMO_GUARD_MS);
    expect(happy.status, happy.stderr).toBe(0);
    expect(happy.stdout).toContain('Gate: promote http-probe-app v2 to member3?');
    expect(happy.stdout).toContain('Rolled out v2 to member1, member2, member3');
    expect(happy.stdout).toMatch(/member3\n(.*\n)*\s+http-probe-app\s+2\/2\s+v2/);
  });

  it('runs a scripted bad rollout without a browser: rolled back automatically', { timeout: DEMO_GUARD_MS + 30_000 }, () => {
    const bad = rollgate(['demo', '--script', 'bad'], demoEnv(), DEMO_GUARD_MS);
    expect(bad.status, bad.stderr).toBe(0);
    expect(bad.stdout).toContain('rolled back automatically');
  });
});
