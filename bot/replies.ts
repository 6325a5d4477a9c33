// Private answers to a person, through the response_url of their command or click.
import type { Logger } from 'pino';
import type { Replies } from '../jobs/ports.js';

export function createReplies(options: { log: Logger; timeoutMs?: number }): Replies {
  return {
    async reply(responseUrl, text) {
      if (!responseUrl) return;
      try {
        const response = await fetch(responseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, text }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        });
        if (!response.ok) options.log.warn({ status: response.status }, 'response_url refused the reply');
      } catch (error) {
        options.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not reply through response_url');
      }
    },
  };
}
