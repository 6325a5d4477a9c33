// npm run bench:fleet-sim: the simulated fleet (@rollgate/fleet-sim) with 100 apps x 3 members in a
// process of its own: its CPU when idle, and GET latency idle and while 20 apps roll out. Prints
// figures; not a test (no thresholds are asserted, the machine is shared).
// --impl PATH compares an older build (e.g. /work/main/dist/local/fleet/index.js (a build from before the move)); --apps N.
import { spawn } from 'node:child_process';
import https from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { machine, procStats } from './procs.js';

const { values: flags } = parseArgs({
  options: {
    impl: { type: 'string', default: '@rollgate/fleet-sim' },
    apps: { type: 'string', default: '100' },
    'idle-seconds': { type: 'string', default: '10' },
    gets: { type: 'string', default: '2000' },
  },
});
const APPS = Number(flags.apps);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (text: string) => process.stderr.write(`[fleet-sim bench] ${text}\n`);

const child = spawn(process.execPath, [join(import.meta.dirname, 'fleet-sim-server.js'), flags.impl, String(APPS)], { stdio: ['ignore', 'pipe', 'inherit'] });
const first = await new Promise<string>((resolve, reject) => {
  createInterface({ input: child.stdout! }).once('line', resolve);
  child.once('exit', (code) => reject(new Error(`the fleet exited (${code}) before listening`)));
});
const { url, token, ca } = JSON.parse(first) as { url: string; token: string; ca: string };
// Warm connections, as rollgate keeps them; renewed after each idle window, since the server
// closes a connection idle for 5 s (Node's keepAliveTimeout) and reusing it would reset.
let agent = new https.Agent({ keepAlive: true, ca, maxSockets: 16 });
const freshAgent = () => {
  agent.destroy();
  agent = new https.Agent({ keepAlive: true, ca, maxSockets: 16 });
};

let resets = 0;
/** A connection the fleet reset (it was busy past its 5 s keep-alive) is counted and the request sent once more, timed from the first try. */
async function request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; ms: number; bytes: number }> {
  const started = performance.now();
  try {
    return await send(started, method, path, body, contentType);
  } catch (error) {
    if (!String((error as Error).message).includes('ECONNRESET')) throw error;
    resets += 1;
    freshAgent();
    return send(started, method, path, body, contentType);
  }
}

function send(started: number, method: string, path: string, body: unknown, contentType: string): Promise<{ status: number; ms: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = https.request(`${url}${path}`, { method, agent, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': contentType } : {}) } }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, bytes }));
    });
    req.on('error', (error) => reject(new Error(`${method} ${path}: ${error.message}`)));
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;

/** `count` GETs of random apps' Deployments on random servers, `concurrency` in flight. */
async function gets(count: number, concurrency: number): Promise<string> {
  freshAgent();
  const servers = ['karmada', 'clusters/member1', 'clusters/member2', 'clusters/member3'];
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        const app = `app-${Math.floor(Math.random() * APPS)}`;
        const server = servers[Math.floor(Math.random() * servers.length)];
        const r = await request('GET', `/${server}/apis/apps/v1/namespaces/default/deployments/${app}`);
        if (r.status !== 200) throw new Error(`GET ${server} ${app}: ${r.status}`);
        times.push(r.ms);
      }
    }),
  );
  times.sort((a, b) => a - b);
  return `p50 ${fmt(percentile(times, 50))}, p99 ${fmt(percentile(times, 99))}, max ${fmt(times.at(-1)!)} (${count} GETs, ${concurrency} in flight)`;
}

async function cpuOver(seconds: number): Promise<string> {
  const before = procStats(child.pid).cpuSec;
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const cpu = procStats(child.pid).cpuSec - before;
  const wall = (performance.now() - t0) / 1000;
  return `${((cpu / wall) * 100).toFixed(1)} % of a core (${cpu.toFixed(2)} s CPU in ${wall.toFixed(1)} s)`;
}

try {
  const gets_ = Number(flags.gets);
  const idleSeconds = Number(flags['idle-seconds']);
  // Printed as measured, so a run cut short still shows what it got.
  const lines = { push: (line: string) => process.stdout.write(`${line}\n`) };
  lines.push(`fleet-sim bench: ${flags.impl}, ${APPS} apps x 3 members (${APPS * 3 * 3} pods), Karmada mode`);
  lines.push(`machine: ${machine()}`);
  await sleep(3000); // past start-up
  log('idle window');
  lines.push(`idle CPU:                 ${await cpuOver(idleSeconds)}`);
  log('GETs');
  lines.push(`GET idle, sequential:     ${await gets(gets_, 1)}`);
  lines.push(`GET idle, concurrent:     ${await gets(gets_, 8)}`);
  log('LIST and rollouts');
  freshAgent();
  const list = await request('GET', '/clusters/member1/api/v1/namespaces/default/pods');
  lines.push(`LIST pods of member1:     ${fmt(list.ms)} (${(list.bytes / 1024).toFixed(0)} KiB)`);
  // 20 apps roll out at once (a new env value on the Karmada template): pods are replaced one per
  // step in every member, so the controllers have timed work to do throughout the window.
  const rolling = 20;
  freshAgent();
  for (let i = 0; i < rolling; i++) {
    const r = await request('PATCH', `/karmada/apis/apps/v1/namespaces/default/deployments/app-${i}`, { spec: { template: { spec: { containers: [{ name: `app-${i}`, env: [{ name: 'ROLLOUT_LABEL', value: 'v2' }] }] } } } }, 'application/strategic-merge-patch+json');
    if (r.status !== 200) throw new Error(`PATCH app-${i}: ${r.status}`);
  }
  const [cpu, during] = await Promise.all([cpuOver(idleSeconds), (async () => (await sleep(500), gets(gets_, 1)))()]);
  lines.push(`${rolling} apps rolling, CPU:      ${cpu}`);
  lines.push(`GET while rolling:        ${during}`);
  await sleep(1000);
  lines.push(`idle again CPU:           ${await cpuOver(idleSeconds)}`);
  lines.push(`connections reset by a busy fleet (request retried): ${resets}`);
} finally {
  agent.destroy();
  child.kill();
}
