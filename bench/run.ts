// npm run bench: rollgate measured against local processes only (a private redis-server, the
// lean fleet and Slack stand-ins in this process, rollgate as real child processes), each
// figure beside a floor measured in the same run. Prints a table and writes JSON.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { caPath, createLeanFleet, MEMBERS, type FleetCounts, type FleetWrite } from './lean-fleet.js';
import { createLeanSlack, type GateSeen } from './lean-slack.js';
import { openLoop, post } from './load.js';
import { freePort, killAll, machine, procStats, rollgate, ROOT, start, startRedis, stop, waitHealthy, type Proc } from './procs.js';
import { approveClick, sign, slashCommand } from './slack-requests.js';
import { summarize, type Summary } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    'ack-rates': { type: 'string', default: '20,100,300' },
    'ack-seconds': { type: 'string', default: '8' },
    n: { type: 'string', default: '100,300,1000' },
    'workers-n': { type: 'string', default: '300' },
    seconds: { type: 'string', default: '25' },
    interval: { type: 'string', default: '10' },
    'click-n': { type: 'string', default: '0,100,1000' },
    'probe-seconds': { type: 'string', default: '20' },
    only: { type: 'string', default: 'ack,click,scale' },
    'cpu-prof': { type: 'boolean', default: false },
    /** Extra node flags for every rollgate process, e.g. '--max-semi-space-size=4' (space-separated). */
    'node-args': { type: 'string', default: '' },
    /** A V8 heap snapshot of every rollgate process when idle and at the end of each scale window (bench/heap-top.ts reads them). */
    'heap-snapshot': { type: 'boolean', default: false },
    /** Record every Redis command of the first scale window (MONITOR), grouped by command and key shape. */
    monitor: { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'bench/results/latest.json') },
  },
});
const list = (text: string) => text.split(',').filter(Boolean).map(Number);
const ACK_RATES = list(flags['ack-rates']);
const ACK_SECONDS = Number(flags['ack-seconds']);
const SCALE_N = list(flags.n);
const WORKERS_N = list(flags['workers-n']);
const SECONDS = Number(flags.seconds);
/** Seconds of each scale window under MONITOR (to tell commands sent from commands run in scripts), unless --monitor. */
const MONITOR_S = 5;
const INTERVAL_S = Number(flags.interval);
const CLICK_N = list(flags['click-n']);
const PROBE_SECONDS = Number(flags['probe-seconds']);
const ONLY = new Set(flags.only.split(','));
const PROBE_APPS = 40;
const PROBES_AT_ONCE = 8;
const PROBE_STAGGER_MS = 450;
const PREFIX = 'bench';
const REQUESTER = 'U0DEV';
const APPROVER = 'U0LEAD';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (text: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

const secret = `bench-${randomUUID()}`;
const fleet = createLeanFleet();
const slack = createLeanSlack();
const dir = mkdtempSync(join(tmpdir(), 'rollgate-bench-'));
const httpsAgent = new https.Agent({ keepAlive: true, ca: readFileSync(caPath) });

interface App {
  name: string;
  channel: string;
  intervalS: number;
  iterations: number;
}

const bgApps = (n: number): App[] => Array.from({ length: n }, (_, i) => ({ name: `bg-${i}`, channel: `C0BG${i}`, intervalS: INTERVAL_S, iterations: 100_000 }));
const probeApps = (): App[] => Array.from({ length: PROBE_APPS }, (_, i) => ({ name: `probe-${i}`, channel: `C0PROBE${i}`, intervalS: 1, iterations: 1 }));

function configFile(apps: App[]): string {
  const doc = {
    fleet: {
      mode: 'karmada',
      karmada: { context: 'karmada-apiserver' },
      clusters: MEMBERS.map((name) => ({ name, context: name, prometheus: { url: fleet.prometheusUrl(name), timeout: '10s' } })),
    },
    apps: apps.map((a) => ({
      name: a.name,
      namespace: 'default',
      deployment: a.name,
      container: a.name,
      version: { env: 'ROLLOUT_LABEL' },
      channel: a.channel,
      clusters: [...MEMBERS],
      strategy: 'per-cluster',
      canary: { replicas: 1 },
      analysis: {
        interval: `${a.intervalS}s`,
        iterations: a.iterations,
        failureLimit: 2,
        metrics: [{ name: 'request-success-rate', min: 99 }, { name: 'request-duration', max: 500 }, { name: 'pod-restarts', max: 0 }],
      },
    })),
  };
  const file = join(dir, `rollgate-${apps.length}.yaml`);
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

interface Stack {
  port: number;
  /** Where each rollgate process serves /metrics: serve's port, then each worker's. */
  metricsPorts: number[];
  redis: Redis;
  redisProc: Proc;
  procs: Proc[];
  stop(): Promise<void>;
}

async function startStack(apps: App[], workers: number): Promise<Stack> {
  fleet.reset();
  slack.reset();
  gates.clear();
  for (const app of apps) fleet.seedApp(app.name);
  const { proc: redisProc, url } = await startRedis();
  const port = await freePort();
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, fleet.kubeconfig());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    REDIS_URL: url,
    ROLLGATE_REDIS_PREFIX: PREFIX,
    ROLLGATE_CONFIG: configFile(apps),
    KUBECONFIG: kubeconfig,
    NODE_EXTRA_CA_CERTS: caPath,
    ROLLGATE_READY_POLL_MS: '200',
    LOG_LEVEL: 'warn',
  };
  const profiles = join(ROOT, 'bench/results/profiles');
  const cpuProfile = (role: string) => (flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`, `--cpu-prof-name=${role}-${apps.length}-${Date.now()}.cpuprofile`] : []);
  const heapSnapshots = flags['heap-snapshot'] ? ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${profiles}`] : [];
  if (flags['cpu-prof'] || flags['heap-snapshot']) mkdirSync(profiles, { recursive: true });
  const profile = (role: string) => [...flags['node-args'].split(' ').filter(Boolean), ...cpuProfile(role), ...heapSnapshots];
  const procs = [rollgate('serve', env, profile('serve'))];
  const metricsPorts = [port];
  for (let i = 0; i < workers; i++) {
    const workerPort = await freePort();
    metricsPorts.push(workerPort);
    procs.push(rollgate('worker', { ...env, ROLLGATE_WORKER_PORT: String(workerPort) }, profile(`worker${i}`)));
  }
  await waitHealthy(port, procs);
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  return {
    port,
    metricsPorts,
    redis,
    redisProc,
    procs,
    async stop() {
      if (process.env.BENCH_SHOW_LOGS) for (const p of procs) process.stderr.write(`--- ${p.name}\n${p.output().slice(-3000)}\n`);
      for (const p of procs) await stop(p, flags['cpu-prof'] ? 60_000 : 5000);
      redis.disconnect();
      await stop(redisProc);
    },
  };
}

