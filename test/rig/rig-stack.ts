// The whole rollgate stack against the rig's real API servers: the Slack emulator in this
// process, rollgate as real child processes (a receiver, `serve --no-workers`, and one worker
// that a test may SIGKILL and replace), its kubeconfig the rig's own (every context HTTPS,
// CA-verified). Prometheus and the fleet's objects are the caller's (see traffic-stack.cases.ts).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { stringify } from 'yaml';
import { createRolloutStore } from '../../jobs/store.js';
import { freePort } from '@rollgate/demo';
import { createSlackEmulator, type MessageView } from '@rollgate/slack-emulator';
import { waitFor, type RollgateProcess } from '../e2e/stack.js';
import { RIG_DIR } from './rig.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface RigStackOptions {
  mode: 'karmada' | 'direct';
  clusters: string[];
  prometheusUrl: string;
  /** Complete app entries (apps[] of the config). */
  apps: Record<string, any>[];
}

export async function startRigStack(options: RigStackOptions) {
  const secret = `rig-${randomUUID()}`;
  const prefix = `rig-${randomUUID().slice(0, 8)}`;
  const slack = createSlackEmulator({ signingSecret: secret });
  await slack.listen(0);
  const dir = await mkdtemp(join(tmpdir(), 'rollgate-rig-stack-'));
  const configFile = join(dir, 'rollgate.yaml');
  const fleet: Record<string, any> = {
    mode: options.mode,
    clusters: options.clusters.map((name) => ({ name, context: name, prometheus: { url: options.prometheusUrl } })),
  };
  if (options.mode === 'karmada') fleet.karmada = { context: 'karmada-apiserver' };
  await writeFile(configFile, stringify({ fleet, apps: options.apps }));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLACK_BOT_TOKEN: 'xoxb-local-rollgate',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    REDIS_URL: inject('redisUrl'),
    ROLLGATE_REDIS_PREFIX: prefix,
    ROLLGATE_CONFIG: configFile,
    KUBECONFIG: join(RIG_DIR, 'kubeconfig'),
    ROLLGATE_READY_POLL_MS: '200',
    ROLLGATE_JOB_LOCK_MS: '2000',
    ROLLGATE_RECONCILE_MS: '2000',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
  };
  const processes: RollgateProcess[] = [];
  const spawnRollgate = (...args: string[]): RollgateProcess => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/rollgate.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
    const proc = { child, output: () => text };
    processes.push(proc);
    return proc;
  };
  const receiver = spawnRollgate('serve', '--no-workers');
  const workers = [spawnRollgate('worker')];
  const logs = () => processes.map((p) => p.output()).join('\n---\n');
  await waitFor(`rollgate answering on :${port}`, async () => {
    const dead = processes.find((p) => p.child.exitCode !== null);
    if (dead) throw new Error(`rollgate exited with ${dead.child.exitCode}:\n${logs()}`);
    return (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok;
  });
  slack.setBotUrl(`http://127.0.0.1:${port}/slack/events`);
  const redis = new Redis(inject('redisUrl'));
  const store = createRolloutStore({ redis, prefix });

  const ephemeralsOf = (user: string): string[] => slack.state().ephemerals.filter((e) => e.user === user).map((e) => e.text);
  const api = {
    slack,
    store,
    workers,
    logs,
    ephemeralsOf,
    roots: (): MessageView[] => slack.state().messages.filter((m) => !m.thread_ts),
    channel: (): MessageView[] => slack.state().messages,
    rootOf: (id: string) => api.roots().find((m) => m.text.includes(`Rollout ${id}`)),
    thread: (id: string): MessageView[] => api.rootOf(id)?.replies ?? [],
    openGate: (id: string, clusters: string) => api.thread(id).find((m) => m.text.startsWith('Gate:') && m.text.includes(` to ${clusters}?`)),
    message: (ts: string): MessageView | undefined => slack.state().messages.flatMap((m) => [m, ...m.replies]).find((m) => m.ts === ts),
    click: (user: string, ts: string, actionId: string) => slack.click({ user, ts, action_id: actionId }),
    /** Sends `/rollout text` as `user`; resolves with the new private answer containing `expected`. */
    async say(user: string, text: string, expected: string): Promise<string> {
      const before = ephemeralsOf(user).length;
      await slack.command({ user, text });
      return waitFor(`"${expected}" after /rollout ${text}`, () => ephemeralsOf(user).slice(before).find((t) => t.includes(expected)));
    },
    /** `/rollout start APP VERSION` as U0DEV; the rollout's id. */
    async start(app: string, version: string): Promise<string> {
      const answer = await api.say('U0DEV', `start ${app} ${version}`, 'is queued');
      return /Rollout `([^`]+)`/.exec(answer)?.[1] as string;
    },
    async auditCount(id: string, what: string): Promise<number> {
      return (await store.audit(id)).filter((e) => e.what === what).length;
    },
    /** SIGKILL the worker (no shutdown, its jobs' locks left to expire) and start another. */
    async killWorker(): Promise<void> {
      const worker = workers.at(-1) as RollgateProcess;
      worker.child.kill('SIGKILL');
      if (worker.child.exitCode === null && worker.child.signalCode === null) await new Promise((r) => worker.child.once('exit', r));
      workers.push(spawnRollgate('worker'));
    },
    async stop(): Promise<void> {
      for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
      await Promise.all(processes.map((p) => (p.child.exitCode !== null || p.child.signalCode !== null ? undefined : new Promise((r) => p.child.once('exit', r)))));
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await slack.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return api;
}

export type RigStack = Awaited<ReturnType<typeof startRigStack>>;
