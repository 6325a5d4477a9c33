/// <reference lib="dom" />
// The gate and the sparklines as a person sees them: the emulator page in a real Chromium.
// 1. A real rollout through the whole stack, six analysis intervals, then the gate: the channel
//    shows the gate asking @lead and the @sre group by mention (not @dev, who started it), the thread
//    shows each summary with its sparkline, at most 12 bars.
// 2. Summaries rendered by rollgate's own builders from a rollout whose success rate falls
//    from 99.9 to 95 against min 99 and whose latency climbs past max 500: the fall and the
//    crossing are visible in the bars.
// Screenshots: /tmp/rollgate-look-*.png. Skipped where Chromium is not installed.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { gateMessage, rootMessage, summaryMessage } from '../../bot/blocks/messages.js';
import type { MetricSample, Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { startEmulator, webClient } from '../../local/slack-emulator/test/helpers.js';
import { stackPerTest } from './conversation.js';
import { waitFor } from './stack.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const has = existsSync(CHROMIUM);
const open = stackPerTest();
let browser: Browser | undefined;

beforeAll(async () => {
  if (has) browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});
afterAll(async () => browser?.close());

async function page(url: string, viewer: string): Promise<{ page: Page; errors: string[] }> {
  const p = await browser!.newPage({ viewport: { width: 1440, height: 1000 } });
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(e.message));
  p.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await p.goto(url);
  await p.locator('#user-select option').first().waitFor({ state: 'attached' });
  await p.selectOption('#user-select', viewer);
  return { page: p, errors };
}

const SPARK = /[▁▂▃▄▅▆▇█]+/g;

it.skipIf(!has)('a real gate mentions the approvers, and the thread shows each metric with its sparkline', async () => {
  const s = await open({ mutateConfig: (doc) => (doc.apps[0].analysis.iterations = 6) });
  await s.command('U0DEV', 'start http-probe-app v2');
  const gate = await waitFor('the member1 gate', () => s.openGate('http-probe-app-1', 'member1'), 90_000);
  const { page: p, errors } = await page(s.slack.url, 'U0SRE');
  const shown = p.locator(`.msg[data-ts="${gate.ts}"]`).first();
  await shown.waitFor();
  const gateWords = await shown.innerText();
  expect(gateWords).toContain('@lead, @sre: please approve or roll back');
  expect(gateWords).not.toContain('@dev');
  await p.screenshot({ path: '/tmp/rollgate-look-1-gate.png' });

  const root = s.rootOf('http-probe-app-1')!;
  await p.locator(`[data-open-thread="${root.ts}"]`).first().click();
  await p.locator('#thread:not(.hidden)').waitFor();
  await p.locator('#thread-body').getByText('Analysis #6').first().waitFor();
  const thread = await p.locator('#thread-body').innerText();
  const bars = thread.match(SPARK) ?? [];
  expect(bars.length).toBeGreaterThanOrEqual(6);
  expect(bars.every((b) => [...b].length <= 12)).toBe(true);
  // The healthy canary: success rate far above min 99 (top bars), latency far under max 500 (bottom bars).
  expect(thread).toMatch(/request-success-rate .*\(min 99\)\s+[▇█]{6}/);
  expect(thread).toMatch(/request-duration .*\(max 500\)\s+[▁▂]{6}/);
  await p.locator('#thread-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await p.screenshot({ path: '/tmp/rollgate-look-2-thread.png' });
  expect(errors).toEqual([]);
});

/** member1's last `values` intervals (success rate, latency), as the rollout's history holds them. */
function rolloutWith(values: [number, number][]): Rollout {
  const app = testConfig().apps[0]!;
  const t0 = Date.UTC(2026, 10, 21, 14, 0);
  const rollout = newRollout({ id: 'http-probe-app-7', app, version: 'v2', requester: 'U0DEV', nowMs: t0 });
  const history = values.map(([rate, ms], i) => ({ at: t0 + (i + 1) * 60_000, metrics: { 'request-success-rate': rate, 'request-duration': ms } }));
  return { ...rollout, fromVersion: 'v1', phase: 'analysing', tick: values.length, cluster: { ...rollout.cluster, member1: { ...rollout.cluster.member1!, canary: 'deployed', history } } };
}

it.skipIf(!has)('summaries of a falling success rate and a climbing latency show the fall and the crossing', async () => {
  const emulator = await startEmulator();
  try {
    const client = webClient(emulator);
    const series: [number, number][] = [
      [99.9, 120], [99.92, 118], [99.9, 125], [99.88, 140], [99.7, 180], [99.5, 260],
      [99.3, 330], [99.1, 410], [98.5, 480], [97, 520], [96, 610], [95, 700],
    ];
    const post = async (rollout: Rollout, at: number, threadTs?: string) => {
      const last = series[at - 1]!;
      const samples: MetricSample[] = [
        { metric: 'request-success-rate', value: last[0], min: 99, passed: last[0] >= 99, dryRun: false },
        { metric: 'request-duration', value: last[1], max: 500, passed: last[1] <= 500, dryRun: false },
      ];
      const message = summaryMessage(rollout, { tick: at, stage: 0, results: [{ cluster: 'member1', metrics: samples }], failedChecks: { member1: at > 8 ? 1 : 0 } }, rollout.updatedAt);
      return client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: threadTs, text: message.text, blocks: message.blocks as never });
    };
    const first = rolloutWith(series.slice(0, 1));
    const root = await client.chat.postMessage({ channel: 'C0ROLLOUTS', ...rootMessage(first, first.updatedAt), blocks: rootMessage(first, first.updatedAt).blocks as never });
    for (const at of [6, 8, 12]) await post(rolloutWith(series.slice(0, at)), at, root.ts!);
    const atGate = rolloutWith(series.slice(0, 6));
    const opened = { ...atGate, gates: atGate.gates.map((g, i) => (i === 0 ? { ...g, state: 'open' as const, openedAt: atGate.updatedAt } : g)) };
    const gate = gateMessage(opened, 1, opened.updatedAt);
    await client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: root.ts!, reply_broadcast: true, text: gate.text, blocks: gate.blocks as never });

    const { page: p, errors } = await page(emulator.url, 'U0LEAD');
    await p.locator(`[data-open-thread="${root.ts}"]`).first().click();
    await p.locator('#thread-body').getByText('Analysis #12').waitFor();
    const thread = await p.locator('#thread-body').innerText();
    // After 6 intervals: a slide towards min 99 that still passes (█ → ▆); latency rising, far under max 500.
    expect(thread).toContain('request-success-rate 99.50 (min 99) ████▇▆');
    expect(thread).toContain('request-duration 260 ms (max 500) ▁▁▁▁▂▃');
    // After 12: the success rate slides to the threshold (▄) and crosses it onto the failing
    // bars (▂▁); the latency climbs to max 500 (▆) and past it (▇█).
    expect(thread).toContain('request-success-rate 95 (min 99) ████▇▆▅▄▂▂▁▁');
    expect(thread).toContain('request-duration 700 ms (max 500) ▁▁▁▁▂▃▄▅▆▇██');
    await p.locator('#thread-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await p.screenshot({ path: '/tmp/rollgate-look-3-falling.png' });
    expect(errors).toEqual([]);
  } finally {
    await emulator.close();
  }
});