const eventsUrl = (stack: Stack) => `http://127.0.0.1:${stack.port}/slack/events`;

// ---------------------------------------------------------------- ack

interface AckRow {
  rate: number;
  rollgate: Summary & { errors: number; non200: number };
  floor: Summary & { errors: number };
  p99Ratio: number;
}

async function ackBench(stack: Stack): Promise<AckRow[]> {
  const floorProc = start('floor', process.execPath, [join(ROOT, 'dist/bench/floor-server.js'), secret]);
  for (let i = 0; i < 100 && !floorProc.output().trim(); i++) await sleep(50);
  const floorUrl = `http://127.0.0.1:${floorProc.output().trim()}/slack/events`;
  const request = () => sign(secret, slashCommand({ text: 'list', user: REQUESTER, responseUrl: slack.responseUrl('ack') }));
  const rows: AckRow[] = [];
  try {
    // Warm both (JIT, connections) before measuring.
    await openLoop({ url: floorUrl, rate: 50, seconds: 1, request });
    await openLoop({ url: eventsUrl(stack), rate: 50, seconds: 1, request });
    for (const rate of ACK_RATES) {
      const floor = await openLoop({ url: floorUrl, rate, seconds: ACK_SECONDS, request });
      await sleep(500);
      const ours = await openLoop({ url: eventsUrl(stack), rate, seconds: ACK_SECONDS, request });
      const f = summarize(floor.latencies);
      const r = summarize(ours.latencies);
      const non200 = Object.entries(ours.statuses).reduce((n, [code, c]) => (code === '200' ? n : n + c), 0);
      rows.push({ rate, rollgate: { ...r, errors: ours.errors, non200 }, floor: { ...f, errors: floor.errors }, p99Ratio: round(r.p99 / f.p99) });
      log(`ack ${rate}/s: rollgate p50 ${r.p50} p99 ${r.p99} max ${r.max} ms; floor p50 ${f.p50} p99 ${f.p99} max ${f.max} ms`);
      await sleep(1000);
    }
  } finally {
    await stop(floorProc);
  }
  return rows;
}

// ---------------------------------------------------------------- click -> write, start -> canary

function waitWrite(match: (w: FleetWrite) => boolean, timeoutMs: number): Promise<FleetWrite | undefined> {
  return new Promise((resolve) => {
    const onWrite = (w: FleetWrite) => {
      if (!match(w)) return;
      done(w);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    const done = (w: FleetWrite | undefined) => {
      clearTimeout(timer);
      fleet.events.off('write', onWrite);
      resolve(w);
    };
    fleet.events.on('write', onWrite);
  });
}

const gates = new Map<string, GateSeen>();
slack.events.on('gate', (g: GateSeen) => gates.set(`${g.channel}/${g.stage}`, g));

async function waitGate(channel: string, stage: number, timeoutMs: number): Promise<GateSeen | undefined> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const g = gates.get(`${channel}/${stage}`);
    if (g) return g;
    await sleep(5);
  }
  return undefined;
}

interface ProbeResult {
  active: number;
  startToCanary: Summary;
  clickToWrite: Summary;
  floor: Summary;
  p99Ratio: number;
  failures: number;
  /** Each rollgate process's event-loop delay while the probes ran, [p99, max] ms. */
  eventLoopLagMs: number[][];
}

