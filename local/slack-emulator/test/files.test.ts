// Slack's external upload flow on the emulator: files.getUploadURLExternal, the bytes POSTed to
// upload_url (raw or multipart, as Slack takes both), files.completeUploadExternal, the file
// message and GET /_emulator/files/<id>. Plus the refusals Slack documents.
import { afterEach, describe, expect, it } from 'vitest';
import type { WebClient } from '@slack/web-api';
import type { SlackEmulator } from '../src/index.js';
import { renderBlocks } from '../src/page/render-blocks.js';
import { renderMrkdwn } from '../src/page/render-mrkdwn.js';
import { clientView } from '../src/page/client-view.js';
import { postJson, startEmulator, TOKEN, webClient } from './helpers.js';

let emulator: SlackEmulator;
afterEach(async () => emulator?.close());

const BYTES = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), Buffer.from('IHDR'), Buffer.from([0, 0, 2, 0, 0, 0, 1, 0]), Buffer.alloc(200, 7)]);

async function api(method: string, body: Record<string, unknown>) {
  const res = await fetch(`${emulator.apiUrl}${method}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
  return res.json() as Promise<Record<string, any>>;
}

async function announce(client: WebClient, filename = 'chart.png', length = BYTES.length) {
  const res = await client.files.getUploadURLExternal({ filename, length });
  expect(res).toMatchObject({ ok: true, file_id: expect.stringMatching(/^F\w+$/), upload_url: expect.stringContaining(`${emulator.url}/upload/v1/`) });
  return { id: res.file_id!, url: res.upload_url! };
}

describe('external file upload', () => {
  it('takes raw bytes (curl --data-binary) and shares the file in a thread, under the root', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    const root = await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'root' });
    const reply = await client.chat.postMessage({ channel: 'C0ROLLOUTS', thread_ts: root.ts!, text: 'reply' });
    const { id, url } = await announce(client);
    const upload = await fetch(url, { method: 'POST', body: BYTES });
    expect([upload.status, await upload.text()]).toEqual([200, `OK - ${BYTES.length}`]);

    const done = await client.files.completeUploadExternal({ files: [{ id, title: 'The chart' }], channel_id: 'C0ROLLOUTS', thread_ts: reply.ts! });
    expect(done).toMatchObject({ ok: true, files: [{ id, title: 'The chart' }] });
    const message = emulator.state().messages[0]!.replies.at(-1)!;
    expect(message).toMatchObject({ thread_ts: root.ts, text: '', files: [{ id, name: 'chart.png', title: 'The chart', mimetype: 'image/png', size: BYTES.length, original_w: 512, original_h: 256 }] });

    const history = await client.conversations.replies({ channel: 'C0ROLLOUTS', ts: root.ts! });
    expect(history.messages?.at(-1)).toMatchObject({ upload: true, files: [{ id }] });
    const bytes = await fetch(`${emulator.url}/_emulator/files/${id}`);
    expect(Buffer.from(await bytes.arrayBuffer()).equals(BYTES)).toBe(true);
  });

  it('takes a multipart form (curl -F filename=@file) and uses blocks when there is no initial_comment', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    const { id, url } = await announce(client, 'notes.txt', 11);
    const form = new FormData();
    form.append('note', 'not the file');
    form.append('filename', new Blob([Buffer.from('hello slack')]), 'notes.txt');
    expect((await fetch(url, { method: 'POST', body: form })).status).toBe(200);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*notes*' } }];
    expect(await api('files.completeUploadExternal', { files: [{ id }], channel_id: 'C0ROLLOUTS', blocks })).toMatchObject({ ok: true, files: [{ id, title: 'notes.txt' }] });
    const [message] = emulator.state().messages;
    expect(message).toMatchObject({ blocks: [{ type: 'section' }], files: [{ mimetype: 'text/plain', filetype: 'txt', size: 11 }] });
    expect(await (await fetch(`${emulator.url}/_emulator/files/${id}`)).text()).toBe('hello slack');
  });

  it('keeps a file without channel_id private: no message, bytes still served', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    const { id, url } = await announce(client);
    await fetch(url, { method: 'POST', body: BYTES });
    expect(await client.files.completeUploadExternal({ files: [{ id }] })).toMatchObject({ ok: true });
    expect(emulator.state().messages).toEqual([]);
    expect((await fetch(`${emulator.url}/_emulator/files/${id}`)).status).toBe(200);
    emulator.reset();
    expect((await fetch(`${emulator.url}/_emulator/files/${id}`)).status).toBe(404);
  });

  it('refuses what Slack refuses', async () => {
    emulator = await startEmulator();
    const client = webClient(emulator);
    expect(await api('files.getUploadURLExternal', { length: 10 })).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(await api('files.getUploadURLExternal', { filename: 'a.png', length: 0 })).toMatchObject({ ok: false, error: 'missing_argument' });
    expect(await api('files.getUploadURLExternal', { filename: 'a.png', length: 5, alt_txt: 'x'.repeat(1001) })).toMatchObject({ ok: false, error: 'alt_txt_too_large' });

    const { id, url } = await announce(client);
    // Completing before the bytes arrived, or an id nobody announced: Slack cannot find the file.
    expect(await api('files.completeUploadExternal', { files: [{ id }], channel_id: 'C0ROLLOUTS' })).toMatchObject({ ok: false, error: 'file_not_found' });
    expect(await api('files.completeUploadExternal', { files: [{ id: 'F0NOSUCH' }] })).toMatchObject({ ok: false, error: 'file_not_found' });
    expect(await api('files.completeUploadExternal', { files: 'not json' })).toMatchObject({ ok: false, error: 'invalid_arguments' });
    expect(await api('files.completeUploadExternal', { files: [] })).toMatchObject({ ok: false, error: 'invalid_arguments' });

    expect((await fetch(`${emulator.url}/upload/v1/no-such-ticket`, { method: 'POST', body: BYTES })).status).toBe(404);
    const broken = await fetch(url, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: 'garbage' });
    expect(broken.status).toBe(400);
    await fetch(url, { method: 'POST', body: BYTES });
    expect(await api('files.completeUploadExternal', { files: [{ id }], channel_id: 'C0NOSUCH' })).toMatchObject({ ok: false, error: 'channel_not_found' });
    expect(await api('files.completeUploadExternal', { files: [{ id }], channel_id: 'C0ROLLOUTS', blocks: [{ type: 'nope' }] })).toMatchObject({ ok: false, error: 'invalid_blocks' });
    expect(await api('files.completeUploadExternal', { files: [{ id }, { id }], channel_id: 'C0ROLLOUTS' })).toMatchObject({ ok: true, files: [{ id }] });
    // "This method can only be called once."
    expect(await api('files.completeUploadExternal', { files: [{ id }], channel_id: 'C0ROLLOUTS' })).toMatchObject({ ok: false, error: 'file_not_found' });
    expect((await fetch(url, { method: 'POST', body: BYTES })).status).toBe(404); // the upload URL is used up
    expect(emulator.state().messages).toHaveLength(1);
    expect((await postJson(`${emulator.url}/_emulator/reset`, {})).status).toBe(200);
  });

  it('shows an image file on the page as an <img>, anything else as a link', () => {
    const view = clientView(renderMrkdwn, renderBlocks);
    const state = { bot: { userId: 'U0ROLLGATE', name: 'rollgate' }, users: [], channels: [], usergroups: [], messages: [] };
    const ctx = { state, names: view.names(state, 'U0DEV') };
    const image = { name: 'c.png', title: 'Metrics <b>', mimetype: 'image/png', url_private: 'http://e/_emulator/files/F1', original_w: 1200, original_h: 894 };
    const html = view.message(ctx, { ts: '1.000001', channel: 'C0ROLLOUTS', user: 'U0ROLLGATE', text: '', files: [image], replies: [] }, undefined);
    expect(html).toContain('<img src="http://e/_emulator/files/F1" alt="Metrics &lt;b&gt;" width="1200" height="894">');
    expect(html).not.toContain('class="text"');
    const text = view.message(ctx, { ts: '1.000002', channel: 'C0ROLLOUTS', user: 'U0ROLLGATE', text: 'log', files: [{ name: 'a.txt', mimetype: 'text/plain', filetype: 'txt', size: 3, url_private: 'http://e/f' }], replies: [] }, undefined);
    expect(text).toContain('class="file file-chip" href="http://e/f"');
  });
});
