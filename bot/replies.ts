// Private answers to a person, through the response_url of their command or click (or, for a
// click on the Home tab, which has none, in their direct messages with the app).
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { Replies } from '../jobs/ports.js';
import { section } from './blocks/kit.js';
import { answerWords } from './blocks/answer-words.js';
import { gateMessage } from './blocks/messages.js';
import { sendDirect } from './direct-message.js';

export function createReplies(options: { log: Logger; timeoutMs?: number; clock?: () => number; client?: WebClient }): Replies {
  const clock = options.clock ?? Date.now;
  async function send(responseUrl: string, body: Record<string, unknown>): Promise<void> {
    try {
      const response = await fetch(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      if (!response.ok) options.log.warn({ status: response.status }, 'response_url refused the reply');
    } catch (error) {
      options.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not reply through response_url');
    }
  }
  return {
    async reply(responseUrl, answer, replyOptions) {
      if (responseUrl) await send(responseUrl, { response_type: 'ephemeral', replace_original: replyOptions?.replaceOriginal === true, text: answerWords(answer) });
    },
    async restoreGate(responseUrl, rollout, stage) {
      if (responseUrl) await send(responseUrl, { replace_original: true, ...gateMessage(rollout, stage, clock()) });
    },
    async direct(user, answer) {
      if (!options.client) return;
      const text = answerWords(answer);
      await sendDirect(options.client, user, { text, blocks: [section(text)] }).catch((error: unknown) => {
        options.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not answer in direct messages');
      });
    },
  };
}
