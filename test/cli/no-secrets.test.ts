// The real process in every failure mode we can produce: no byte it prints holds the bot
// token, the signing secret, the app-level token or the Redis password. Along the way: an
// unreachable Slack is retried while /readyz says why, a refused token is one line and exit 1,
// a Redis that is down gives a prompt 503, and hostile payloads get an answer, not a 500.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import { freePort } from '@rollgate/demo';
import { signedHeaders } from '@rollgate/slack-emulator';
import { createSlackEmulator, type SlackEmulator } from '@rollgate/slack-emulator';
import { configDocument } from '../fixtures/config.js';
import { cleanEnv, eventually, runRollgate, type RunningRollgate } from '../support/rollgate-process.js';
import { startUnresponsiveServer, type UnresponsiveServer } from '../support/unresponsive-server.js';
import { writeUnreachableFleetFiles } from '../support/unreachable-fleet.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BOT_TOKEN = `xoxb-${randomBytes(12).toString('hex')}`;
const SIGNING_SECRET = randomBytes(16).toString('hex');
const APP_TOKEN = `xapp-1-A0ROLLGATE-${randomBytes(12).toString('hex')}`;
const REDIS_PASSWORD = `pw${randomBytes(8).toString('hex')}`;
const SECRETS = { BOT_TOKEN, SIGNING_SECRET, APP_TOKEN, REDIS_PASSWORD, 'the bot token without its prefix': BOT_TOKEN.slice(5) };

// Every cluster behind a port nobody listens on: no rollout runs in these tests.
const { dir, configFile, kubeconfigFile } = writeUnreachableFleetFiles('secrets');

const processes: RunningRollgate[] = [];
const emulators: SlackEmulator[] = [];
const servers: UnresponsiveServer[] = [];
afterEach(async () => {
  for (const p of processes.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  for (const e of emulators.splice(0)) await e.close();
  for (const s of servers.splice(0)) await s.close();
});

function expectNoSecret(output: string): void {
  for (const [name, value] of Object.entries(SECRETS)) expect(output.includes(value), `${name} printed in:\n${output}`).toBe(false);
}

async function emulator(options: { botToken?: string; port?: number } = {}): Promise<SlackEmulator> {
  const slack = createSlackEmulator({ signingSecret: SIGNING_SECRET, botToken: options.botToken ?? BOT_TOKEN, appToken: APP_TOKEN });
  await slack.listen(options.port ?? 0);
  emulators.push(slack);
  return slack;
}

function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return cleanEnv({
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    REDIS_URL: inject('redisUrl'),
    ROLLGATE_REDIS_PREFIX: `secrets-${randomBytes(4).toString('hex')}`,
    ROLLGATE_CONFIG: configFile,
    KUBECONFIG: kubeconfigFile,
    // The most talkative level: whatever debug logging prints must be clean too.
    LOG_LEVEL: 'debug',
    ...extra,
  });
}

function start(args: string[], env: NodeJS.ProcessEnv): RunningRollgate {
  const proc = runRollgate(args, env);
  processes.push(proc);
  return proc;
}

