// The Bolt app on its HTTP receiver: /slack/events (signature-checked by Bolt: a bad or
// stale signature is a 401 and nothing else), plus our own routes.
import type { Server } from 'node:http';
import bolt from '@slack/bolt';
import type { CustomRoute } from '@slack/bolt';
import type { Logger } from 'pino';
import { registerGateButtons } from './actions/gate-buttons.js';
import { slackLogger } from './bolt-logger.js';
import { registerRolloutCommand } from './commands/rollout-command.js';
import type { BotContext } from './context.js';

const { App, HTTPReceiver } = bolt;

export interface SlackAppOptions {
  ctx: BotContext;
  signingSecret: string;
  token: string;
  slackApiUrl?: string;
  routes: CustomRoute[];
  log: Logger;
}

export function createSlackApp(options: SlackAppOptions) {
  const logger = slackLogger(options.log.child({ component: 'bolt' }));
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: '/slack/events',
    customRoutes: options.routes,
    logger,
    processBeforeResponse: false,
  });
  const app = new App({
    receiver,
    token: options.token,
    logger,
    clientOptions: { ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}), retryConfig: { retries: 2 } },
  });
  registerRolloutCommand(app, options.ctx);
  registerGateButtons(app, options.ctx);
  app.error(async (error) => {
    options.log.error({ err: error.message, code: (error as { code?: string }).code }, 'slack handler failed');
  });
  return {
    app,
    client: app.client,
    start: async (port: number) => (await app.start(port)) as Server,
    stop: () => app.stop(),
  };
}
