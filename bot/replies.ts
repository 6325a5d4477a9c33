// Private answers to a person, through the response_url of their command or click.
import type { Logger } from 'pino';
import type { Replies } from '../jobs/ports.js';
import { answerWords } from './blocks/answer-words.js';
import { gateMessage } from './blocks/messages.js';

export function createReplies(options: { log: Logger; timeoutMs?: number; clock?: () => number }): Replies {
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
    async reply(responseUrl, answer) {
      if (responseUrl) await send(responseUrl, { response_type: 'ephemeral', replace_original: false, text: answerWords(answer) });
    },
    async restoreGate(responseUrl, rollout, stage) {
      if (responseUrl) await send(responseUrl, { replace_original: true, ...gateMessage(rollout, stage, clock()) });
    },
  };
}
