// Slack request signing, version 0: hex HMAC-SHA256 of "v0:<timestamp>:<raw body>".
import { createHmac, timingSafeEqual } from 'node:crypto';

export function slackSignature(signingSecret: string, timestampSec: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`;
}

/** How a request to the bot is signed; everything but 'valid' is a deliberate forgery. */
export type Signing = 'valid' | 'bad-signature' | 'stale-timestamp' | 'no-signature';

const STALE_BY_SEC = 10 * 60;

export function signedHeaders(options: { signingSecret: string; nowMs: number; rawBody: string; signing?: Signing }): Record<string, string> {
  const { signingSecret, rawBody, signing = 'valid' } = options;
  const nowSec = Math.floor(options.nowMs / 1000);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (signing === 'no-signature') return headers;
  const timestamp = signing === 'stale-timestamp' ? nowSec - STALE_BY_SEC : nowSec;
  const secret = signing === 'bad-signature' ? `${signingSecret}-but-wrong` : signingSecret;
  headers['x-slack-request-timestamp'] = String(timestamp);
  headers['x-slack-signature'] = slackSignature(secret, timestamp, rawBody);
  return headers;
}

/**
 * Checks a request the way a Slack app must: timestamp within 5 minutes of now, signature
 * equal in constant time. For tests and for anything that stands in for the bot.
 */
export function isValidSlackSignature(options: { signingSecret: string; timestamp: string | undefined; signature: string | undefined; rawBody: string; nowMs: number }): boolean {
  const { signingSecret, timestamp, signature, rawBody, nowMs } = options;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > 5 * 60) return false;
  const expected = Buffer.from(slackSignature(signingSecret, Number(timestamp), rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
