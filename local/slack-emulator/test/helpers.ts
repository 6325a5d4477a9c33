// Shared test fixtures: an emulator on port 0, a WebClient aimed at it, a controllable clock,
// and a tiny signature-checking bot on node:http.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { createSlackEmulator, isValidSlackSignature, type SlackEmulator, type SlackEmulatorOptions } from '../src/index.js';

export { quiet };
export const SIGNING_SECRET = 'test-signing-secret';
export const TOKEN = 'xoxb-local-rollgate';

export function manualClock(start = Date.UTC(2024, 10, 21, 21, 30, 22)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

export async function startEmulator(options: Partial<SlackEmulatorOptions> = {}): Promise<SlackEmulator> {
  const emulator = createSlackEmulator({ signingSecret: SIGNING_SECRET, ...options });
  await emulator.listen(0);
  return emulator;
}

const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => 'error' as never, setName() {} };

export function webClient(emulator: SlackEmulator, token = TOKEN, extra: ConstructorParameters<typeof WebClient>[1] = {}): WebClient {
  return new WebClient(token, { slackApiUrl: emulator.apiUrl, retryConfig: { retries: 0 }, logger: quiet, ...extra });
}

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  rawBody: string;
  form: URLSearchParams;
  signatureValid: boolean;
}

type Answer = (req: ReceivedRequest, res: ServerResponse) => void | Promise<void>;

/** A stand-in bot: checks each request's v0 signature and lets the test answer it. */
export async function startTinyBot(answer: Answer = (_r, res) => void res.writeHead(200).end()) {
  const received: ReceivedRequest[] = [];
  let respond = answer;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const signatureValid = isValidSlackSignature({
      signingSecret: SIGNING_SECRET,
      timestamp: req.headers['x-slack-request-timestamp'] as string | undefined,
      signature: req.headers['x-slack-signature'] as string | undefined,
      rawBody,
      nowMs: Date.now(),
    });
    const request = { headers: req.headers, rawBody, form: new URLSearchParams(rawBody), signatureValid };
    received.push(request);
    if (!signatureValid) return void res.writeHead(401).end();
    await respond(request, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    received,
    answerWith(next: Answer) {
      respond = next;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export const gateBlocks = (rolloutId = 'r1') => [
  { type: 'header', text: { type: 'plain_text', text: 'Gate: member1' } },
  { type: 'section', text: { type: 'mrkdwn', text: '*checkout* `v2` is waiting for approval in *member1*' } },
  {
    type: 'actions',
    block_id: 'gate-member1',
    elements: [
      { type: 'button', action_id: 'rollout_approve', text: { type: 'plain_text', text: 'Approve' }, style: 'primary', value: `${rolloutId}:member1` },
      {
        type: 'button',
        action_id: 'rollout_rollback',
        text: { type: 'plain_text', text: 'Rollback' },
        style: 'danger',
        value: `${rolloutId}:member1`,
        confirm: {
          title: { type: 'plain_text', text: 'Roll back member1?' },
          text: { type: 'mrkdwn', text: 'The canary in *member1* will be deleted.' },
          confirm: { type: 'plain_text', text: 'Roll back' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
    ],
  },
];
