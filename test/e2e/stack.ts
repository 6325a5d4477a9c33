// Starts a whole rollgate stack for an end-to-end test: the Slack emulator and the simulated
// fleet in this process, rollgate itself as real child processes talking to them over HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '@rollgate/demo';
import { CA_CERT_PATH, createFleetSimulator } from '@rollgate/fleet-sim';
import { createSlackEmulator, type EmulatedChannel, type MessageView } from '@rollgate/slack-emulator';
import { configDocument } from '../fixtures/config.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Deadlines here only end a hung run: on the shared 2-core box, none is shorter than this. */
const MIN_DEADLINE_MS = 120_000;

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + Math.max(timeoutMs, MIN_DEADLINE_MS);
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function getObject(client: CustomObjectsApi, plural: string, name: string, group: string, version: string): Promise<any | undefined> {
  try {
    return await client.getNamespacedCustomObject({ group, version, namespace: 'default', plural, name });
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

export interface RollgateProcess {
  child: ChildProcess;
  output: () => string;
}

export interface StackOptions {
  mutateConfig?: (doc: Record<string, any>) => void;
  /** 'serve' runs one process with both roles; 'split' runs the receiver and one worker separately. */
  layout?: 'serve' | 'split';
  /** The fleet rollgate drives: through Karmada (default) or each member directly. */
  fleetMode?: 'karmada' | 'direct';
  /** The emulated workspace's channels (default: #rollouts, C0ROLLOUTS). */
  channels?: EmulatedChannel[];
  /** Socket Mode: SLACK_APP_TOKEN set, no signing secret, no Request URL. */
  socketMode?: boolean;
  /** 'serve' layout only: this many `rollgate serve` processes on one Redis, each on its own PORT. */
  replicas?: number;
  /** Extra environment for every rollgate process (e.g. REDIS_SENTINELS). */
  env?: Record<string, string>;
}

export async function startStack(options: StackOptions = {}) {
  const secret = `e2e-${randomUUID()}`;
  const prefix = `e2e-${randomUUID().slice(0, 8)}`;
  const slack = createSlackEmulator({ signingSecret: secret, ...(options.channels ? { channels: options.channels } : {}) });
  await slack.listen(0);
  const fleetMode = options.fleetMode ?? 'karmada';
  const fleet = createFleetSimulator({ readyDelayMs: 150, rolloutStepMs: 60, mode: fleetMode });
  await fleet.listen(0);
  const dir = await mkdtemp(join(tmpdir(), 'rollgate-e2e-'));
  const kubeconfigFile = join(dir, 'kubeconfig');
  await fleet.writeKubeconfig(kubeconfigFile);
  const doc = configDocument();
  for (const cluster of doc.fleet.clusters) cluster.prometheus = { url: fleet.prometheusUrl(cluster.name) };
  if (fleetMode === 'direct') {
    doc.fleet.mode = 'direct';
    delete doc.fleet.karmada;
  }
  Object.assign(doc.apps[0].analysis, { interval: '1s', iterations: 1, failureLimit: 2 });
  options.mutateConfig?.(doc);
  const configFile = join(dir, 'rollgate.yaml');
  await writeFile(configFile, stringify(doc));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLACK_BOT_TOKEN: 'xoxb-local-rollgate',
    ...(options.socketMode ? { SLACK_APP_TOKEN: slack.appToken } : { SLACK_SIGNING_SECRET: secret }),
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    REDIS_URL: inject('redisUrl'),
    ROLLGATE_REDIS_PREFIX: prefix,
    ROLLGATE_CONFIG: configFile,
    KUBECONFIG: kubeconfigFile,
    NODE_EXTRA_CA_CERTS: CA_CERT_PATH,
    ROLLGATE_READY_POLL_MS: '200',
    ROLLGATE_JOB_LOCK_MS: '2000',
    ROLLGATE_RECONCILE_MS: '2000',
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    ...options.env,
  };
  const processes: RollgateProcess[] = [];
  const spawnWithEnv = (childEnv: NodeJS.ProcessEnv, ...args: string[]): RollgateProcess => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/rollgate.js'), ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
    const proc = { child, output: () => text };
    processes.push(proc);
    return proc;
  };
  const spawnRollgate = (...args: string[]) => spawnWithEnv(env, ...args);
  const layout = options.layout ?? 'serve';
  const bot = layout === 'serve' ? spawnRollgate('serve') : spawnRollgate('serve', '--no-workers');
  const workers = layout === 'split' ? [spawnRollgate('worker')] : [];
  const ports = [port];
  const replicas: RollgateProcess[] = [];
  for (let i = 1; i < (options.replicas ?? 1); i += 1) {
    ports.push(await freePort());
    replicas.push(spawnWithEnv({ ...env, PORT: String(ports[i]) }, 'serve'));
  }
  // A loaded 2-core machine can take a while to start three Node processes; a process that
  // exits (a port taken after freePort, say) fails at once with its output.
  const everything = () => processes.map((proc) => proc.output()).join('\n---\n');
  for (const p of ports) {
    const deadline = Date.now() + 45_000;
    while (!(await fetch(`http://127.0.0.1:${p}/healthz`).catch(() => undefined))?.ok) {
      const dead = processes.find((proc) => proc.child.exitCode !== null);
      if (dead) throw new Error(`rollgate exited with ${dead.child.exitCode} before answering on :${p}:\n${everything()}`);
      if (Date.now() > deadline) throw new Error(`rollgate did not answer on :${p} within 45 s:\n${everything()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (options.socketMode) await waitFor(`${ports.length} socket connections\n${bot.output()}`, () => slack.socketConnections().length === ports.length, 20_000);
  else slack.setBotUrl(`http://127.0.0.1:${port}/slack/events`);
  const clientFor = (context: string) => {
    const kube = new KubeConfig();
    kube.loadFromFile(kubeconfigFile);
    kube.setCurrentContext(context);
    return kube.makeApiClient(CustomObjectsApi);
  };
  const karmada = fleetMode === 'karmada' ? clientFor('karmada-apiserver') : clientFor('member1');
  const members = Object.fromEntries(['member1', 'member2', 'member3'].map((m) => [m, clientFor(m)]));
  const redis = new Redis(inject('redisUrl'));
  const steps = new Queue('steps', { connection: new Redis(inject('redisUrl'), { maxRetriesPerRequest: null }), prefix });

  const api = {
    slack,
    fleet,
    karmada,
    port,
    /** Every `serve` process's PORT, the first being `port`. */
    ports,
    prefix,
    /** The signing secret shared by the emulator and rollgate (for hand-signed requests). */
    secret,
    redis,
    bot,
    /** The other `serve` processes when `replicas` > 1. */
    replicas,
    workers,
    spawnWorker: () => {
      const worker = spawnRollgate('worker');
      workers.push(worker);
      return worker;
    },
    command: (user: string, text: string) => slack.command({ user, text }),
    click: (user: string, ts: string, actionId: string) => slack.click({ user, ts, action_id: actionId }),
    /** What the channel shows: root messages and broadcast replies, oldest first. */
    channel: (): MessageView[] => slack.state().messages,
    /** The channel's root messages, newest last. */
    roots: (): MessageView[] => slack.state().messages.filter((m) => !m.thread_ts),
    rootOf: (id: string) => api.roots().find((m) => m.text.includes(`Rollout ${id}`)),
    thread: (id: string): MessageView[] => api.rootOf(id)?.replies ?? [],
    /** The open gate message for these clusters ("member2, member3"), once it is posted. */
    openGate: (id: string, clusters: string) => api.thread(id).find((m) => m.text.startsWith('Gate:') && m.text.includes(` to ${clusters}?`)),
    message: (ts: string): MessageView | undefined => slack.state().messages.flatMap((m) => [m, ...m.replies]).find((m) => m.ts === ts),
    async karmadaObject(plural: string, name: string, group = 'policy.karmada.io', version = 'v1alpha1'): Promise<any | undefined> {
      return getObject(karmada, plural, name, group, version);
    },
    /** A Deployment in one member cluster, read through its own API. */
    memberDeployment: (member: string, name: string) => getObject(members[member]!, 'deployments', name, 'apps', 'v1'),
    /** resourceVersion of every Deployment and pod in a member: equal snapshots mean nothing there changed. */
    memberVersions(member: string): Record<string, string> {
      const state = fleet.state().members[member]!;
      return Object.fromEntries([...state.deployments, ...state.pods].map((o: any) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]));
    },
    deployment: (name: string) => api.karmadaObject('deployments', name, 'apps', 'v1'),
    /** Step jobs of a rollout that are waiting, delayed or running, and its analysis ticks in the tick set (`step:ID.SEQ.tick`). */
    async openJobs(id: string): Promise<string[]> {
      const jobs = await steps.getJobs(['waiting', 'delayed', 'active', 'prioritized', 'waiting-children']);
      const ticks = (await redis.zrange(`${prefix}:ticks`, 0, -1)).filter((tick) => tick.startsWith(`${id}.`));
      return [...jobs.filter((j) => j.data?.rolloutId === id).map((j) => `${j.name}:${j.id}`), ...ticks.map((tick) => `step:${tick}`)];
    },
    async stop() {
      for (const p of processes) p.child.kill('SIGTERM');
      await Promise.all(processes.map((p) => (p.child.exitCode !== null || p.child.signalCode !== null ? undefined : new Promise((r) => p.child.once('exit', r)))));
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await steps.close();
      (await steps.client).disconnect();
      await slack.close();
      await fleet.close();
    },
    logs: () => processes.map((p) => p.output()).join('\n---\n'),
  };
  return api;
}

export type Stack = Awaited<ReturnType<typeof startStack>>;