const readyz = async (port: number) => {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`);
  return { status: response.status, text: await response.text() };
};

async function stopWithSigterm(proc: RunningRollgate): Promise<number | string> {
  proc.child.kill('SIGTERM');
  return proc.exited;
}

describe('no secret in any output', () => {
  it('Slack unreachable at start: retried with backoff while /readyz says 503 and why, ready once Slack answers', async () => {
    const slackPort = await freePort();
    const port = await freePort();
    const proc = start(['serve'], baseEnv({ SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`, PORT: String(port) }));
    const notReady = await eventually('a 503 naming Slack', async () => {
      const r = await readyz(port);
      return r.status === 503 && r.text.includes('Slack API unreachable') ? r.text : undefined;
    }, proc);
    expect(notReady).toMatch(/retrying in \d+ s/);
    // Slack comes back on the same address: the next retry gets through.
    await emulator({ port: slackPort });
    await eventually('ready', async () => (await readyz(port)).status === 200, proc);
    expect(proc.child.exitCode).toBeNull();
    expect(await stopWithSigterm(proc)).toBe(0);
    expectNoSecret(proc.output());
  });

  it('a refused bot token is one line naming SLACK_BOT_TOKEN and exit 1', async () => {
    const slack = await emulator({ botToken: 'xoxb-the-right-one' });
    const proc = start(['serve'], baseEnv({ SLACK_API_URL: slack.apiUrl, PORT: String(await freePort()) }));
    expect(await proc.exited).toBe(1);
    const lines = proc.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^SLACK_BOT_TOKEN: Slack refused the bot token \(invalid_auth\)/);
    expectNoSecret(proc.output());
  });

  it('a refused bot token stops `rollgate worker` the same way', async () => {
    const slack = await emulator({ botToken: 'xoxb-the-right-one' });
    const proc = start(['worker'], baseEnv({ SLACK_API_URL: slack.apiUrl }));
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toMatch(/^SLACK_BOT_TOKEN: Slack refused the bot token \(invalid_auth\)/);
    expectNoSecret(proc.output());
  });

  it('Redis down or hanging: /readyz answers 503 and why, and SIGTERM still ends the process', async () => {
    const slack = await emulator();
    const hung = await startUnresponsiveServer('silent');
    servers.push(hung);
    const closed = await freePort();
    for (const redisUrl of [`redis://:${REDIS_PASSWORD}@127.0.0.1:${closed}`, `redis://:${REDIS_PASSWORD}@${hung.url.replace('http://', '')}`]) {
      const port = await freePort();
      const proc = start(['serve'], baseEnv({ SLACK_API_URL: slack.apiUrl, PORT: String(port), REDIS_URL: redisUrl, ROLLGATE_SHUTDOWN_MS: '3000' }));
      const answer = await eventually('an answer from /readyz', async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok && readyz(port), proc);
      expect(answer.status).toBe(503);
      expect(answer.text).toContain('Redis');
      const code = await stopWithSigterm(proc);
      expect([0, 1]).toContain(code);
      expectNoSecret(proc.output());
    }
  });

  it('a bad config, a missing kubeconfig and a bad environment each end in clear lines, exit 1', async () => {
    const slack = await emulator();
    const badConfig = join(dir, 'bad.yaml');
    writeFileSync(badConfig, stringify({ ...configDocument(), surprise: true }));
    const cases: { env: Record<string, string>; says: RegExp }[] = [
      { env: { ROLLGATE_CONFIG: badConfig, KUBECONFIG: kubeconfigFile }, says: /surprise/ },
      { env: { ROLLGATE_CONFIG: configFile, KUBECONFIG: '/nonexistent/kubeconfig' }, says: /^KUBECONFIG: cannot load \/nonexistent\/kubeconfig: no such file$/m },
      { env: { KUBECONFIG: kubeconfigFile, SLACK_APP_TOKEN: `xoxb-${APP_TOKEN}` }, says: /SLACK_APP_TOKEN: must be an app-level token/ },
    ];
    for (const c of cases) {
      const proc = start(['serve'], baseEnv({ SLACK_API_URL: slack.apiUrl, PORT: String(await freePort()), ...c.env }));
      expect(await proc.exited).toBe(1);
      expect(proc.stderr()).toMatch(c.says);
      expectNoSecret(proc.output());
    }
  });

  it('Socket Mode with Slack unreachable at start: retried while /readyz says why, connected once Slack answers', async () => {
    const slackPort = await freePort();
    const port = await freePort();
    const proc = start(['serve'], baseEnv({ SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`, PORT: String(port), SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: '' }));
    await eventually('a 503 naming Socket Mode', async () => {
      const r = await readyz(port);
      return r.status === 503 && r.text.includes('Socket Mode not connected');
    }, proc);
    const slack = await emulator({ port: slackPort });
    await eventually('ready', async () => (await readyz(port)).status === 200, proc);
    expect(slack.socketConnections()).toHaveLength(1);
    expect(await stopWithSigterm(proc)).toBe(0);
    expectNoSecret(proc.output());
  });

  it('a refused app-level token in Socket Mode ends in one line naming SLACK_APP_TOKEN', async () => {
    const slack = await emulator();
    const refused = start(['serve'], baseEnv({ SLACK_API_URL: slack.apiUrl, PORT: String(await freePort()), SLACK_APP_TOKEN: `xapp-1-A0ROLLGATE-${randomBytes(6).toString('hex')}`, SLACK_SIGNING_SECRET: '' }));
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toMatch(/SLACK_APP_TOKEN: Slack refused it \(invalid_auth\)/);
    expectNoSecret(refused.output());
  });

  it('hostile payloads, SIGTERM: answered without a 500, and the output stays clean', async () => {
    const slack = await emulator();
    const port = await freePort();
    const proc = start(['serve'], baseEnv({ SLACK_API_URL: slack.apiUrl, PORT: String(port) }));
    await eventually('ready', async () => (await readyz(port)).status === 200, proc);
    const post = async (rawBody: string) => {
      const headers = signedHeaders({ signingSecret: SIGNING_SECRET, nowMs: Date.now(), rawBody });
      return (await fetch(`http://127.0.0.1:${port}/slack/events`, { method: 'POST', headers, body: rawBody })).status;
    };
    const action = (extra: Record<string, unknown>) =>
      new URLSearchParams({
        payload: JSON.stringify({ type: 'block_actions', team: { id: 'T0LOCAL' }, channel: { id: 'C0ROLLOUTS' }, container: { type: 'message', message_ts: '1.000001', channel_id: 'C0ROLLOUTS' }, message: { ts: '1.000001', text: 'Gate' }, response_url: `${slack.url}/response/nope`, trigger_id: '1.2.3', actions: [{ type: 'button', action_id: 'rollout_approve', block_id: 'b', value: '{"r":"http-probe-app-1","s":1}', action_ts: '2.000001' }], ...extra }),
      }).toString();
    const statuses = {
      'a click without a user': await post(action({})),
      'a click with a null user': await post(action({ user: null })),
      'a command without a user': await post(new URLSearchParams({ command: '/rollout', text: 'pause http-probe-app-1', team_id: 'T0LOCAL', channel_id: 'C0ROLLOUTS', response_url: `${slack.url}/response/nope`, trigger_id: '1.2.4' }).toString()),
      'a payload that is not JSON': await post('payload=%7Bnot-json'),
    };
    for (const [what, status] of Object.entries(statuses)) expect([200, 400], what).toContain(status);
    expect(proc.child.exitCode).toBeNull();
    expect((await readyz(port)).status).toBe(200);
    expect(await stopWithSigterm(proc)).toBe(0);
    expectNoSecret(proc.output());
  });

  it('an error nothing caught ends the process with one redacted line, never a dump of the error object', async () => {
    const script = [
      `import { installFatalHandlers } from ${JSON.stringify(join(ROOT, 'dist/cli/fatal.js'))};`,
      `import { secretRedactor } from ${JSON.stringify(join(ROOT, 'dist/cli/redact.js'))};`,
      `installFatalHandlers({ redact: secretRedactor([process.env.SLACK_BOT_TOKEN]) });`,
      // Shaped like a Web API request error: the request config holds the token twice.
      `const error = Object.assign(new Error('A request error occurred: connect ECONNREFUSED'), { code: 'slack_webapi_request_error', original: { config: { headers: { Authorization: 'Bearer ' + process.env.SLACK_BOT_TOKEN }, data: 'token=' + process.env.SLACK_BOT_TOKEN } } });`,
      `Promise.reject(error);`,
    ].join('\n');
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: cleanEnv({ SLACK_BOT_TOKEN: BOT_TOKEN }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise((done) => child.once('exit', done));
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toEqual(['rollgate: unhandled rejection, exiting: slack_webapi_request_error: A request error occurred: connect ECONNREFUSED']);
    expectNoSecret(out);
  });
});
