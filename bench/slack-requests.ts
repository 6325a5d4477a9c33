// Signed requests as Slack sends them: slash commands and block_actions clicks.
import { createHmac } from 'node:crypto';

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

export function sign(secret: string, body: string, nowMs = Date.now()): SignedRequest {
  const timestamp = Math.floor(nowMs / 1000);
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    },
  };
}

let counter = 0;
const nextId = () => `${Date.now()}.${++counter}`;

export function slashCommand(options: { text: string; user: string; channel?: string; responseUrl: string }): string {
  return new URLSearchParams({
    token: 'bench',
    team_id: 'T0BENCH',
    team_domain: 'bench',
    channel_id: options.channel ?? 'C0BENCH',
    channel_name: 'bench',
    user_id: options.user,
    user_name: options.user.toLowerCase(),
    command: '/rollout',
    text: options.text,
    api_app_id: 'A0BENCH',
    is_enterprise_install: 'false',
    response_url: options.responseUrl,
    trigger_id: `trigger.${nextId()}`,
  }).toString();
}

/** An Approve click on the gate message `ts` (a click from any other message is refused). */
export function approveClick(options: { rolloutId: string; stage: number; user: string; channel: string; ts: string; responseUrl: string }): string {
  const actionTs = nextId();
  const payload = {
    type: 'block_actions',
    team: { id: 'T0BENCH', domain: 'bench' },
    user: { id: options.user, username: options.user.toLowerCase(), name: options.user.toLowerCase(), team_id: 'T0BENCH' },
    api_app_id: 'A0BENCH',
    token: 'bench',
    container: { type: 'message', message_ts: options.ts, channel_id: options.channel, is_ephemeral: false },
    trigger_id: `trigger.${actionTs}`,
    channel: { id: options.channel, name: 'bench' },
    message: { type: 'message', ts: options.ts, text: 'gate', blocks: [] },
    response_url: options.responseUrl,
    actions: [
      {
        action_id: 'rollout_approve',
        block_id: 'gate',
        text: { type: 'plain_text', text: 'Approve', emoji: true },
        value: JSON.stringify({ r: options.rolloutId, s: options.stage }),
        style: 'primary',
        type: 'button',
        action_ts: actionTs,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
