// The Bolt app on one of two transports. HTTP: Bolt's HTTPReceiver at /slack/events
// (signature-checked: a bad or stale signature is a 401 and nothing else), plus our own routes.
// Socket Mode (an app-level token): events arrive over a WebSocket, no public URL; our routes
// are served on their own HTTP server. The handlers are the same either way.
import type { Server } from 'node:http';
import { App, HTTPReceiver, type CustomRoute, type ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';
import { registerGateButtons } from './actions/gate-buttons.js';
import { registerReasonSubmit } from './actions/reason-submit.js';
import { registerStepButtons } from './actions/step-buttons.js';
import { registerRetryButton } from './actions/retry-button.js';
import { limitBodies } from './body-limit.js';
import { registerAppHome } from './home/app-home.js';
import { slackLogger } from './bolt-logger.js';
import { registerRolloutCommand } from './commands/rollout-command.js';
import type { BotContext } from './context.js';
import type { BotIdentity } from './slack-token-check.js';
import { createSocketModeReceiver } from './socket-mode-receiver.js';
import { startProbeServer } from './probe-server.js';

/** How Slack reaches the app: signed HTTP requests, or Socket Mode with an app-level token. */
export type SlackTransport = { signingSecret: string } | { appToken: string };

export interface SlackAppOptions {
  ctx: BotContext;
  transport: SlackTransport;
  token: string;
  /** The bot's ids once auth.test answered (checked apart, with retries); undefined until then. */
  identity: () => BotIdentity | undefined;
  slackApiUrl?: string;
  routes: CustomRoute[];
  log: Logger;
}

/** Who sent a command or click; Slack always says, so a payload without it is not from Slack. */
function userOf(body: Record<string, unknown>): unknown {
  if (typeof body.command === 'string') return body.user_id;
  if (typeof body.type === 'string' && body.type !== 'event_callback') return (body.user as { id?: unknown } | null | undefined)?.id;
  return 'events carry their user inside';
}

/**
 * Acknowledges and drops a command or interaction that names no user. Bolt reads the user
 * while routing, before any middleware, so such a payload (signed, but not from Slack) was a
 * TypeError and a 500; here it never reaches Bolt.
 */
function dropUserless(app: InstanceType<typeof App>, log: Logger): void {
  const processEvent = app.processEvent.bind(app);
  app.processEvent = async (event: ReceiverEvent) => {
    const user = userOf(event.body as Record<string, unknown>);
    if (typeof user === 'string' && user.length > 0) return processEvent(event);
    log.warn('ignored a request that names no user');
    await event.ack();
  };
}

function httpReceiver(signingSecret: string, routes: CustomRoute[], logger: ReturnType<typeof slackLogger>): InstanceType<typeof HTTPReceiver> {
  const receiver = new HTTPReceiver({ signingSecret, endpoints: '/slack/events', customRoutes: routes, logger, processBeforeResponse: false });
  receiver.requestListener = limitBodies(receiver.requestListener, ['/slack/events']);
  return receiver;
}

export function createSlackApp(options: SlackAppOptions) {
  const logger = slackLogger(options.log.child({ component: 'bolt' }));
  const { transport } = options;
  const socketMode = 'appToken' in transport;
  const receiver = socketMode
    ? createSocketModeReceiver({ appToken: transport.appToken, logger, log: options.log.child({ component: 'socket-mode' }), ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}) })
    : httpReceiver(transport.signingSecret, options.routes, logger);
  const app = new App({
    receiver,
    // Not `token`: with a token, Bolt calls auth.test in its constructor and nothing handles its
    // failure, so an unreachable Slack killed the process with a dump holding the token.
    authorize: async () => ({ botToken: options.token, ...options.identity() }),
    logger,
    // No conversation store: nothing here keeps per-conversation state, and Bolt's default one
    // looks up every event's conversation and builds an Error (with its stack) on each miss.
    convoStore: false,
    clientOptions: { ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}), retryConfig: { retries: 2 } },
  });
  dropUserless(app, options.log);
  registerRolloutCommand(app, options.ctx);
  registerGateButtons(app, options.ctx);
  registerReasonSubmit(app, options.ctx);
  registerStepButtons(app, options.ctx);
  registerRetryButton(app, options.ctx);
  registerAppHome(app, options.ctx);
  app.error(async (error) => {
    options.log.error({ err: error.message, code: (error as { code?: string }).code }, 'slack handler failed');
  });

  let routesServer: Server | undefined;
  return {
    app,
    client: app.client,
    mode: socketMode ? ('socket' as const) : ('http' as const),
    /** Socket Mode: is the WebSocket to Slack open? (HTTP mode: always true.) */
    connected: () => !('connected' in receiver) || receiver.connected(),
    /** Listens on `port` (HTTP: everything; Socket Mode: our routes) and, in Socket Mode, connects to Slack. */
    async start(port: number): Promise<Server> {
      if (!socketMode) return (await app.start(port)) as Server;
      routesServer = await startProbeServer(options.routes, port);
      try {
        await app.start();
      } catch (error) {
        routesServer.close();
        throw error;
      }
      return routesServer;
    },
    async stop(): Promise<void> {
      await app.stop();
      if (routesServer) {
        const server = routesServer;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      }
    },
  };
}
