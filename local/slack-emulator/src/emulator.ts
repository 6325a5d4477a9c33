// createSlackEmulator: composes the workspace, history, Web API, delivery to the bot (signed
// HTTP or Socket Mode), response_urls, the control API and the page into one HTTP server.
import type { AddressInfo } from 'node:net';
import { BOT_TIMEOUT_MS, createBotDispatch, type BotReply } from './bot-dispatch.js';
import { createControlRoutes } from './control.js';
import { createEventHub } from './events.js';
import { createFaults, type ErrorFault, type RateLimitFault } from './faults.js';
import { createFileStore } from './files.js';
import { createInteractions, type ClickInput, type CommandInput, type ForgedInput, type InteractionResult, type SubmitInput, type SubmitResult, type ViewClickInput } from './interactions.js';
import { renderPage } from './page/page.js';
import { createResponseUrls } from './response-urls.js';
import { createHttpServer } from './server.js';
import { createSocketMode, type DisconnectReason, type SocketConnectionView } from './socket-mode.js';
import { stateView, type EmulatorState } from './state-view.js';
import { createStore, type StoreChange } from './store.js';
import { createWebApi, type RecordedCall } from './web-api.js';
import { createWorkspace, DEFAULT_APP_TOKEN, DEFAULT_BOT_TOKEN, type EmulatedChannel, type EmulatedUser, type EmulatedUsergroup } from './workspace.js';

export interface SlackEmulatorOptions {
  /** Signs every request sent to the bot. */
  signingSecret: string;
  /** The only bearer token the Web API accepts (default 'xoxb-local-rollgate'). */
  botToken?: string;
  /** The app-level token apps.connections.open accepts (default DEFAULT_APP_TOKEN). */
  appToken?: string;
  /** Where signed requests go, e.g. http://127.0.0.1:3000/slack/events. */
  botUrl?: string;
  users?: EmulatedUser[];
  channels?: EmulatedChannel[];
  usergroups?: EmulatedUsergroup[];
  /** Clock in ms (message ts, request timestamps, response_url expiry, fault windows). */
  now?: () => number;
  log?: (line: string) => void;
  /** How long the bot has to answer (Slack: 3000 ms). */
  botTimeoutMs?: number;
}

export interface Faults {
  rateLimit?: RateLimitFault;
  error?: ErrorFault;
}

export interface SlackEmulator {
  listen(port?: number, host?: string): Promise<{ url: string }>;
  close(): Promise<void>;
  /** http://HOST:PORT once listening ('' before). */
  readonly url: string;
  /** url + '/api/': what the bot gets as SLACK_API_URL. */
  readonly apiUrl: string;
  /** What the bot gets as SLACK_APP_TOKEN to use Socket Mode. */
  readonly appToken: string;
  setBotUrl(url: string): void;
  state(): EmulatorState;
  calls(method?: string): RecordedCall[];
  command(input: CommandInput): Promise<InteractionResult>;
  click(input: ClickInput): Promise<InteractionResult>;
  forged(input: ForgedInput): Promise<InteractionResult>;
  /** The user opens the app's Home tab (app_home_opened); the bot answers with views.publish. */
  homeOpened(input: { user: string }): Promise<BotReply>;
  /** A click on a button of the user's Home tab (or open modal): block_actions with a view container. */
  clickView(input: ViewClickInput): Promise<InteractionResult>;
  /** The user submits their open modal (view_submission); the app's response_action decides what the modal does. */
  submitView(input: SubmitInput): Promise<SubmitResult>;
  /** The user closes their open modal. */
  closeView(input: { user: string }): { ok: true };
  /** The app's open Socket Mode connections. While there is one, commands and clicks go through a socket. */
  socketConnections(): SocketConnectionView[];
  /** Sends every connection `{type: 'disconnect', reason}`; except for 'warning', closes them a few seconds later. */
  disconnectSockets(reason?: DisconnectReason): void;
  setFaults(faults: Faults): void;
  clearFaults(): void;
  faults(): ReturnType<ReturnType<typeof createFaults>['describe']>;
  /** Forgets messages, ephemerals, views, files, calls, response_urls and faults. */
  reset(): void;
  onChange(listener: (change: StoreChange) => void): () => void;
  /** Resolves with the first truthy value of probe, re-checked on every change and Web API call. */
  waitFor<T>(probe: (emulator: SlackEmulator) => T | undefined | null | false, timeoutMs?: number): Promise<T>;
}

