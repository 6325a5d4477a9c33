// `npm run chaos`: rollgate under process kills and Redis restarts. A `serve` and two
// `worker` processes share one Redis (its own redis-server, append-only, restarted twice);
// the Slack emulator and the simulated fleet stand in for Slack and Kubernetes. Rollouts of
// good and bad versions run (clicked through gates, or --auto) while one random rollgate
// process is SIGKILLed and restarted every 1–4 s. Then it prints what a person would check.
// Flags: --rollouts N (default 32), --minutes M (no rollout starts after M minutes; running ones get 3 more; default 8),
// --lock-ms MS (ROLLGATE_JOB_LOCK_MS and ROLLGATE_RECONCILE_MS, default 2000),
// --kill-every MIN-MAX (seconds between kills, default 1-4; 0 for none).
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { createRolloutStore, type RolloutStore } from '../jobs/store.js';
import { freePort } from '@rollgate/demo';
import { CA_CERT_PATH, createFleetSimulator } from '@rollgate/fleet-sim';
import { createSlackEmulator, type SlackEmulator } from '@rollgate/slack-emulator';
import { isTerminal } from '../rollout/model.js';
import { manageRollgate, type Managed } from './processes.js';
import { startRedisServer } from './redis-server.js';
import { judge, type Planned } from './report.js';

