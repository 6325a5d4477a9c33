/// <reference lib="dom" />
// The uploaded chart as a person sees it: the emulator page in a real Chromium, the rollout's
// thread open, the chart shown as an image. Screenshot: /tmp/chart-in-thread.png.
// Skipped where Chromium is not installed.
import { existsSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import type { SlackEmulator } from '@rollgate/slack-emulator';
import { renderMetricCharts } from '../../../bot/charts/metric-chart.js';
import { uploadChart } from '../../../bot/charts/upload-chart.js';
import { startEmulator, webClient } from '../../../local/slack-emulator/test/helpers.js';
import { realisticRollout } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let emulator: SlackEmulator | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await emulator?.close();
});

it.skipIf(!existsSync(CHROMIUM))('shows the chart as an image in the rollout thread', async () => {
  emulator = await startEmulator();
  const client = webClient(emulator);
  const root = await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'Rollout r-7f3a: checkout v1.8.2 → v1.9.0: rolled back' });
  await client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: root.ts!, text: ':bar_chart: *Analysis #10* · member3 :x: failed · failed checks 2/2' });
  await client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: root.ts!, reply_broadcast: true, text: ':rotating_light: rollout `r-7f3a` of checkout v1.9.0 was *rolled back automatically*: request-success-rate failed in member3.' });
  const png = renderMetricCharts(realisticRollout());
  await uploadChart(client, { channel: 'C0ROLLOUTS', threadTs: root.ts!, filename: 'rollout-r-7f3a-metrics.png', title: 'checkout v1.9.0: metrics over the whole rollout', png, comment: 'Every metric over the whole rollout, per cluster.' });

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(emulator.url);
  await page.locator(`[data-open-thread="${root.ts}"]`).first().click();
  const image = page.locator('#thread-body .file-image img');
  await image.waitFor();
  await page.waitForFunction(() => {
    const img = document.querySelector('#thread-body .file-image img') as { complete: boolean; naturalWidth: number } | null;
    return img !== null && img.complete && img.naturalWidth > 0;
  });
  await page.locator('#thread-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await page.screenshot({ path: '/tmp/chart-in-thread.png' });
  expect(await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1200);
  expect(await page.locator('#thread-body .file-title').textContent()).toBe('checkout v1.9.0: metrics over the whole rollout');
  expect(errors).toEqual([]);
});
