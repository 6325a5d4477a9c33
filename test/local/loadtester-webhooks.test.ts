// The load-tester stand-in answers like Flagger's load tester (pkg/loadtester/server.go), and
// its faults act on the wire.
import { afterEach, expect, it } from 'vitest';
import { createLoadTester, type LoadTester } from '@rollgate/fleet-sim';
import { createWebhookCaller } from '../../rollout/webhooks/http-caller.js';

let lt: LoadTester | undefined;
afterEach(async () => {
  await lt?.close();
  lt = undefined;
});

const canary = { name: 'podinfo', namespace: 'test', phase: 'Progressing', checksum: 'c' };
const post = (path: string, body: unknown) => fetch(`${lt!.url()}${path}`, { method: 'POST', body: JSON.stringify(body) }).then(async (r) => [r.status, await r.text()]);

it('answers tasks, gates and rollback gates as Flagger does', async () => {
  lt = createLoadTester();
  await lt.listen(0);
  expect(await post('/', { ...canary, metadata: { cmd: 'hey -z 1m http://podinfo-canary.test:9898/' } })).toEqual([202, '']);
  expect(await post('/', { ...canary, metadata: { type: 'bash', cmd: 'bats /tests' } })).toEqual([200, '']);
  expect(await post('/', canary)).toEqual([400, 'metadata not found in payload']);
  expect(await post('/', { ...canary, metadata: { type: 'ngrinder', cmd: 'x' } })).toEqual([400, 'unknown task type ngrinder']);
  expect(await post('/gate/approve', canary)).toEqual([200, 'OK']);
  expect(await post('/gate/halt', canary)).toEqual([403, 'Forbidden']);
  expect(await post('/gate/check', canary)).toEqual([403, 'Forbidden']);
  expect((await post('/gate/open', canary))[0]).toBe(202);
  expect(await post('/gate/check', canary)).toEqual([200, 'Approved']);
  expect(await post('/gate/check', { ...canary, name: 'other' })).toEqual([403, 'Forbidden']);
  expect(await post('/rollback/check', canary)).toEqual([403, 'Forbidden']);
  expect((await post('/rollback/open', canary))[0]).toBe(202);
  expect(await post('/rollback/check', canary)).toEqual([200, 'Approved']);
  expect((await post('/gate/close', canary))[0]).toBe(202);
  expect(await post('/gate/check', canary)).toEqual([403, 'Forbidden']);
  expect(lt.calls().map((c) => `${c.path} ${c.status}`).slice(0, 3)).toEqual(['/ 202', '/ 200', '/ 400']);
});

it('fails on the wire as told: a status a given number of times, or no answer until the caller times out', async () => {
  lt = createLoadTester();
  await lt.listen(0);
  const caller = createWebhookCaller({ sleep: async () => undefined });
  const hook = { name: 'load-test', type: 'rollout' as const, url: `${lt.url()}/`, timeout: 200, retries: 1, muteAlert: false, disableTLS: false };
  const payload = { name: 'podinfo', namespace: 'test', phase: 'Progressing' as const, checksum: 'c', metadata: { cmd: 'hey' } };
  lt.setFault({ path: '/', status: 503, body: 'overloaded', times: 1 });
  expect(await caller.call(hook, hook.url, payload)).toMatchObject({ ok: true, status: 202, attempts: 2 });
  lt.setFault({ path: '/', hang: true });
  expect(await caller.call(hook, hook.url, payload)).toMatchObject({ ok: false, attempts: 2, reason: 'timed out after 0.2 s' });
  lt.clearFaults();
  expect(await caller.call({ ...hook, url: 'http://127.0.0.1:1/' }, 'http://127.0.0.1:1/', payload)).toMatchObject({ ok: false, reason: expect.stringContaining('connection refused') });
});