async function writeFloor(stack: Stack, samples: number): Promise<Summary> {
  const name = 'floor-override';
  fleet.objects.set(`karmada/overridepolicies/default/${name}`, { apiVersion: 'policy.karmada.io/v1alpha1', kind: 'OverridePolicy', metadata: { name, namespace: 'default' }, spec: { n: 0 } });
  const patch = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify([{ op: 'replace', path: '/spec/n', value: n }]);
      const url = new URL(`${fleet.url}/karmada/apis/policy.karmada.io/v1alpha1/namespaces/default/overridepolicies/${name}`);
      const request = https.request(url, { method: 'PATCH', agent: httpsAgent, headers: { 'content-type': 'application/json-patch+json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer bench' } }, (response) => {
        response.resume();
        response.on('end', () => resolve());
      });
      request.on('error', reject);
      request.end(body);
    });
  const latencies: number[] = [];
  for (let i = 0; i < samples + 10; i++) {
    const t = performance.now();
    await stack.redis.get(`${PREFIX}:floor`);
    await patch(i);
    if (i >= 10) latencies.push(performance.now() - t);
  }
  return summarize(latencies);
}

/**
 * A click's path through BullMQ, in ms from when it was sent: its input job added (queued),
 * taken by a worker (inputPicked, after the "Approving…" hold is released) and done, then the
 * promote step job it led to added and taken. The latest jobs of the rollout are the click's.
 */
async function clickTrace(stack: Stack, rolloutId: string, clickedAt: number): Promise<Record<string, number> | undefined> {
  const ids = (await stack.redis.keys(`${PREFIX}:steps:${rolloutId}.*`)).filter((k) => !k.endsWith(':lock') && !k.endsWith(':logs'));
  const jobs = await Promise.all(ids.map(async (key) => ({ key, fields: await stack.redis.hmget(key, 'timestamp', 'processedOn', 'finishedOn') })));
  const latest = (suffix: RegExp) => jobs.filter((j) => suffix.test(j.key)).map((j) => j.fields.map(Number) as [number, number, number]).sort((a, b) => b[0] - a[0])[0];
  const input = latest(/\.in\.[^:]+$/);
  const step = latest(/\.\d+\.promote$/);
  if (!input || !step) return undefined;
  return { queued: input[0] - clickedAt, inputPicked: input[1] - clickedAt, inputDone: input[2] - clickedAt, stepQueued: step[0] - clickedAt, stepPicked: step[1] - clickedAt };
}

/** The gate message's ts as the notifier recorded it (jobs/keys.ts `messages`), once it has. */
async function gateTs(stack: Stack, rolloutId: string, stage: number): Promise<string | undefined> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const ts = await stack.redis.hget(`${PREFIX}:rollout:${rolloutId}:messages`, `gate-${stage}`);
    if (ts) return ts;
    await sleep(5);
  }
  return undefined;
}

