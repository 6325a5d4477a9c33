// `rollgate demo [--script happy|bad] [--port N]`: the whole product on one machine. The
// Slack emulator (page + Web API), the simulated fleet, Redis and rollgate itself.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { CA_CERT_PATH, createFleetSimulator, createLoadTester, describeFleet } from '@rollgate/fleet-sim';
import { withDemoWebhooks } from './demo-hooks.js';
import { createSlackEmulator, type SlackEmulator } from '@rollgate/slack-emulator';
import { demoConfig } from './demo-config.js';
import { cleanLeftovers, recordRun } from './demo-leftovers.js';
import { listenOrExplain } from './listen-or-explain.js';
import { redisForDemo } from './redis-for-demo.js';
import type { Product } from './product.js';
import { printTranscript } from './transcript.js';

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function runScript(script: 'happy' | 'bad', slack: SlackEmulator): Promise<void> {
  const version = script === 'happy' ? 'v2' : 'v2-bad';
  await slack.command({ user: 'U0DEV', text: `start http-probe-app ${version}` });
  const roots = () => slack.state().messages.filter((m) => !m.thread_ts);
  const root = await until('the root message', () => roots().find((m) => m.text.startsWith('Rollout http-probe-app')), 20_000);
  const ended = () => {
    const text = slack.state().messages.find((m) => m.ts === root.ts)?.text ?? '';
    return /Rolled out|Rolled back|Failed/.test(text) ? text : undefined;
  };
  const clicked = new Set<string>();
  const deadline = Date.now() + 180_000;
  while (!ended()) {
    if (Date.now() > deadline) throw new Error('demo: the rollout did not finish in 3 minutes');
    const replies = slack.state().messages.find((m) => m.ts === root.ts)?.replies ?? [];
    const gate = replies.find((m) => m.text.startsWith('Gate:') && !clicked.has(m.ts));
    if (gate && script === 'happy') {
      clicked.add(gate.ts);
      await slack.click({ user: 'U0LEAD', ts: gate.ts, action_id: 'rollout_approve' });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Messages are paced a second apart per channel: wait for the closing broadcast and the chart.
  const closing = () => slack.state().messages.find((m) => m.thread_ts === root.ts && /is rolled out to|was \*rolled back|failed:/.test(m.text));
  await until('the closing message', () => closing(), 20_000).catch(() => undefined);
  await until('the chart', () => slack.state().messages.find((m) => m.ts === root.ts)?.replies.find((r) => (r.files ?? []).length > 0), 5_000).catch(() => undefined);
}

/** What rollgate recorded: the audit stream of every rollout the script ran. */
async function printAudit(product: Product, url: string, prefix: string, write: (line: string) => void): Promise<void> {
  for (const { rollout, entries } of await product.audits(url, prefix)) {
    write(`\naudit of ${rollout}:`);
    for (const e of entries) {
      write(`  ${new Date(e.at).toISOString().slice(11, 23)}  ${e.who.padEnd(8)} ${e.what.padEnd(18)} ${e.cluster ? `[${e.cluster}] ` : ''}-> ${e.outcome}${e.detail ? `  (${e.detail})` : ''}`);
    }
  }
}

export const DEMO_HELP = `usage: rollgate demo [--script happy|bad] [--port N]
  The whole product on this machine: a Slack emulator (a page that looks like a channel), a
  simulated Karmada fleet (member1..3, a Prometheus each), Redis and rollgate itself.
  --script happy|bad   drive one rollout without a browser and print the transcript
  --port N             the emulator's page (default 3000; 0 picks a free port)
  Redis: REDIS_URL if set (an error if it does not answer), else 127.0.0.1:6379, else a
  throwaway redis-server. Ctrl-C stops everything; a demo that was killed is cleaned up
  after by the next one.`;

export async function demoCommand(args: string[], product: Product): Promise<void> {
  const { values } = parseArgs({ args, options: { script: { type: 'string' }, port: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const write = (line: string) => process.stdout.write(`${line}\n`);
  if (values.help) {
    write(DEMO_HELP);
    return;
  }
  const script = values.script;
  if (script !== undefined && script !== 'happy' && script !== 'bad') throw new Error('--script is happy or bad');
  const port = Number(values.port ?? (script ? 0 : 3000));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port number (0 picks a free one)`);
  await cleanLeftovers();
  // The page's port first: taken, the demo says so before starting anything else.
  const secret = randomUUID();
  const slack = createSlackEmulator({ signingSecret: secret });
  const page = await listenOrExplain(`rollgate demo${script ? ` --script ${script}` : ''}`, port, (p) => slack.listen(p));
  const redisChoice = await redisForDemo(process.env.REDIS_URL);
  if ('hint' in redisChoice) {
    await slack.close();
    process.stderr.write(`${redisChoice.hint}\n`);
    process.exit(1);
  }
  // A prefix of its own, so two demos (or a demo and a real rollgate) on one Redis never meet.
  const PREFIX = process.env.ROLLGATE_REDIS_PREFIX ?? `rollgate-demo-${randomUUID().slice(0, 8)}`;
  const forgetRun = recordRun({ pid: process.pid, redisUrl: redisChoice.url, prefix: PREFIX, ...(redisChoice.child?.pid ? { redisPid: redisChoice.child.pid } : {}) });

  const fleet = createFleetSimulator({ readyDelayMs: script ? 200 : 1500, rolloutStepMs: script ? 100 : 700 });
  await fleet.listen(0);
  // Flagger's load tester, stood in: checkout's webhooks call it (see local/fleet-sim/src/loadtester.ts).
  const loadTester = createLoadTester();
  await loadTester.listen(0);
  const runtime = await product.start({
    env: {
      SLACK_BOT_TOKEN: 'xoxb-local-rollgate',
      SLACK_SIGNING_SECRET: secret,
      SLACK_API_URL: slack.apiUrl,
      PORT: '0',
      REDIS_URL: redisChoice.url,
      ROLLGATE_CONFIG: '(demo)',
      ROLLGATE_REDIS_PREFIX: PREFIX,
      ROLLGATE_READY_POLL_MS: '300',
      ROLLGATE_JOB_LOCK_MS: '5000',
      ROLLGATE_RECONCILE_MS: '5000',
      LOG_LEVEL: 'warn',
    },
    config: withDemoWebhooks(demoConfig((c) => fleet.prometheusUrl(c), script ? 'script' : 'interactive'), loadTester.url()),
    kubeconfig: fleet.kubeconfig(),
    prometheusCa: readFileSync(CA_CERT_PATH, 'utf8'),
  });
  slack.setBotUrl(`http://127.0.0.1:${runtime.port}/slack/events`);
  const shutdown = async () => {
    await runtime.stop();
    const redis = new Redis(redisChoice.url);
    const keys = await redis.keys(`${PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    redisChoice.child?.kill();
    forgetRun();
    await slack.close();
    await fleet.close();
    await loadTester.close();
  };

  if (script) {
    write(`rollgate demo --script ${script}: the requester @dev starts a rollout; @lead approves each gate.\n`);
    write(describeFleet(fleet.state()));
    const stop = printTranscript(slack, write);
    try {
      await runScript(script, slack);
    } finally {
      stop();
      write('');
      write(describeFleet(fleet.state()));
      await printAudit(product, redisChoice.url, PREFIX, write);
      await shutdown();
    }
    return;
  }
  write(`rollgate demo is running.
  Slack emulator: ${page.url}   (open it in a browser)
  Try: /rollout start http-probe-app v2   as @dev, then switch to @lead to approve each gate.
       /rollout start http-probe-app v2-bad   fails its success rate and rolls back by itself.
       /rollout start checkout v2   (image version, canary-first, traffic in steps of 10 % up to 50 % on its VirtualService)
  Simulated fleet: ${fleet.url} (kubeconfig contexts karmada-apiserver, member1..3)
  Load tester (Flagger's, stood in): ${loadTester.url()}   checkout calls it every interval; roll checkout back by webhook with
       curl -X POST ${loadTester.url()}/rollback/open -d '{"name":"checkout","namespace":"default"}'
Ctrl-C stops everything.`);
  const stopTranscript = printTranscript(slack, write);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    process.once('SIGHUP', resolve); // the terminal closed
  });
  stopTranscript();
  await shutdown();
}
