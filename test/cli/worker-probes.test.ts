// `rollgate worker` with ROLLGATE_WORKER_PORT answers the probes and scrapes a Kubernetes
// worker pod needs: /healthz, /readyz (503 and why until the bot token is verified), /metrics.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '@rollgate/demo';
import { createSlackEmulator } from '@rollgate/slack-emulator';
import { configDocument } from '../fixtures/config.js';
import { cleanEnv, eventually, runRollgate } from '../support/rollgate-process.js';

const dir = mkdtempSync(join(tmpdir(), 'rollgate-worker-probes-'));
const configFile = join(dir, 'rollgate.yaml');
writeFileSync(configFile, stringify(configDocument()));
const kubeconfigFile = join(dir, 'kubeconfig');
writeFileSync(
  kubeconfigFile,
  stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'nowhere', cluster: { server: 'https://127.0.0.1:9' } }],
    users: [{ name: 'u', user: { token: 'kube-token' } }],
    contexts: ['karmada-apiserver', 'member1', 'member2', 'member3'].map((name) => ({ name, context: { cluster: 'nowhere', user: 'u' } })),
    'current-context': 'member1',
  }),
);
const token = `xoxb-${randomBytes(8).toString('hex')}`;
const slack = createSlackEmulator({ signingSecret: 'unused-secret', botToken: token });
await slack.listen(0);
const port = await freePort();
const proc = runRollgate(
  ['worker'],
  cleanEnv({
    SLACK_BOT_TOKEN: token,
    SLACK_API_URL: slack.apiUrl,
    REDIS_URL: inject('redisUrl'),
    ROLLGATE_REDIS_PREFIX: `probes-${randomBytes(4).toString('hex')}`,
    ROLLGATE_CONFIG: configFile,
    KUBECONFIG: kubeconfigFile,
    ROLLGATE_WORKER_PORT: String(port),
  }),
);
afterAll(async () => {
  proc.child.kill('SIGKILL');
  await slack.close();
});
const get = (path: string) => fetch(`http://127.0.0.1:${port}${path}`).then(async (r) => ({ status: r.status, text: await r.text() }), () => undefined);

it('answers /healthz, /readyz and /metrics, and nothing else', async () => {
  expect(await eventually('/healthz', async () => (await get('/healthz'))?.status === 200, proc)).toBe(true);
  expect(await eventually('/readyz ready once the token is verified', async () => (await get('/readyz'))?.status === 200, proc)).toBe(true);
  const metrics = await get('/metrics');
  expect(metrics?.status).toBe(200);
  expect(metrics?.text).toMatch(/^rollgate_build_info\{/m);
  expect(metrics?.text).toMatch(/^rollgate_queue_jobs\{queue="steps",state="waiting"\} \d+$/m);
  expect((await get('/slack/events'))?.status).toBe(404);
  expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(405);
});
