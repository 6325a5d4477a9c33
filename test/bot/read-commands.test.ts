// A command that only reads (list, status, audit) is answered in its ack: the answer shows with
// the 200, and no second request goes to the response_url. A read that is slow is acknowledged
// empty and answered through the response_url when it is done. Answers that do go through a
// response_url reuse one connection. The bot runs in this process on port 0; the Slack emulator
// signs the commands and shows what a person would see.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createSlackEmulator, DEFAULT_BOT_TOKEN, signedHeaders, type SlackEmulator } from '@rollgate/slack-emulator';
import type { BotContext } from '../../bot/context.js';
import { createSlackApp } from '../../bot/slack-app.js';
import { createQueues } from '../../jobs/queues.js';
import { createRolloutStore, type RolloutStore } from '../../jobs/store.js';
import { created } from '../../rollout/machine.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';

const prefix = `test-${randomUUID().slice(0, 8)}`;
const secret = `secret-${randomUUID()}`;
const config = testConfig();
let redis: Redis;
let store: RolloutStore;
let slack: SlackEmulator;
let stopBot: () => Promise<void>;
let botUrl = '';
/** While set, activeRollouts() waits for it: a read slower than the ack's budget. */
let slowRead: Promise<void> | undefined;

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
  store = createRolloutStore({ redis, prefix });
  const queues = createQueues({ connection: new Redis(inject('redisUrl'), { maxRetriesPerRequest: null }), prefix });
  slack = createSlackEmulator({ signingSecret: secret });
  await slack.listen(0, '127.0.0.1');
  const slowStore: RolloutStore = {
    ...store,
    activeRollouts: async () => {
      await slowRead;
      return store.activeRollouts();
    },
  };
  const log = pino({ level: 'silent' });
  const ctx: BotContext = { config, store: slowStore, queues, clock: Date.now, log, tuning: {}, dispatch: async () => undefined, permalink: async () => undefined };
  const bot = createSlackApp({ ctx, transport: { signingSecret: secret }, token: DEFAULT_BOT_TOKEN, identity: () => undefined, slackApiUrl: slack.apiUrl, routes: [], log });
  const server = await bot.start(0);
  botUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/slack/events`;
  slack.setBotUrl(botUrl);
  stopBot = async () => {
    await bot.stop();
    await queues.close();
  };
});

afterAll(async () => {
  await stopBot?.();
  await slack?.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

async function waitFor<T>(what: string, probe: () => T | undefined): Promise<T> {
  for (let tries = 0; tries < 1200; tries++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const ephemeralsOf = (user: string) => slack.state().ephemerals.filter((e) => e.user === user).map((e) => e.text);

describe('commands that only read', () => {
  it('answers list, status and audit in the ack, once', async () => {
    const app = config.apps[0]!;
    const rollout = newRollout({ id: await store.nextId(app.name), app, version: 'v2', requester: 'U0DEV', nowMs: 1000 });
    await store.create(rollout, created(rollout, 1000), [{ at: 1000, who: 'U0DEV', what: 'start', outcome: 'queued' }]);

    const list = await slack.command({ user: 'U0GUEST', text: 'list' });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ response_type: 'ephemeral', text: `• \`${rollout.id}\` http-probe-app … → v2: ${rollout.phase}` });
    const status = await slack.command({ user: 'U0GUEST', text: 'status no-such-rollout' });
    expect(status.body).toMatchObject({ text: ':no_entry: No rollout matches `no-such-rollout`.' });
    const audit = await slack.command({ user: 'U0GUEST', text: `audit ${rollout.id}` });
    expect((audit.body as { text: string }).text).toContain(`*Audit of \`${rollout.id}\`* (1 entries, oldest first)`);
    // Help is answered in its ack too; by then any second answer to the reads would have shown.
    await slack.command({ user: 'U0GUEST', text: 'help' });
    expect(ephemeralsOf('U0GUEST')).toHaveLength(4);
  });

  it('acknowledges a slow read empty and answers it through the response_url', async () => {
    let finish = () => undefined as void;
    slowRead = new Promise<void>((resolve) => (finish = resolve));
    const before = ephemeralsOf('U0DEV').length;
    const list = await slack.command({ user: 'U0DEV', text: 'list' });
    expect(list.status).toBe(200);
    expect(list.body).toBe('');
    expect(ephemeralsOf('U0DEV')).toHaveLength(before);
    finish();
    slowRead = undefined;
    const answer = await waitFor('the late answer', () => ephemeralsOf('U0DEV').slice(before).find((t) => t.includes('http-probe-app')));
    expect(answer).toMatch(/^• `http-probe-app-/);
  });

  it('answers through the response_url over one kept-alive connection', async () => {
    // A stand-in for Slack's response_url endpoint that counts the connections it is opened on.
    const answers: string[] = [];
    let connections = 0;
    const hooks = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        answers.push((JSON.parse(body) as { text: string }).text);
        response.writeHead(200).end('ok');
      });
    });
    hooks.on('connection', () => connections++);
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    const responseUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/commands/T0/1/abc`;
    try {
      for (let i = 1; i <= 5; i++) {
        // A command on a rollout that does not exist is answered through the response_url.
        const rawBody = new URLSearchParams({ command: '/rollout', text: `pause nope-${i}`, user_id: 'U0DEV', channel_id: 'C0ROLLOUTS', team_id: 'T0', trigger_id: `t.${randomUUID()}`, response_url: responseUrl }).toString();
        const sent = await fetch(botUrl, { method: 'POST', headers: signedHeaders({ signingSecret: secret, nowMs: Date.now(), rawBody }), body: rawBody });
        expect(sent.status).toBe(200);
        await waitFor(`answer ${i}`, () => (answers.length === i ? true : undefined));
      }
      expect(answers).toEqual([1, 2, 3, 4, 5].map((i) => `:no_entry: There is no rollout \`nope-${i}\`.`));
      expect(connections).toBe(1);
    } finally {
      hooks.closeAllConnections();
      await new Promise((resolve) => hooks.close(resolve));
    }
  });
});
