// Socket Mode: Bolt's SocketModeReceiver, with our own reconnect loop. Bolt's client waits
// 5 s before reconnecting after Slack asks it to (refresh_requested), leaving the app deaf
// meanwhile, and a reconnect that fails becomes an unhandled rejection that kills the
// process. Here a lost connection is reopened at once, then with backoff, forever.
import { SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/logger';
import type { Logger } from 'pino';

export interface SocketModeReceiverOptions {
  appToken: string;
  /** Where apps.connections.open goes (SLACK_API_URL). */
  slackApiUrl?: string;
  logger: SlackLogger;
  log: Logger;
  sleep?: (ms: number) => Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;
const STOP_WAIT_MS = 2_000;

/** 0 ms for the first retry, then 1 s doubling up to 30 s. */
export const reconnectDelayMs = (attempt: number) => (attempt <= 1 ? 0 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (attempt - 2)));

function startError(error: unknown, slackApiUrl: string | undefined): Error {
  const coded = error as { code?: string; data?: { error?: string }; message?: string };
  if (coded.code === 'slack_webapi_platform_error') {
    return new Error(
      `SLACK_APP_TOKEN: Slack refused it (${coded.data?.error ?? 'unknown error'}); use an app-level token (xapp-…) with the connections:write scope, from Slack app settings > Basic Information > App-Level Tokens, and enable Socket Mode`,
      { cause: error },
    );
  }
  return new Error(`Socket Mode: could not open a connection through ${slackApiUrl ?? 'https://slack.com/api/'}: ${coded.message ?? String(error)}`, { cause: error });
}

export function createSocketModeReceiver(options: SocketModeReceiverOptions): Receiver & { connected(): boolean } {
  const { log } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const inner = new SocketModeReceiver({
    appToken: options.appToken,
    logger: options.logger,
    autoReconnectEnabled: false,
    installerOptions: {
      clientOptions: {
        ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
        // Only apps.connections.open uses this client; a few quick retries, then the loop below.
        retryConfig: { retries: 3, factor: 2, minTimeout: 200, maxTimeout: 2000 },
      },
    },
  });
  const client = inner.client;
  let stopping = false;
  let connected = false;
  let reconnecting: Promise<void> | undefined;

  async function reconnect(): Promise<void> {
    for (let attempt = 1; !stopping; attempt += 1) {
      await sleep(reconnectDelayMs(attempt));
      if (stopping) return;
      try {
        await client.start();
        if (stopping) return void (await client.disconnect());
        connected = true;
        log.info({ attempt }, 'socket mode reconnected');
        return;
      } catch (error) {
        log.warn({ attempt, err: error instanceof Error ? error.message : String(error) }, 'socket mode reconnect failed; trying again');
      }
    }
  }

  client.on('disconnected', () => {
    const wasConnected = connected;
    connected = false;
    // A failed start() also ends in 'disconnected'; only a connection that was up is reopened here.
    if (stopping || !wasConnected || reconnecting) return;
    log.info('socket mode connection closed; reconnecting');
    reconnecting = reconnect().finally(() => (reconnecting = undefined));
  });

  return {
    init: (app) => inner.init(app),
    async start() {
      stopping = false;
      try {
        await client.start();
      } catch (error) {
        // A refused app token is final; Slack not answering is retried in the background
        // (readiness says "not connected" meanwhile), as a lost connection is.
        if ((error as { code?: string }).code === 'slack_webapi_platform_error') throw startError(error, options.slackApiUrl);
        log.warn({ err: startError(error, options.slackApiUrl).message }, 'socket mode could not connect at start; retrying with backoff');
        if (!reconnecting) reconnecting = reconnect().finally(() => (reconnecting = undefined));
        return;
      }
      connected = true;
      log.info('socket mode connected');
    },
    async stop() {
      stopping = true;
      connected = false;
      // A reconnect loop still sleeping sees `stopping` when it wakes and gives up.
      await Promise.race([client.disconnect(), sleep(STOP_WAIT_MS)]);
    },
    connected: () => connected,
  };
}