async function probeBench(stack: Stack, background: number): Promise<ProbeResult> {
  const startSamples: number[] = [];
  const clickSamples: number[] = [];
  let failures = 0;
  let next = 0;
  const agent = new http.Agent({ keepAlive: true });
  await eventLoopLag(stack.metricsPorts); // from here
  const deadline = performance.now() + PROBE_SECONDS * 1000;
  const traces: Record<string, number>[] = [];
  const failed = (why: string) => {
    failures++;
    log(`probe failed: ${why}`);
  };
  const one = async (index: number) => {
    const app = `probe-${index}`;
    const channel = `C0PROBE${index}`;
    const canary = waitWrite((w) => w.plural === 'propagationpolicies' && w.name === `${app}-canary-propagation`, 30_000);
    const sent = performance.now();
    await post(eventsUrl(stack), sign(secret, slashCommand({ text: `start ${app} v2`, user: REQUESTER, channel, responseUrl: slack.responseUrl(app) })), agent);
    const written = await canary;
    if (!written) return failed(`${app}: no canary written within 30 s`);
    startSamples.push(written.at - sent);
    if (process.env.BENCH_DEBUG) {
      const sentAt = Date.now() - (performance.now() - sent);
      const keys = (await stack.redis.keys(`${PREFIX}:steps:${app}-*`)).filter((k) => !k.endsWith(':lock') && !k.endsWith(':logs'));
      const rows = await Promise.all(keys.map(async (k) => [k.slice(PREFIX.length), ...(await stack.redis.hmget(k, 'timestamp', 'delay', 'processedOn', 'finishedOn')).map((v) => (v ? Number(v) - sentAt : v))]));
      log(`${app} start->canary ${Math.round(written.at - sent)} ms; jobs (ms from the command: added, delay, taken, done): ${JSON.stringify(rows)}`);
    }
    for (let stage = 1; stage <= MEMBERS.length; stage++) {
      const gateWait = performance.now();
      const gate = await waitGate(channel, stage, 30_000);
      if (process.env.BENCH_DEBUG) log(`${app} gate ${stage} after ${Math.round(performance.now() - gateWait)} ms`);
      if (!gate) return failed(`${app}: gate ${stage} not posted within 30 s (Slack calls so far: ${JSON.stringify(slack.calls())})`);
      // A click must come from the gate's own message (its ts, as the notifier recorded it once
      // Slack answered the post): a person clicks a gate that is on screen, never one in flight.
      const ts = await gateTs(stack, gate.rolloutId, stage);
      if (!ts) return failed(`${app}: gate ${stage} posted, its ts not recorded within 30 s`);
      const write = waitWrite((w) => w.plural === 'overridepolicies' && w.name === `${app}-promote-override` && w.verb !== 'DELETE', 30_000);
      const clicked = performance.now();
      const clickedAt = Date.now();
      await post(eventsUrl(stack), sign(secret, approveClick({ rolloutId: gate.rolloutId, stage, user: APPROVER, channel, ts, responseUrl: slack.responseUrl(app) })), agent);
      const promoted = await write;
      if (!promoted) return failed(`${app}: gate ${stage} approved, no OverridePolicy written within 30 s`);
      clickSamples.push(promoted.at - clicked);
      const trace = await clickTrace(stack, gate.rolloutId, clickedAt);
      if (trace) traces.push({ ...trace, written: promoted.at - clicked });
    }
  };
  // Lanes start a little apart, as people do: eight gates clicked in the same millisecond would
  // measure a burst of clicks, not a click beside the background.
  const lane = async (index: number) => {
    await sleep(index * PROBE_STAGGER_MS);
    while (performance.now() < deadline && next < PROBE_APPS) await one(next++);
  };
  await Promise.all(Array.from({ length: PROBES_AT_ONCE }, (_, i) => lane(i)));
  const lagMs = await eventLoopLag(stack.metricsPorts);
  agent.destroy();
  const floor = await writeFloor(stack, 200);
  const click = summarize(clickSamples);
  // Where a click's time goes, each phase's p50 in ms from the click (BullMQ's job records: ms resolution, Redis clock = this machine's).
  const phases = Object.fromEntries(['queued', 'inputPicked', 'inputDone', 'stepQueued', 'stepPicked', 'written'].map((k) => [k, summarize(traces.map((t) => t[k] ?? NaN).filter(Number.isFinite)).p50]));
  const result = { active: background + PROBES_AT_ONCE, startToCanary: summarize(startSamples), clickToWrite: click, clickPhasesP50: phases, floor, p99Ratio: round(click.p99 / floor.p99), failures, eventLoopLagMs: lagMs };
  log(`probes with ${background} background rollouts: start->canary p50 ${result.startToCanary.p50} p99 ${result.startToCanary.p99}; click->write p50 ${click.p50} p99 ${click.p99} (n ${click.n}); floor p50 ${floor.p50} p99 ${floor.p99}; failures ${failures}; event-loop delay p99/max ${lagMs.map((l) => l.join('/')).join(' + ')} ms`);
  log(`click phases, p50 ms from the click: ${JSON.stringify(phases)}`);
  if (process.env.BENCH_DEBUG) log(`slowest clicks, phases in ms: ${JSON.stringify([...traces].sort((a, b) => (b.written ?? 0) - (a.written ?? 0)).slice(0, 6))}`);
  return result;
}

// ---------------------------------------------------------------- scale

async function commandStats(redis: Redis): Promise<Record<string, number>> {
  const info = await redis.info('commandstats');
  const out: Record<string, number> = {};
  for (const m of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) out[m[1] as string] = Number(m[2]);
  return out;
}

async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
  return get('used_cpu_sys') + get('used_cpu_user');
}

const diff = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => Object.fromEntries(Object.keys(b).map((k) => [k, (b[k] ?? 0) - (a[k] ?? 0)]).filter(([, v]) => (v as number) > 0));
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

interface ScaleRow {
  n: number;
  layout: string;
  rolloutIntervals: number;
  tickLateness: Summary;
  stepMs: Summary;
  ticksSeen: number;
  summariesPerExpected: number;
  rssMiB: number[];
  /** Each process's RSS after start, before any rollout. */
  idleRssMiB: number[];
  /** Each process's median RSS over the window's 1 s samples. */
  rssP50MiB: number[];
  cpuPercent: number[];
  redisCpuPercent: number;
  benchCpuPercent: number;
  /** redis: commands Redis ran, those inside Lua scripts included; redisSent: commands rollgate sent (round trips' worth; from MONITOR). */
  perRolloutInterval: { redis: number; redisSent: number; kubeRequests: number; kubeReadsPerCluster: number; prometheus: number; slack: number; tlsHandshakes: number };
  /** The same per analysis tick actually done (ticks late or missing do not dilute it). */
  perTick: { cpuMs: number; redis: number; kubeRequests: number; prometheus: number; slack: number };
  redisTop: Record<string, number>;
  kube: Record<string, number>;
  slackCalls: Record<string, number>;
  probes?: ProbeResult;
  redisByKey?: Record<string, number>;
  /** Each process's event-loop delay over the window, [p99, max] ms. */
  eventLoopLagMs: number[][];
}