const ROOT = resolve(import.meta.dirname, '../..');
const APPS = ['app-a', 'app-b', 'app-c', 'app-d'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (lo: number, hi: number) => lo + Math.random() * (hi - lo);

const { values: flags } = parseArgs({
  options: { 'kill-every': { type: 'string', default: '1-4' }, rollouts: { type: 'string', default: '32' }, minutes: { type: 'string', default: '8' }, 'lock-ms': { type: 'string', default: '2000' } },
});
const target = Number(flags.rollouts);
const deadline = Date.now() + Number(flags.minutes) * 60_000;
/** Rollouts running at the deadline get this long to finish (gates are still clicked) before they count as stuck. */
const finishBy = deadline + 180_000;
const lockMs = Number(flags['lock-ms']);
const [killMin, killMax] = flags['kill-every'] === '0' ? [0, 0] : (flags['kill-every'] ?? '1-4').split('-').map((n) => Number(n) * 1000);
if (!(target > 0) || !(Number(flags.minutes) > 0) || !(lockMs >= 500) || !(killMin! >= 0) || !(killMax! >= killMin!)) {
  process.stderr.write('usage: npm run chaos -- [--rollouts N] [--minutes M] [--lock-ms MS>=500] [--kill-every MIN-MAX|0]\n');
  process.exit(2);
}

function configDocument(prometheusUrl: (member: string) => string) {
  const members = ['member1', 'member2', 'member3'];
  return {
    fleet: { mode: 'karmada', karmada: { context: 'karmada-apiserver' }, clusters: members.map((name) => ({ name, context: name, prometheus: { url: prometheusUrl(name) } })) },
    apps: APPS.map((name) => ({
      name,
      namespace: 'default',
      deployment: name,
      container: name,
      version: { env: 'ROLLOUT_LABEL' },
      channel: `C0${name.replace('-', '').toUpperCase()}`,
      clusters: members,
      strategy: 'per-cluster',
      canary: { replicas: 1 },
      analysis: { interval: '2s', iterations: 1, failureLimit: 2, metrics: [{ name: 'request-success-rate', min: 99 }, { name: 'request-duration', max: 500 }] },
      approvals: { approvers: { users: ['U0LEAD'], groups: [] } },
    })),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const redisServer = await startRedisServer();
  const secret = `chaos-${randomUUID()}`;
  const channels = APPS.map((name) => ({ id: `C0${name.replace('-', '').toUpperCase()}`, name }));
  const slack = createSlackEmulator({ signingSecret: secret, channels });
  await slack.listen(0);
  const seed = APPS.map((name) => ({ name, replicas: 2, container: name, image: `registry.local/${name}:v1`, env: [{ name: 'ROLLOUT_LABEL', value: 'v1' }] }));
  const fleet = createFleetSimulator({ readyDelayMs: 150, rolloutStepMs: 60, seed });
  await fleet.listen(0);
  const dir = await mkdtemp(join(tmpdir(), 'rollgate-chaos-'));
  await fleet.writeKubeconfig(join(dir, 'kubeconfig'));
  await writeFile(join(dir, 'rollgate.yaml'), stringify(configDocument((m) => fleet.prometheusUrl(m))));
  const port = await freePort();
  const prefix = `chaos-${randomUUID().slice(0, 6)}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLACK_BOT_TOKEN: 'xoxb-local-rollgate',
    SLACK_SIGNING_SECRET: secret,
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    REDIS_URL: redisServer.url,
    ROLLGATE_REDIS_PREFIX: prefix,
    ROLLGATE_CONFIG: join(dir, 'rollgate.yaml'),
    KUBECONFIG: join(dir, 'kubeconfig'),
    NODE_EXTRA_CA_CERTS: CA_CERT_PATH,
    ROLLGATE_READY_POLL_MS: '200',
    ROLLGATE_JOB_LOCK_MS: String(lockMs),
    ROLLGATE_RECONCILE_MS: String(lockMs),
    // info: the processes say 'rollgate started', which the killer waits for.
    LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'info',
  };
  const rollgate = manageRollgate(ROOT, env, dir);
  // Interrupted: leave nothing running behind.
  const cleanup = async () => {
    await rollgate.stopAll();
    await redisServer.stop();
    process.exit(130);
  };
  process.once('SIGINT', () => void cleanup());
  process.once('SIGTERM', () => void cleanup());
  const processes: Managed[] = [rollgate.start('serve', 'serve'), rollgate.start('worker-1', 'worker'), rollgate.start('worker-2', 'worker')];
  while (!(await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok) await sleep(100);
  slack.setBotUrl(`http://127.0.0.1:${port}/slack/events`);
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined); // Redis restarts on purpose; ioredis reconnects
  const store = createRolloutStore({ redis, prefix });
  const log = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  log(`redis ${redisServer.url} (append-only), serve :${port}, 2 workers, lock ${lockMs} ms; ${target} rollouts, at most ${flags.minutes} min; a kill every ${flags['kill-every']} s; logs in ${dir}`);

  const planned: Planned[] = [];
  let startsResent = 0;
  let redisRestarts = 0;
  let driving = true;

  // Killer: one random rollgate process every 1–4 s; recovery is the time until every rollout
  // that was running at the kill has moved again (its seq changed, or it ended).
  const kills: { at: number; waiting: Map<string, number>; recoveredMs?: number }[] = [];
  const killer = (async () => {
    while (driving && killMax! > 0) {
      await sleep(between(killMin!, killMax!));
      if (!driving) break;
      // On a loaded machine a process can take many seconds to start: kill only ones that run.
      const running = processes.filter((p) => p.up);
      if (running.length === 0) continue;
      const victim = running[Math.floor(Math.random() * running.length)] as Managed;
      const waiting = new Map<string, number>();
      for (const r of await store.activeRollouts().catch(() => [])) waiting.set(r.id, r.seq);
      kills.push({ at: Date.now(), waiting });
      await rollgate.kill(victim);
    }
  })();
  const recoveryWatch = (async () => {
    while (driving) {
      await sleep(250);
      for (const kill of kills.filter((k) => k.recoveredMs === undefined)) {
        for (const [id, seq] of kill.waiting) {
          const now = await store.get(id).catch(() => undefined);
          if (!now || now.seq !== seq || isTerminal(now.phase)) kill.waiting.delete(id);
        }
        if (kill.waiting.size === 0) kill.recoveredMs = Date.now() - kill.at;
      }
    }
  })();

  async function startOne(app: string, version: string, auto: boolean): Promise<string | undefined> {
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      if (attempt > 0) startsResent++;
      await slack.command({ user: 'U0DEV', text: `start ${app} ${version}${auto ? ' --auto' : ''}`, channel: `C0${app.replace('-', '').toUpperCase()}` }).catch(() => undefined);
      const until = Date.now() + 8000;
      while (Date.now() < until) {
        const latest = await store.latestFor(app);
        const rollout = latest ? await store.get(latest) : undefined;
        if (rollout?.version === version) return rollout.id;
        await sleep(200);
      }
    }
    return undefined;
  }

  async function clickThrough(id: string, slackEmulator: SlackEmulator): Promise<void> {
    const clicked = new Map<number, number>();
    while (Date.now() < finishBy) {
      const rollout = await store.get(id);
      if (!rollout || isTerminal(rollout.phase)) return;
      for (const gate of rollout.gates.filter((g) => g.state === 'open')) {
        const ts = await store.messageTs(id, `gate-${gate.stage}`);
        if (!ts || Date.now() - (clicked.get(gate.stage) ?? 0) < 3000) continue;
        clicked.set(gate.stage, Date.now());
        await slackEmulator.click({ user: 'U0LEAD', ts, action_id: 'rollout_approve', channel: rollout.channel }).catch(() => undefined);
      }
      await sleep(300);
    }
  }

  const lanes = APPS.map(async (app, lane) => {
    for (let n = 1; planned.length < target && Date.now() < deadline; n++) {
      const bad = (n + lane) % 3 === 0;
      const auto = (n + lane) % 2 === 0;
      const version = `v${n + 1}${bad ? '-bad' : ''}`;
      const id = await startOne(app, version, auto);
      if (!id) break;
      planned.push({ id, app, version, bad, auto });
      log(`${planned.length}/${target} ${id} ${version}${auto ? ' --auto' : ''}`);
      if (redisRestarts < 2 && planned.length >= ((redisRestarts + 1) * target) / 3) {
        redisRestarts++;
        log(`restarting Redis (${redisRestarts}/2)`);
        await redisServer.restart();
      }
      await clickThrough(id, slack);
      // A bad version rolls back; the app's next rollout starts from the version that runs.
    }
  });
  await Promise.all(lanes);
  driving = false;
  await killer;
  await recoveryWatch;
  log('kills stopped; waiting for notices to be posted');
  const settle = Date.now() + 60_000;
  while (Date.now() < settle && (await store.undrainedIds()).length > 0) await sleep(500);

  const figures = await judge(store, planned, slack.state().messages);
  const recoveries = kills.flatMap((k) => (k.recoveredMs !== undefined ? [k.recoveredMs] : [])).sort((a, b) => a - b);
  const p95 = recoveries[Math.floor(recoveries.length * 0.95)] ?? 0;
  const lines = [
    '',
    `rollouts finished correctly: ${figures.correct} / ${figures.total}${figures.wrong.length ? `   wrong: ${figures.wrong.join('; ')}` : ''}`,
    `double promotions (audit): ${figures.doublePromotions.length}${figures.doublePromotions.length ? `   ${figures.doublePromotions.join('; ')}` : ''}`,
    `lost or stuck rollouts: ${figures.stuck.length}${figures.stuck.length ? `   ${figures.stuck.join(', ')}` : ''}`,
    `duplicate root messages: ${figures.duplicateRoots.length}${figures.duplicateRoots.length ? `   ${figures.duplicateRoots.join(', ')}` : ''}`,
    `duplicate gate messages: ${figures.duplicateGates.length}${figures.duplicateGates.length ? `   ${figures.duplicateGates.join(', ')}` : ''}`,
    `rollouts without a closing notice: ${figures.withoutClosingNotice.length}${figures.withoutClosingNotice.length ? `   ${figures.withoutClosingNotice.join(', ')}` : ''}`,
    `duplicate closing notices: ${figures.duplicateClosingNotices.length}${figures.duplicateClosingNotices.length ? `   ${figures.duplicateClosingNotices.join(', ')}` : ''}`,
    `kills: ${kills.length} (${processes.map((p) => `${p.name} ${p.restarts}`).join(', ')}), Redis restarts: ${redisRestarts}, start commands sent again: ${startsResent}`,
    `recovery after a kill (every rollout running at the kill moved again): longest ${(recoveries.at(-1) ?? 0) / 1000} s, p95 ${p95 / 1000} s, unrecovered ${kills.length - recoveries.length}`,
    `run time: ${((Date.now() - started) / 1000).toFixed(0)} s`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const ok = figures.correct === figures.total && figures.total >= target && !figures.doublePromotions.length && !figures.stuck.length && !figures.duplicateRoots.length && !figures.duplicateGates.length && !figures.withoutClosingNotice.length;

  await rollgate.stopAll();
  redis.disconnect();
  await slack.close();
  await fleet.close();
  await redisServer.stop();
  process.exit(ok ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(2);
});
