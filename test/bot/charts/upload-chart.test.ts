// uploadChart through the real WebClient against the Slack emulator on port 0: the chart lands
// as a file message in the rollout's thread and its bytes come back unchanged.
import { afterEach, expect, it } from 'vitest';
import type { SlackEmulator } from '@rollgate/slack-emulator';
import { renderMetricCharts } from '../../../bot/charts/metric-chart.js';
import { uploadChart } from '../../../bot/charts/upload-chart.js';
import { startEmulator, webClient } from '../../../local/slack-emulator/test/helpers.js';
import { realisticRollout } from './fixtures.js';

let emulator: SlackEmulator;
afterEach(async () => emulator?.close());

it('puts the chart in the rollout thread, bytes intact', async () => {
  emulator = await startEmulator();
  const client = webClient(emulator);
  const root = await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'Rollout r-7f3a: checkout v1.8.2 → v1.9.0' });
  await client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: root.ts!, text: 'Analysis #10' });
  const png = renderMetricCharts(realisticRollout());

  await uploadChart(client, {
    channel: 'C0ROLLOUTS',
    threadTs: root.ts!,
    filename: 'rollout-r-7f3a-metrics.png',
    title: 'checkout v1.9.0: metrics over the whole rollout',
    png,
    comment: 'Metrics of rollout `r-7f3a`, every cluster, every interval',
  });

  const [thread] = emulator.state().messages;
  expect(emulator.state().messages).toHaveLength(1); // in the thread, not in the channel
  const reply = thread!.replies.at(-1)!;
  expect(reply).toMatchObject({ thread_ts: root.ts, user: 'U0ROLLGATE', text: 'Metrics of rollout `r-7f3a`, every cluster, every interval' });
  const [file] = reply.files as Record<string, unknown>[];
  expect(file).toMatchObject({ name: 'rollout-r-7f3a-metrics.png', title: 'checkout v1.9.0: metrics over the whole rollout', mimetype: 'image/png', filetype: 'png', size: png.length, original_w: 1200 });

  const download = await fetch(String(file!.url_private));
  expect(download.status).toBe(200);
  expect(download.headers.get('content-type')).toBe('image/png');
  expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);

  // The supported path, call by call: announce, (POST the bytes), complete in the thread.
  expect(emulator.calls().map((c) => c.method)).toEqual(['chat.postMessage', 'chat.postMessage', 'files.getUploadURLExternal', 'files.completeUploadExternal']);
  expect(emulator.calls('files.getUploadURLExternal')[0]?.args).toMatchObject({ filename: 'rollout-r-7f3a-metrics.png', length: String(png.length) });
  expect(emulator.calls('files.completeUploadExternal')[0]?.args).toMatchObject({ channel_id: 'C0ROLLOUTS', thread_ts: root.ts, files: [{ id: file!.id }] });
});

it('reports a Slack refusal as the WebClient error, with its code', async () => {
  emulator = await startEmulator();
  const client = webClient(emulator);
  const png = renderMetricCharts(realisticRollout());
  const args = { channel: 'C0NOSUCH', threadTs: '1700000000.000100', filename: 'chart.png', title: 'chart', png };
  await expect(uploadChart(client, args)).rejects.toMatchObject({ code: 'slack_webapi_platform_error', data: { error: 'channel_not_found' } });
  emulator.setFaults({ error: { method: 'files.getUploadURLExternal', error: 'file_uploads_disabled', count: 1 } });
  await expect(uploadChart(client, { ...args, channel: 'C0ROLLOUTS' })).rejects.toMatchObject({ data: { error: 'file_uploads_disabled' } });
  expect(emulator.state().messages).toEqual([]);
});