/** MONITOR on its own connection: commands counted by name and key with ids and numbers masked. */
async function monitorRedis(redis: Redis): Promise<{ stop(): Promise<Record<string, number>> }> {
  const counts: Record<string, number> = {};
  // A plain socket: ioredis's monitor() can parse a burst of monitored lines as the reply to its
  // own ready check and throw "Command queue state error" (seen at N = 300).
  const monitor = net.connect(redis.options.port ?? 6379, redis.options.host ?? '127.0.0.1');
  let buffered = '';
  monitor.setEncoding('latin1');
  monitor.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\r\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^\+[\d.]+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
      if (match) count([...(match[2] as string).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] as string), match[1] as string);
    }
  });
  monitor.write('MONITOR\r\n');
  const count = (args: string[], source: string) => {
    const [name = '', key = ''] = args;
    const shape = key.replace(/bg-\d+-\d+/g, 'ID').replace(/probe-\d+-\d+/g, 'ID').replace(/\.\d+\./g, '.SEQ.').replace(/\d+/g, 'N');
    const k = `${name.toLowerCase()} ${shape}${source.includes('lua') ? ' (in Lua)' : ''}`;
    counts[k] = (counts[k] ?? 0) + 1;
  };
  return {
    async stop() {
      monitor.end();
      return counts;
    },
  };
}

async function startBackground(stack: Stack, n: number): Promise<void> {
  const seen = new Set<string>();
  const onWrite = (w: FleetWrite) => {
    if (w.plural === 'propagationpolicies' && w.name.startsWith('bg-')) seen.add(w.name);
  };
  fleet.events.on('write', onWrite);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  // Spread over one interval, as a fleet that has been running a while has its ticks spread.
  const spacing = (INTERVAL_S * 1000) / Math.max(1, n);
  const t0 = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const wait = t0 + i * spacing - performance.now();
    if (wait > 0) await sleep(wait);
    sends.push(post(eventsUrl(stack), sign(secret, slashCommand({ text: `start bg-${i} v2`, user: REQUESTER, channel: `C0BG${i}`, responseUrl: slack.responseUrl(`bg-${i}`) })), agent).catch(() => 0));
  }
  await Promise.all(sends);
  agent.destroy();
  // Bounded: a run whose rollouts cannot even start in time reports how many did.
  const deadline = performance.now() + 90_000;
  while (seen.size < n && performance.now() < deadline) await sleep(200);
  fleet.events.off('write', onWrite);
  log(`${seen.size}/${n} background rollouts have canaries after ${round((performance.now() - t0) / 1000)} s`);
}

/** --heap-snapshot: every rollgate process writes one (SIGUSR2) into bench/results/profiles/; waits until each file is complete. */
async function heapSnapshot(stack: Stack, when: string): Promise<void> {
  if (!flags['heap-snapshot']) return;
  const dir = join(ROOT, 'bench/results/profiles');
  const before = new Set(readdirSync(dir));
  for (const p of stack.procs) p.child.kill('SIGUSR2');
  const deadline = Date.now() + 120_000;
  // A snapshot is written in one go while the process is paused; it is complete once its size stops changing.
  let sizes = '';
  for (;;) {
    await sleep(1000);
    const fresh = readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot') && !before.has(f));
    const now = fresh.map((f) => `${f}:${statSync(join(dir, f)).size}`).join(',');
    if ((fresh.length >= stack.procs.length && now === sizes) || Date.now() > deadline) {
      log(`heap snapshots (${when}): ${fresh.map((f) => join(dir, f)).join(' ')}`);
      return;
    }
    sizes = now;
  }
}

/** Histogram buckets (upper bound in s -> cumulative count) of one series, summed over every process's /metrics. */
type Buckets = Map<number, number>;
async function scrapeHistograms(ports: number[]): Promise<{ lateness: Buckets; tickSteps: Buckets }> {
  const lateness: Buckets = new Map();
  const tickSteps: Buckets = new Map();
  for (const port of ports) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text().catch(() => '');
    for (const line of text.split('\n')) {
      const m = /^(rollgate_tick_lateness_seconds_bucket|rollgate_step_duration_seconds_bucket)\{([^}]*)\} (\S+)$/.exec(line);
      if (!m) continue;
      const labels = Object.fromEntries([...(m[2] as string).matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
      const target = m[1] === 'rollgate_tick_lateness_seconds_bucket' ? lateness : labels.step === 'tick' ? tickSteps : undefined;
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      target?.set(le, (target.get(le) ?? 0) + Number(m[3]));
    }
  }
  return { lateness, tickSteps };
}

/**
 * Each process's event-loop delay since the previous scrape of its /metrics (prom-client resets
 * it at every scrape), [p99, max] in ms: how long work waited for the process, whatever it was.
 */
async function eventLoopLag(ports: number[]): Promise<number[][]> {
  return Promise.all(
    ports.map(async (port) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text().catch(() => '');
      const read = (name: string) => round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000, 1);
      return [read('nodejs_eventloop_lag_p99_seconds'), read('nodejs_eventloop_lag_max_seconds')];
    }),
  );
}

