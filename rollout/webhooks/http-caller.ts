// Calls one webhook over HTTP the way Flagger does (pkg/controller/webhook.go): POST the JSON
// payload, a deadline per attempt (the hook's timeout), success on 200–202, and with `retries`
// go-retryablehttp's policy: retry on no answer, 429 and 5xx other than 501, waiting 1 s, 2 s,
// 4 s… (at most 30 s, or the 429/503 Retry-After). Never throws: every outcome is a HookCall.
import http from 'node:http';
import https from 'node:https';
import type { HookConfig } from './hook-config.js';
import { hookSucceeded, type HookCall, type HookPayload } from './hook-call.js';

const MAX_REASON = 200;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

export interface PostAnswer {
  status: number;
  body: string;
  retryAfterMs?: number;
}

export type PostJson = (url: string, body: string, options: { timeoutMs: number; insecure: boolean }) => Promise<PostAnswer>;

export interface WebhookCaller {
  call(hook: HookConfig, url: string, payload: HookPayload, cluster?: string): Promise<HookCall>;
}

export function createWebhookCaller(options: { post?: PostJson; sleep?: (ms: number) => Promise<void> } = {}): WebhookCaller {
  const post = options.post ?? postJson;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return {
    async call(hook, url, payload, cluster) {
      const body = JSON.stringify(payload);
      const base = { name: hook.name, type: hook.type, retries: hook.retries, timeoutMs: hook.timeout, ...(cluster ? { cluster } : {}), ...(hook.muteAlert ? { muted: true } : {}) };
      let last: Omit<HookCall, keyof typeof base | 'attempts'> = { ok: false, reason: 'not called' };
      for (let attempt = 1; ; attempt += 1) {
        let wait: number | undefined;
        try {
          const answer = await post(url, body, { timeoutMs: hook.timeout, insecure: hook.disableTLS });
          const ok = hookSucceeded(answer.status);
          last = { status: answer.status, ok, ...(ok ? {} : { reason: clipped(answer.body) || 'no body' }) };
          if (ok || !retriable(answer.status)) return { ...base, ...last, attempts: attempt };
          wait = answer.retryAfterMs;
        } catch (error) {
          last = { ok: false, reason: error instanceof Error ? error.message : String(error) };
        }
        if (attempt > hook.retries) return { ...base, ...last, attempts: attempt };
        await sleep(wait ?? Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (attempt - 1)));
      }
    },
  };
}

/** go-retryablehttp's DefaultRetryPolicy for an answer. */
function retriable(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

function clipped(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_REASON ? `${flat.slice(0, MAX_REASON - 1)}…` : flat;
}

/** node:http rather than fetch: `disableTLS` needs an agent option fetch does not take. */
export const postJson: PostJson = (url, body, options) => {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        ...(options.insecure ? { rejectUnauthorized: false } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const retryAfter = Number(response.headers['retry-after']);
          const status = response.statusCode ?? 0;
          const limited = status === 429 || status === 503;
          resolve({ status, body: Buffer.concat(chunks).toString('utf8'), ...(limited && Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}) });
        });
        response.on('error', reject);
      },
    );
    // One deadline for the whole exchange, as Go's http.Client.Timeout.
    const seconds = Math.round(options.timeoutMs / 100) / 10;
    const deadline = setTimeout(() => request.destroy(new Error(`timed out after ${seconds} s`)), options.timeoutMs);
    request.on('close', () => clearTimeout(deadline));
    request.on('error', (error) => reject(describe(error)));
    request.end(body);
  });
};

function describe(error: Error): Error {
  if (error instanceof AggregateError && !error.message) {
    return new Error(error.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; '));
  }
  const code = (error as { code?: string }).code;
  return code === 'ECONNREFUSED' ? new Error(`connection refused (${error.message.replace(/^connect ECONNREFUSED /, '')})`) : error;
}
