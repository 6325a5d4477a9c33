// What a new user meets first: --help on every command, a busy port, a REDIS_URL that does
// not answer, and a demo killed mid-run (the next one cleans up after it).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { cleanLeftovers, LEFTOVERS_DIR } from '@rollgate/demo';
import { freePort } from '@rollgate/demo';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/rollgate.js');
const clean = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLACK_') && !k.startsWith('ROLLGATE_') && k !== 'REDIS_URL'));
const rollgate = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { env: { ...clean(), ...env }, encoding: 'utf8', timeout: 60_000 });

describe('--help', () => {
  it.each(['serve', 'worker', 'check-config', 'demo', 'local', 'local fleet', 'local slack', ''])('rollgate %s --help prints usage and exits 0, starting nothing', (command) => {
    const result = rollgate([...command.split(' ').filter(Boolean), '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: rollgate/);
    expect(result.stderr).toBe('');
  });
});

async function holdPort(): Promise<{ port: number; close: () => void }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

describe('a busy port', () => {
  it.each(['demo', 'local slack', 'local fleet'])('rollgate %s says so in one line and suggests --port', async (command) => {
    const held = await holdPort();
    try {
      const result = rollgate([...command.split(' '), '--port', String(held.port)]);
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`port ${held.port} is in use`);
      expect(lines[0]).toContain('--port');
    } finally {
      held.close();
    }
  });
});

it('an unreachable REDIS_URL is an error naming it without its password, never a fall-back', async () => {
  const url = `redis://:hunter2@127.0.0.1:${await freePort()}`;
  const result = rollgate(['demo', '--script', 'happy'], { REDIS_URL: url });
  expect(result.status).toBe(1);
  expect(result.stderr.trim()).toMatch(/^REDIS_URL=redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/? does not answer/);
  expect(result.stderr + result.stdout).not.toContain('hunter2');
  expect(result.stdout).toBe(''); // no demo ran against another Redis
});

/** Starts an interactive demo; `running` resolves with the page's URL once it says it runs. */
function startDemo(prefix: string) {
  const child = spawn(process.execPath, [BIN, 'demo', '--port', '0'], { env: { ...clean(), REDIS_URL: inject('redisUrl'), ROLLGATE_REDIS_PREFIX: prefix }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const running = new Promise<string>((resolveUrl, reject) => {
    child.stdout.on('data', () => {
      const url = /Slack emulator: (\S+)/.exec(out)?.[1];
      if (url) resolveUrl(url);
    });
    child.once('exit', (code) => reject(new Error(`demo exited ${code}: ${out}`)));
  });
  return { child, running, exited: new Promise((r) => child.once('exit', r)), output: () => out };
}

it('a demo killed mid-run leaves nothing behind once the next one starts', async () => {
  const redis = new Redis(inject('redisUrl'));
  const [first, second] = [`demo-kill-${process.pid}-a`, `demo-kill-${process.pid}-b`];
  const keys = (prefix: string) => redis.keys(`${prefix}:*`);
  try {
    const killed = startDemo(first);
    const page = await killed.running;
    await fetch(`${page}/_emulator/command`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'U0DEV', text: 'start http-probe-app v2' }) });
    await expect.poll(async () => (await keys(first)).some((k) => k.includes(':rollout:')), { timeout: 30_000 }).toBe(true);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect((await keys(first)).length).toBeGreaterThan(0);
    expect(existsSync(join(LEFTOVERS_DIR, `${killed.child.pid}.json`))).toBe(true);

    const next = startDemo(second);
    await next.running;
    expect(await keys(first)).toEqual([]);
    expect(existsSync(join(LEFTOVERS_DIR, `${killed.child.pid}.json`))).toBe(false);
    // Stopped with Ctrl-C it removes its keys itself; should its shutdown be cut short, the
    // next start (cleanLeftovers) does.
    next.child.kill('SIGINT');
    await next.exited;
    await cleanLeftovers();
    expect(await keys(second)).toEqual([]);
    expect(existsSync(join(LEFTOVERS_DIR, `${next.child.pid}.json`))).toBe(false);
  } finally {
    for (const prefix of [first, second]) {
      const left = await keys(prefix);
      if (left.length > 0) await redis.del(...left);
    }
    redis.disconnect();
  }
});