/** p50/p99/max (ms) of what a histogram counted between two scrapes, interpolated within buckets as Prometheus's histogram_quantile does. */
function bucketSummary(before: Buckets, after: Buckets): Summary {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const n = counts.at(-1) ?? 0;
  const quantile = (q: number) => {
    if (n === 0) return NaN;
    const rank = q * n;
    const i = counts.findIndex((c) => c >= rank);
    const upper = bounds[i] as number;
    const lower = i > 0 ? (bounds[i - 1] as number) : 0;
    if (!Number.isFinite(upper)) return lower * 1000;
    const below = i > 0 ? (counts[i - 1] as number) : 0;
    const inBucket = (counts[i] as number) - below;
    return (lower + (upper - lower) * (inBucket > 0 ? (rank - below) / inBucket : 1)) * 1000;
  };
  const top = counts.findIndex((c) => c >= n);
  const round = (x: number) => Math.round(x * 10) / 10;
  return { n, p50: round(quantile(0.5)), p99: round(quantile(0.99)), max: round((bounds[top] ?? NaN) * 1000) };
}

async function scaleRun(n: number, workers: number, withProbes: boolean): Promise<ScaleRow> {
  const layout = workers ? `serve + ${workers} workers` : 'serve';
  log(`scale: ${n} rollouts x ${MEMBERS.length} clusters, ${layout}`);
  const stack = await startStack([...bgApps(n), ...probeApps()], workers);
  try {
    await sleep(2000); // past the start's own allocations
    const idleRss = stack.procs.map((p) => round(procStats(p.child.pid).rssMiB));
    await heapSnapshot(stack, 'idle');
    await startBackground(stack, n);
    await sleep(INTERVAL_S * 1000 + 2000); // every rollout has ticked at least once
    const pids = [...stack.procs.map((p) => p.child.pid)];
    const before = {
      wall: Date.now(),
      commands: await commandStats(stack.redis),
      redisCpu: await redisCpu(stack.redis),
      fleet: fleet.counts(),
      slack: slack.calls(),
      posts: bgApps(n).reduce((s, a) => s + slack.posts(a.channel), 0),
      cpu: pids.map((pid) => procStats(pid).cpuSec),
      bench: process.cpuUsage(),
    };
    const histogramsBefore = await scrapeHistograms(stack.metricsPorts);
    // MONITOR tells the commands rollgate sent from those Redis ran inside its scripts (INFO counts
    // both alike). It costs Redis a little: over the first MONITOR_S seconds of the window only,
    // unless --monitor asks for all of it (and for the breakdown by key, printed).
    const monitor = await monitorRedis(stack.redis);
    const monitorEnds = Date.now() + (flags.monitor ? SECONDS : Math.min(SECONDS, MONITOR_S)) * 1000;
    let monitored: Record<string, number> | undefined;
    const rss = pids.map(() => 0);
    // Peak RSS swings with when V8 happens to collect (the live heap at N=300 is ~60 MiB); the median of the 1 s samples is steadier.
    const rssSamples: number[][] = pids.map(() => []);
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end) {
      if (!monitored && Date.now() >= monitorEnds) {
        monitored = await monitor.stop();
      }
      pids.forEach((pid, i) => {
        const now = procStats(pid).rssMiB;
        rss[i] = Math.max(rss[i] as number, now);
        rssSamples[i]?.push(now);
      });
      await sleep(1000);
    }
    const elapsedS = (Date.now() - before.wall) / 1000;
    if (!monitored) {
      monitored = await monitor.stop();
    }
    const allMonitored = sum(monitored);
    const sentShare = allMonitored > 0 ? sum(Object.fromEntries(Object.entries(monitored).filter(([k]) => !k.endsWith(' (in Lua)')))) / allMonitored : 0;
    const commands = diff(before.commands, await commandStats(stack.redis));
    const redisCpuS = (await redisCpu(stack.redis)) - before.redisCpu;
    const fleetAfter: FleetCounts = fleet.counts();
    const kube = diff(before.fleet.requests, fleetAfter.requests);
    const slackCalls = diff(before.slack, slack.calls());
    const posts = bgApps(n).reduce((s, a) => s + slack.posts(a.channel), 0) - before.posts;
    const cpu = pids.map((pid, i) => round(((procStats(pid).cpuSec - (before.cpu[i] as number)) / elapsedS) * 100));
    const benchCpu = process.cpuUsage(before.bench);
    // Ticks are not BullMQ jobs any more (jobs/tick-set.ts): their lateness and duration come
    // from rollgate's /metrics histograms (to the bucket, interpolated), their count exactly.
    const lagMs = await eventLoopLag(stack.metricsPorts);
    const histogramsAfter = await scrapeHistograms(stack.metricsPorts);
    const tickLateness = bucketSummary(histogramsBefore.lateness, histogramsAfter.lateness);
    const stepMs = bucketSummary(histogramsBefore.tickSteps, histogramsAfter.tickSteps);
    const ticksDone = tickLateness.n;
    const intervals = (n * elapsedS) / INTERVAL_S;
    const prom = kube['prom query'] ?? 0;
    const kubeTotal = sum(kube) - prom;
    const kubeReads = Object.entries(kube).filter(([k]) => / (GET|LIST) /.test(k)).reduce((s, [, v]) => s + v, 0);
    const slackTotal = sum(slackCalls) - (slackCalls['response_url'] ?? 0);
    const row: ScaleRow = {
      n,
      layout,
      rolloutIntervals: round(intervals),
      tickLateness,
      stepMs,
      ticksSeen: ticksDone,
      summariesPerExpected: round(posts / intervals, 2),
      rssMiB: rss.map((r) => round(r)),
      idleRssMiB: idleRss,
      rssP50MiB: rssSamples.map((samples) => round(summarize(samples).p50)),
      cpuPercent: cpu,
      redisCpuPercent: round((redisCpuS / elapsedS) * 100),
      benchCpuPercent: round(((benchCpu.user + benchCpu.system) / 1e6 / elapsedS) * 100),
      perRolloutInterval: {
        redis: round(sum(commands) / intervals),
        redisSent: round((sum(commands) * sentShare) / intervals),
        kubeRequests: round(kubeTotal / intervals, 2),
        kubeReadsPerCluster: round(kubeReads / intervals / MEMBERS.length, 2),
        prometheus: round(prom / intervals, 2),
        slack: round(slackTotal / intervals, 2),
        tlsHandshakes: round((fleetAfter.tlsHandshakes - before.fleet.tlsHandshakes) / intervals, 3),
      },
      perTick: {
        // CPU of every rollgate process per tick done: the machine-independent cost of a tick (all steps included).
        cpuMs: round((cpu.reduce((a, b) => a + b, 0) / 100) * elapsedS * 1000 / Math.max(1, ticksDone), 2),
        redis: round(sum(commands) / Math.max(1, ticksDone)),
        kubeRequests: round(kubeTotal / Math.max(1, ticksDone), 2),
        prometheus: round(prom / Math.max(1, ticksDone), 2),
        slack: round(slackTotal / Math.max(1, ticksDone), 2),
      },
      redisTop: Object.fromEntries(Object.entries(commands).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => [k, round(v / intervals, 2)])),
      kube: Object.fromEntries(Object.entries(kube).map(([k, v]) => [k, round(v / intervals, 2)])),
      slackCalls: Object.fromEntries(Object.entries(slackCalls).map(([k, v]) => [k, round(v / intervals, 2)])),
      eventLoopLagMs: lagMs,
    };
    log(
      `N=${n} ${layout}: lateness p50 ${row.tickLateness.p50} p99 ${row.tickLateness.p99} ms (${row.ticksSeen} ticks), step p50 ${row.stepMs.p50} ms, RSS ${row.rssMiB.join('+')} MiB (p50 ${row.rssP50MiB.join('+')}, idle ${row.idleRssMiB.join('+')}), CPU ${row.cpuPercent.join("+")} %, event-loop delay p99/max ${row.eventLoopLagMs.map((l) => l.join('/')).join(' + ')} ms, redis ${row.redisCpuPercent} %, bench ${row.benchCpuPercent} %; per rollout-interval: ${JSON.stringify(row.perRolloutInterval)}; per tick done: ${JSON.stringify(row.perTick)}`,
    );
    if (flags.monitor) {
      row.redisByKey = Object.fromEntries(Object.entries(monitored).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / Math.max(1, ticksDone), 2)]));
      log(`Redis commands per tick done, by command and key:\n${Object.entries(row.redisByKey).map(([k, v]) => `  ${v}  ${k}`).join('\n')}`);
    }
    await heapSnapshot(stack, `N=${n}`);
    if (withProbes) row.probes = await probeBench(stack, n);
    return row;
  } finally {
    await stack.stop();
  }
}

