// `rollgate worker` with ROLLGATE_WORKER_PORT answers the probes and scrapes a Kubernetes
// worker pod needs: /healthz, /readyz (503 and why until the bot token is verified), /metrics.
import { randomBytes } from 'node:crypto';
import { afterAll, expect, inject, it } from 'vitest';
import { freePort } from '@rollgate/demo';
import { createSlackEmulator } from '@rollgate/slack-emulator';
import { cleanEnv, eventually, runRollgate } from '../support/rollgate-process.js';
import { writeUnreachableFleetFiles } from '../support/unreachable-fleet.js';

const { configFile, kubeconfigFile } = writeUnreachableFleetFiles('worker-probes');
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
