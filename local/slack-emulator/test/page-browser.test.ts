// Looks at the page in a real Chromium: seeded rollout messages, a command typed in the box,
// a confirm dialog, a click answered through response_url, the thread panel, the user switcher.
// Screenshots land in /tmp/slack-emulator-*.png. Skipped where Chromium is not installed.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SlackEmulator } from '../src/index.js';
import { startEmulator, startTinyBot, webClient } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let emulator: SlackEmulator;
let bot: Awaited<ReturnType<typeof startTinyBot>>;
let browser: Browser | undefined;

const rootBlocks = (phase: string) => [
  { type: 'header', text: { type: 'plain_text', text: ':rocket: checkout → v2' } },
  { type: 'section', text: { type: 'mrkdwn', text: `Rollout \`r-7f3a\` requested by <@U0DEV> · strategy *per-cluster* · phase *${phase}*` } },
  {
    type: 'section',
    fields: [
      { type: 'mrkdwn', text: '*member1*\n:large_green_circle: promoted' },
      { type: 'mrkdwn', text: '*member2*\n:hourglass_flowing_sand: gate open' },
      { type: 'mrkdwn', text: '*member3*\n:white_circle: canary, analysing 2/3' },
      { type: 'mrkdwn', text: '*Approvers*\n<@U0LEAD>, <!subteam^S0SRE>' },
    ],
  },
  { type: 'context', elements: [{ type: 'mrkdwn', text: ':stopwatch: started 12:01 · <http://127.0.0.1/x|audit log> · canary 1 pod' }] },
];

const gate = [
  { type: 'section', text: { type: 'mrkdwn', text: ':hourglass_flowing_sand: *Gate open: member2*\nAnalysis passed 3/3. <@U0LEAD> or <!subteam^S0SRE>, promote `v2` in *member2*?' } },
  {
    type: 'actions',
    block_id: 'gate-member2',
    elements: [
      { type: 'button', action_id: 'rollout_approve', style: 'primary', value: 'r-7f3a:member2', text: { type: 'plain_text', text: 'Approve member2' } },
      {
        type: 'button',
        action_id: 'rollout_rollback',
        style: 'danger',
        value: 'r-7f3a:member2',
        text: { type: 'plain_text', text: 'Rollback' },
        confirm: {
          title: { type: 'plain_text', text: 'Roll back member2?' },
          text: { type: 'mrkdwn', text: 'The canary `checkout-canary-member2` is deleted and *member2* stays on `v1`.' },
          confirm: { type: 'plain_text', text: 'Roll back' },
          deny: { type: 'plain_text', text: 'Keep it' },
          style: 'danger',
        },
      },
    ],
  },
];

const homeBlocks = (user: string) => [
  { type: 'header', text: { type: 'plain_text', text: 'Rollouts (1 active)' } },
  { type: 'section', text: { type: 'mrkdwn', text: `*\`checkout-3\`* checkout v1 → v2\n:double_vertical_bar: paused by <@U0LEAD>\n:raised_hand: *member2* gate waiting 4m for approval · :alarm_clock: seen by <@${user}>` } },
];

async function seed() {
  const client = webClient(emulator);
  const root = await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'checkout → v2', blocks: rootBlocks('analysis') });
  const summary = [
    ':bar_chart: *Analysis 3/3 · member2* :white_check_mark:',
    '```',
    'request-success-rate  99.92%  (base 99.95)  ≥ 99     pass  ▁▂▁',
    'request-duration p99  212ms   (base 205)    ≤ 500ms  pass  ▃▂▂',
    'pod-restarts          0                     ≤ 0      pass',
    '```',
    'failed checks 0/2 · pods ready 1/1',
  ].join('\n');
  await client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: root.ts!, text: summary });
  const gateMsg = await client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: root.ts!, reply_broadcast: true, text: 'Gate open: member2', blocks: gate });
  await client.chat.update({ channel: 'C0ROLLOUTS', ts: root.ts!, text: 'checkout → v2', blocks: rootBlocks('gate member2') });
  await client.chat.postEphemeral({ channel: 'C0ROLLOUTS', user: 'U0GUEST', text: ':no_entry: You are not an approver for *checkout*. Approvers: <@U0LEAD>, <!subteam^S0SRE>' });
  return { root: root.ts!, gate: gateMsg.ts! };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  bot = await startTinyBot(async (req, res) => {
    if (req.rawBody.startsWith('{')) {
      // Events API: the Home tab was opened; answer as rollgate does, with views.publish.
      const { event } = JSON.parse(req.rawBody);
      res.writeHead(200).end();
      await webClient(emulator).views.publish({ user_id: event.user, view: { type: 'home', blocks: homeBlocks(event.user) } });
      return;
    }
    const payload = req.form.get('payload');
    if (!payload) {
      const text = req.form.get('text') ?? '';
      const answer = text.startsWith('start nosuchapp')
        ? { text: ':x: Unknown app `nosuchapp`. Known apps: `checkout`, `http-probe-app`.\nUsage: `/rollout start APP VERSION [--clusters a,b]`' }
        : { text: `:white_check_mark: Queued \`${text}\`` };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      return;
    }
    res.writeHead(200).end();
    const action = JSON.parse(payload);
    const by = action.user.id;
    const reply =
      action.actions[0].action_id === 'rollout_approve'
        ? { replace_original: true, text: 'approved', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: *member2 approved* by <@${by}>, promoting \`v2\`` } }] }
        : { text: ':no_entry: Only the requester or an approver may roll back.' };
    await fetch(action.response_url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(reply) });
  });
  emulator = await startEmulator({ botUrl: bot.url });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