// ---------------------------------------------------------------- report

function saturation(rows: ScaleRow[]): { firstLateN: number | null; saturates: string } {
  const late = rows.filter((r) => r.layout === 'serve' && r.tickLateness.p99 > 1000).sort((a, b) => a.n - b.n)[0];
  const worst = [...rows].filter((r) => r.layout === 'serve').sort((a, b) => b.n - a.n)[0];
  if (!worst) return { firstLateN: null, saturates: 'n/a' };
  const busiest = Math.max(...worst.cpuPercent);
  // Concurrency: 8 jobs at a time per process; a tick occupies a slot for its step time.
  const slots = (worst.n / INTERVAL_S) * (worst.stepMs.p50 / 1000);
  let what: string;
  if (busiest > 85) what = `rollgate's event loop (one process at ${busiest} % of a core)`;
  else if (worst.redisCpuPercent > 85) what = `Redis (${worst.redisCpuPercent} % of a core)`;
  else if (slots > 8 * 0.8) what = `worker concurrency (${round(slots)} of 8 job slots busy on average)`;
  else if (worst.benchCpuPercent > 85) what = `the benchmark's own stand-ins (${worst.benchCpuPercent} % of a core): the figures are a lower bound`;
  else what = `nothing at N=${worst.n}: busiest process ${busiest} % of a core, Redis ${worst.redisCpuPercent} %`;
  // On a shared machine the scheduler gives this whole run (rollgate, Redis, the stand-ins) a
  // share of the cores; when that share is small, "idle" processes are in fact starved.
  const whole = round(worst.cpuPercent.reduce((a, b) => a + b, 0) + worst.redisCpuPercent + worst.benchCpuPercent);
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  return { firstLateN: late?.n ?? null, saturates: `${what}; the whole run had ${whole} % of a core at N=${worst.n}, load average now ${load}` };
}