export function createSlackEmulator(options: SlackEmulatorOptions): SlackEmulator {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const workspace = createWorkspace(options);
  const store = createStore({ workspace, now });
  const faults = createFaults({ now });
  const files = createFileStore({ now, log });
  const events = createEventHub();
  let baseUrl = '';
  let botUrl = options.botUrl;
  const url = () => baseUrl;

  const watchers = new Set<() => void>();
  const responseUrls = createResponseUrls({ store, workspace, now });
  const timeoutMs = options.botTimeoutMs ?? BOT_TIMEOUT_MS;
  const socket = createSocketMode({ appId: workspace.bot.appId, now, url, timeoutMs, log, onChange: () => watchers.forEach((w) => w()) });
  const dispatch = createBotDispatch({ signingSecret: options.signingSecret, now, botUrl: () => botUrl, socket, log, timeoutMs });
  const interactions = createInteractions({ workspace, store, responseUrls, dispatch, url, now });
  const context = { workspace, store, files, url, exchangeTrigger: interactions.exchangeTrigger, log };
  const appToken = options.appToken ?? DEFAULT_APP_TOKEN;
  const appMethods = { 'apps.connections.open': () => socket.open() };
  const webApi = createWebApi({ context, botToken: options.botToken ?? DEFAULT_BOT_TOKEN, appToken, appMethods, faults, now });
  store.onChange((change) => events.publish(change));
  store.onChange(() => watchers.forEach((w) => w()));

  const emulator: SlackEmulator = {
    get url() {
      return baseUrl;
    },
    get apiUrl() {
      return baseUrl ? `${baseUrl}/api/` : '';
    },
    appToken,
    async listen(port = 0, host = '127.0.0.1') {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      baseUrl = `http://${shownHost}:${address.port}`;
      log(`slack emulator on ${baseUrl} (Web API ${baseUrl}/api/)`);
      return { url: baseUrl };
    },
    async close() {
      events.closeAll();
      socket.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    setBotUrl(next) {
      botUrl = next;
    },
    state: () => ({ ...stateView(workspace, store), ...(botUrl ? { botUrl } : {}) }),
    calls: (method) => webApi.calls(method),
    command: (input) => interactions.command(input),
    click: (input) => interactions.click(input),
    forged: (input) => interactions.forged(input),
    homeOpened: (input) => interactions.homeOpened(input),
    clickView: (input) => interactions.clickView(input),
    submitView: (input) => interactions.submitView(input),
    closeView: (input) => interactions.closeView(input),
    socketConnections: () => socket.connections(),
    disconnectSockets: (reason) => socket.disconnect(reason),
    setFaults: (f) => faults.add(f),
    clearFaults: () => faults.clear(),
    faults: () => faults.describe(),
    reset() {
      webApi.clearCalls();
      responseUrls.reset();
      faults.clear();
      files.reset();
      workspace.ims.length = 0;
      store.reset();
    },
    onChange: (listener) => store.onChange(listener),
    waitFor(probe, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          let value: ReturnType<typeof probe>;
          try {
            value = probe(emulator);
          } catch (err) {
            done();
            reject(err);
            return;
          }
          if (!value) return;
          done();
          resolve(value);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`slack emulator: condition not met within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          watchers.delete(watcher);
        };
        const watcher = () => check();
        watchers.add(watcher);
        check();
      });
    },
  };

  const server = createHttpServer({
    webApi: (method, args, authorization) => {
      const reply = webApi.handle(method, args, authorization);
      watchers.forEach((w) => w());
      return reply;
    },
    responseUrl: (id, body) => responseUrls.use(id, body),
    upload: (ticket, bytes) => files.receive(ticket, bytes),
    file: (id) => files.get(id),
    control: createControlRoutes(emulator),
    events,
    page: () => renderPage(),
    log,
  });
  server.on('upgrade', (req, stream, head) => socket.upgrade(req, stream, head));
  return emulator;
}