afterAll(async () => {
  await browser?.close();
  await emulator?.close();
  await bot?.close();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `/tmp/slack-emulator-${name}.png` });
}

it.skipIf(!existsSync(CHROMIUM))('shows the channel, runs a command, confirms a click, opens the thread', async () => {
  const ids = await seed();
  const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(emulator.url);
  await page.getByText('Only visible to you').waitFor({ state: 'detached' }).catch(() => {});
  await page.locator('.msg').first().waitFor();
  await page.selectOption('#user-select', 'U0GUEST');
  await page.getByText('Only visible to you').waitFor();
  await shot(page, '1-channel');

  await page.selectOption('#user-select', 'U0DEV');
  await page.fill('#command', '/rollout start nosuchapp v1');
  await page.press('#command', 'Enter');
  await page.getByText('Unknown app').waitFor();
  expect(await page.locator('.ephemeral').count()).toBe(1); // the guest's ephemeral is not shown to Dana
  await shot(page, '2-command-error');

  await page.locator(`.msg[data-ts="${ids.gate}"] button[data-action-id="rollout_rollback"]`).click();
  await page.locator('#modal:not(.hidden)').waitFor();
  expect(await page.locator('#modal-title').textContent()).toBe('Roll back member2?');
  await shot(page, '3-confirm');
  await page.click('#modal-deny');
  await page.locator(`.msg[data-ts="${ids.gate}"] button[data-action-id="rollout_rollback"]`).click();
  await page.click('#modal-confirm');
  await page.getByText('Only the requester or an approver may roll back').waitFor();
  await shot(page, '3b-refused-in-thread');

  await page.selectOption('#user-select', 'U0LEAD');
  await page.locator(`.msg[data-ts="${ids.gate}"] button[data-action-id="rollout_approve"]`).click();
  await page.getByText('member2 approved').first().waitFor();
  await shot(page, '4-approved');

  await page.locator(`[data-open-thread="${ids.root}"]`).first().click();
  await page.locator('#thread:not(.hidden)').waitFor();
  await page.locator('#thread-body').getByText('Analysis 3/3').waitFor();
  await shot(page, '5-thread');
  expect(await page.locator('#thread-body .msg').count()).toBe(3);
  await page.click('#close-thread');

  emulator.setBotUrl('http://127.0.0.1:1/slack/events'); // the bot is down
  await page.fill('#command', '/rollout list');
  await page.press('#command', 'Enter');
  await page.getByText('/rollout failed with the error "dispatch_failed"').waitFor();
  await shot(page, '6-bot-down');
  expect(errors).toEqual([]);
  const clicks = emulator.state();
  expect(clicks.messages.find((m) => m.ts === ids.gate)?.text).toBe('approved');
});

it.skipIf(!existsSync(CHROMIUM))('shows the App Home tab as the app published it for the person, with emoji rather than :shortcodes:', async () => {
  emulator.setBotUrl(bot.url); // the test above leaves the bot "down"
  const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(emulator.url);
  await page.locator('#user-select option').first().waitFor({ state: 'attached' });
  await page.selectOption('#user-select', 'U0DEV');
  await page.click('#home-link');
  await page.locator('#home .home-view').getByText('Rollouts (1 active)').waitFor();
  expect(await page.locator('#timeline').isHidden()).toBe(true);
  expect(emulator.state().views.U0DEV).toMatchObject({ type: 'home' });
  const home = await page.locator('#home').innerText();
  expect(home).toContain('gate waiting 4m');
  expect(home).toContain('\u23f8'); // :double_vertical_bar:
  await shot(page, '7-home');
  // Another person sees the view published for them.
  await page.selectOption('#user-select', 'U0LEAD');
  await expect.poll(() => (emulator.state().views as Record<string, unknown>).U0LEAD).toBeDefined();
  await page.locator('.channel a.link, #channels a').first().click();
  expect(await page.locator('#timeline').isVisible()).toBe(true);
  expect(await page.locator('body').innerText()).not.toMatch(/:[a-z][a-z0-9_+-]*:/);
  expect(errors).toEqual([]);
});