function table(result: Record<string, any>): string {
  const lines: string[] = [];
  const ms = (x: number) => (Number.isFinite(x) ? `${x}` : '-');
  if (result.ack?.length) {
    lines.push('Ack (open loop, signed /rollout list)  ms', '| rate | rollgate p50 | p99 | max | floor p50 | p99 | max | p99 ratio |', '|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of result.ack as AckRow[]) lines.push(`| ${r.rate}/s | ${ms(r.rollgate.p50)} | ${ms(r.rollgate.p99)} | ${ms(r.rollgate.max)} | ${ms(r.floor.p50)} | ${ms(r.floor.p99)} | ${ms(r.floor.max)} | ${r.p99Ratio}× |`);
    lines.push('');
  }
  const probes: ProbeResult[] = [...(result.probes ? [result.probes] : []), ...((result.scale ?? []) as ScaleRow[]).flatMap((r) => (r.probes ? [r.probes] : []))];
  if (probes.length) {
    lines.push('Click -> OverridePolicy written, /rollout start -> canary written  ms', '| rollouts active | click p50 | p99 | floor p50 | p99 | p99 ratio | start p50 | p99 | failures |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const p of probes)
      lines.push(`| ${p.active} | ${ms(p.clickToWrite.p50)} | ${ms(p.clickToWrite.p99)} | ${ms(p.floor.p50)} | ${ms(p.floor.p99)} | ${p.p99Ratio}× | ${ms(p.startToCanary.p50)} | ${ms(p.startToCanary.p99)} | ${p.failures} |`);
    lines.push('');
  }
  if (result.scale?.length) {
    lines.push(
      `Scale (${MEMBERS.length} clusters, ${INTERVAL_S} s interval, ${SECONDS} s window); per rollout-interval: Redis commands run (those inside scripts included) and sent, Kubernetes requests, reads per cluster, Prometheus queries, Slack calls, new TLS handshakes`,
      '| N | layout | lateness p50 | p99 | step p50 | summaries | RSS MiB (idle) | CPU % | Redis CPU % | redis run | sent | kube | reads/cluster | prom | slack | TLS |',
      '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const r of result.scale as ScaleRow[]) {
      const p = r.perRolloutInterval;
      lines.push(
        `| ${r.n} | ${r.layout} | ${ms(r.tickLateness.p50)} | ${ms(r.tickLateness.p99)} | ${ms(r.stepMs.p50)} | ${r.summariesPerExpected} | ${r.rssMiB.join('+')} (${(r.idleRssMiB ?? []).join('+')}) | ${r.cpuPercent.join('+')} | ${r.redisCpuPercent} | ${p.redis} | ${p.redisSent ?? ''} | ${p.kubeRequests} | ${p.kubeReadsPerCluster} | ${p.prometheus} | ${p.slack} | ${p.tlsHandshakes} |`,
      );
    }
    lines.push('', `Tick lateness p99 first over 1 s at N = ${result.saturation.firstLateN ?? 'none measured'}; saturates first: ${result.saturation.saturates}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const began = Date.now();
  await fleet.listen();
  await slack.listen();
  const result: Record<string, any> = { machine: machine(), startedAt: new Date().toISOString(), flags, fleet: 'bench/lean-fleet.ts (lean stand-in)', slack: 'bench/lean-slack.ts (lean counter)' };
  log(result.machine);
  if (ONLY.has('ack') || (ONLY.has('click') && CLICK_N.includes(0))) {
    const stack = await startStack(probeApps(), 0);
    try {
      if (ONLY.has('ack')) result.ack = await ackBench(stack);
      if (ONLY.has('click') && CLICK_N.includes(0)) result.probes = await probeBench(stack, 0);
    } finally {
      await stack.stop();
    }
  }
  if (ONLY.has('scale') || ONLY.has('click')) {
    result.scale = [];
    const runs = new Set([...(ONLY.has('scale') ? SCALE_N : []), ...(ONLY.has('click') ? CLICK_N.filter((n) => n > 0) : [])]);
    for (const n of [...runs].sort((a, b) => a - b)) {
      result.scale.push(await scaleRun(n, 0, ONLY.has('click') && CLICK_N.includes(n)));
    }
    // Clicks are probed on this layout too where its N is one of --click-n (not by default).
    if (ONLY.has('scale')) for (const n of WORKERS_N) result.scale.push(await scaleRun(n, 2, ONLY.has('click') && CLICK_N.includes(n)));
    result.saturation = saturation(result.scale);
  }
  result.seconds = round((Date.now() - began) / 1000);
  mkdirSync(dirname(flags.out), { recursive: true });
  writeFileSync(flags.out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`\n${table(result)}\n\nmachine: ${result.machine}; total ${result.seconds} s; JSON: ${flags.out}\n`);
}

const cleanup = () => {
  killAll();
  process.exit(130);
};
process.once('SIGINT', cleanup);
// Whatever happens, nothing this run started outlives it.
process.on('exit', killAll);
process.on('uncaughtException', (error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  killAll();
  process.exit(1);
});
process.once('SIGTERM', cleanup);
main()
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    killAll();
    httpsAgent.destroy();
    await fleet.close();
    await slack.close();
  });
