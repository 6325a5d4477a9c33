// The reason modal, the Home tab and the gate DM as a person sees them: rollgate itself behind
// the emulator, driven through the emulator's page in headless Chromium. Screenshots land in
// /tmp/rollgate-*.png. Skipped where Chromium is not installed.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterEach, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let stack: Stack | undefined;
let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  await stack?.stop();
  stack = undefined;
  browser = undefined;
});

const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/rollgate-${name}.png` });

it.skipIf(!existsSync(CHROMIUM))('a person approves from Home, then rolls back with a reason through the modal, on the page', async () => {
  stack = await startStack({
    mutateConfig: (doc) => {
      Object.assign(doc.apps[0].approvals, { reasons: { rollback: 'required', approve: 'optional' }, notify: 'dm' });
      doc.apps[0].links = [{ text: 'Grafana', url: 'https://grafana.example.com/d/rollgate?var-app={{app}}' }];
    },
  });
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const queued = await waitFor('the queued answer', () => s.slack.state().ephemerals.find((e) => e.user === 'U0DEV' && e.text.includes('is queued')));
  const id = /Rollout `([^`]+)`/.exec(queued.text)![1]!;
  await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(s.slack.url);
  await page.locator('#user-select option').first().waitFor({ state: 'attached' });
  await page.selectOption('#user-select', 'U0LEAD');

  // The DM the gate sent the lead, in the app's direct messages.
  // The page re-renders on every change (analysis goes on): click in the page itself, atomically.
  const clickIn = (selector: string) => page.waitForFunction((sel) => {
    const el = (globalThis as any).document.querySelector(sel);
    if (el) el.click();
    return Boolean(el);
  }, selector);
  await clickIn('#ims a.chan');
  await page.locator('#timeline').getByText('A gate is waiting for you').waitFor();
  await shot(page, '1-gate-dm');

  // Home: the gate waiting for the lead, with its buttons; Approve opens the optional-reason modal.
  await page.click('#home-link');
  await page.locator('#home').getByText('Gates waiting for you (1)').waitFor();
  await shot(page, '2-home');
  await clickIn('#home button[data-action-id="rollout_approve"]');
  await page.locator('#view-modal:not(.hidden)').waitFor();
  expect(await page.locator('#view-modal-title').textContent()).toBe('Approve?');
  await page.fill('#view-modal-body textarea', 'member1 dashboards look good');
  await shot(page, '3-approve-modal');
  await page.click('#view-modal-submit');
  await page.locator('#view-modal').waitFor({ state: 'hidden' });
  await waitFor('member1 approved', () => s.thread(id).some((m) => m.text.includes('approved by <@U0LEAD>')));

  // The next gate, in the channel: Rollback… opens the required-reason modal; an empty submit is refused on the spot.
  const next = await waitFor('the member2 gate', () => s.openGate(id, 'member2'), 60_000);
  await clickIn('#channels a.chan');
  await clickIn(`.msg[data-ts="${next.ts}"] button[data-action-id="rollout_rollback"]`);
  await page.locator('#view-modal:not(.hidden)').waitFor();
  expect(await page.locator('#view-modal-title').textContent()).toBe('Roll back?');
  await page.click('#view-modal-submit');
  await page.locator('#view-modal-body .error').waitFor();
  await page.fill('#view-modal-body textarea', '   ');
  await page.click('#view-modal-submit');
  await page.locator('#view-modal-body .error').getByText('Say why you roll back').waitFor();
  await shot(page, '4-rollback-modal-refused');
  await page.fill('#view-modal-body textarea', 'p99 latency up 40 % in member2 since the promotion');
  await page.click('#view-modal-submit');
  await page.locator('#view-modal').waitFor({ state: 'hidden' });
  await page.locator('#timeline').getByText('p99 latency up 40 % in member2').first().waitFor({ timeout: 60_000 });
  await shot(page, '5-rolled-back-with-reason');
  expect(errors).toEqual([]);
});
