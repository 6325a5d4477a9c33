// Requests to /slack/events as an attacker or an unlucky operator could send them, against the
// real process: oversized bodies, a replayed signed command, a gate button sent from another
// message, a click that must show its decision at once, and a kill right after the 200.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signedHeaders } from '@rollgate/slack-emulator';
import { createRolloutStore } from '../../jobs/store.js';
import { startTcpTap, type TcpTap } from '../support/tcp-tap.js';
import { startStack, waitFor, type Stack } from './stack.js';

let s: Stack;
let tap: TcpTap;
beforeAll(async () => {
  const redis = new URL(inject('redisUrl'));
  tap = await startTcpTap({ host: redis.hostname, port: Number(redis.port || 6379) });
  s = await startStack({ mutateConfig: (doc) => (doc.apps[0].analysis.iterations = 2), env: { REDIS_URL: tap.url } });
});
afterAll(async () => {
  await s?.stop();
  await tap?.close();
});

const url = () => `http://127.0.0.1:${s.port}/slack/events`;
const ephemeralsOf = (user: string) => s.slack.state().ephemerals.filter((e) => e.user === user).map((e) => e.text);

async function postSigned(rawBody: string, timestampMs = Date.now()): Promise<{ status: number; text: string }> {
  const headers = signedHeaders({ signingSecret: s.secret, nowMs: timestampMs, rawBody });
  const response = await fetch(url(), { method: 'POST', headers, body: rawBody });
  return { status: response.status, text: await response.text() };
}

/** Sends `kib` KiB and resolves with the status of the answer as soon as it arrives. */
function postLarge(kib: number, declared: boolean): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(url(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(declared ? { 'content-length': String(kib * 1024) } : {}) } }, (res) => {
      resolve(res.statusCode ?? 'no status');
      res.resume();
    });
    req.on('error', (error) => resolve(`error before an answer: ${error.message}`));
    const chunk = Buffer.alloc(1024, 'x');
    let sent = 0;
    const pump = () => {
      while (sent < kib) {
        sent += 1;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

/** A slash command body as Slack sends it, answering through a response_url the emulator issued. */
async function commandBody(user: string, text: string, triggerId: string): Promise<string> {
  const { responseUrl } = await s.command(user, 'help');
  return new URLSearchParams({ team_id: 'T0LOCAL', channel_id: 'C0ROLLOUTS', user_id: user, command: '/rollout', text, response_url: responseUrl, trigger_id: triggerId, api_app_id: 'A0ROLLGATE' }).toString();
}

describe('requests to /slack/events', () => {
  it('refuses a body over the limit with 413 without buffering it, declared or streamed', async () => {
    // 10 MB declared, then 2 MB streamed without a length: the answer comes while the client still sends.
    expect(await postLarge(10 * 1024, true)).toBe(413);
    expect(await postLarge(2 * 1024, false)).toBe(413);
    // An ordinary command still works.
    expect((await s.command('U0DEV', 'list')).status).toBe(200);
  });

  it('runs a replayed signed command once', async () => {
    const body = await commandBody('U0DEV', 'start http-probe-app v2', 'replay-trigger-1');
    const timestamp = Date.now();
    const first = await postSigned(body, timestamp);
    expect(first.status).toBe(200);
    const second = await postSigned(body, timestamp);
    expect(second.status).toBe(200);
    expect(second.text).toContain('already received');
    await waitFor('the rollout queued', () => ephemeralsOf('U0DEV').find((t) => t.includes('is queued')));
    expect(ephemeralsOf('U0DEV').filter((t) => t.includes('already rolling out'))).toEqual([]);
  });

  it('changes the clicked gate at once, after the click is queued and before the promotion is written; refuses a gate button sent from another message', async () => {
    const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')));
    const id = /Rollout (\S+):/.exec(root.text)?.[1] as string;
    const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 60_000);

    // The gate's own button value, sent from the root message: refused, the gate stays open.
    const value = JSON.stringify({ r: id, s: 1 });
    const { responseUrl } = await s.command('U0LEAD', 'help');
    const payload = {
      type: 'block_actions',
      user: { id: 'U0LEAD', name: 'lead', team_id: 'T0LOCAL' },
      team: { id: 'T0LOCAL' },
      channel: { id: 'C0ROLLOUTS' },
      container: { type: 'message', message_ts: root.ts, channel_id: 'C0ROLLOUTS' },
      message: { ts: root.ts, text: root.text },
      response_url: responseUrl,
      trigger_id: 'moved-button',
      actions: [{ type: 'button', action_id: 'rollout_approve', block_id: 'gate-1', value, action_ts: `${Date.now() / 1000}` }],
    };
    expect((await postSigned(new URLSearchParams({ payload: JSON.stringify(payload) }).toString())).status).toBe(200);
    await waitFor('the moved button refused', () => ephemeralsOf('U0LEAD').find((t) => t.includes('does not belong to this message')));
    const store = createRolloutStore({ redis: s.redis, prefix: s.prefix });
    expect((await store.audit(id)).filter((e) => e.what === 'GateApproved')).toEqual([]);

    // Every change to the gate message, with what the fleet held at that very moment, and
    // whether the decision had already gone to Redis (seen through the tap): a gate that loses
    // its buttons before the click is queued is stuck for good if the process dies in between.
    let queued = false;
    tap.onClientData((chunk) => {
      if (chunk.includes(`${id}.in.`)) queued = true;
    });
    const seen: { text: string; buttons: boolean; promoted: boolean; queued: boolean }[] = [];
    const promoted = () => (s.fleet.state().karmada?.overridePolicies ?? []).some((p) => p.metadata?.name === 'http-probe-app-promote-override');
    const off = s.slack.onChange((change) => {
      if (change.kind !== 'message.updated' || change.ts !== gate.ts) return;
      const message = s.message(gate.ts);
      seen.push({ text: message?.text ?? '', buttons: JSON.stringify(message?.blocks ?? []).includes('rollout_approve'), promoted: promoted(), queued });
    });
    expect(promoted()).toBe(false);
    await s.click('U0LEAD', gate.ts, 'rollout_approve');
    await waitFor('the promotion written', () => promoted(), 60_000);
    await waitFor('the gate decided', () => s.message(gate.ts)?.text.includes('approved by <@U0LEAD>'), 30_000);
    off();
    expect(seen[0]).toEqual({ text: 'Approving member1… by <@U0LEAD>', buttons: false, promoted: false, queued: true });
    expect(seen.at(-1)?.text).toContain('approved by <@U0LEAD>');
  });

  it('has a command in the queue before Slack gets the 200, so a process killed right then loses nothing', async () => {
    const id = /Rollout (\S+):/.exec(s.roots()[0]!.text)?.[1] as string;
    // The process's Redis traffic goes through the tap: the order of "queued" and "answered" is seen, not timed.
    const order: string[] = [];
    tap.onClientData((chunk) => {
      if (chunk.includes(`${id}.in.`) && !order.includes('queued')) order.push('queued');
    });
    const result = await s.command('U0LEAD', `pause ${id}`);
    order.push('answered');
    expect(result.status).toBe(200);
    expect(order).toEqual(['queued', 'answered']);
    s.bot.child.kill('SIGKILL');
    await new Promise((r) => s.bot.child.once('exit', r));
    expect(await s.redis.keys(`${s.prefix}:steps:${id}.in.*`)).not.toEqual([]);
  });
});
