// The control API under /_emulator: what tests and the page use to act as people and to look
// at what the bot did. Bodies are validated here, at the edge.
import { z } from 'zod';
import { SlackEmulatorError } from './errors.js';
import type { SlackEmulator } from './emulator.js';

const commandSchema = z.strictObject({ user: z.string().min(1), text: z.string().max(10_000), channel: z.string().optional(), command: z.string().regex(/^\/\S+$/).optional() });
const clickSchema = z.strictObject({
  user: z.string().min(1),
  ts: z.string().min(1),
  action_id: z.string().min(1),
  channel: z.string().optional(),
  value: z.string().optional(),
  block_id: z.string().optional(),
});
const homeSchema = z.strictObject({ user: z.string().min(1) });
const viewClickSchema = z.strictObject({ user: z.string().min(1), surface: z.enum(['home', 'modal']).optional(), action_id: z.string().min(1), value: z.string().optional(), block_id: z.string().optional() });
const submitSchema = z.strictObject({ user: z.string().min(1), values: z.record(z.string(), z.string().max(10_000)).optional() });
const forgedSchema = z.strictObject({ kind: z.enum(['bad-signature', 'stale-timestamp', 'no-signature']), text: z.string().optional(), user: z.string().optional() });
const faultsSchema = z.strictObject({
  rateLimit: z.strictObject({ method: z.string().optional(), forMs: z.number().positive(), retryAfterSeconds: z.number().int().nonnegative() }).optional(),
  error: z.strictObject({ method: z.string().min(1), error: z.string().min(1), count: z.number().int().positive().optional() }).optional(),
});
const botUrlSchema = z.strictObject({ url: z.url() });
const disconnectSchema = z.strictObject({ reason: z.enum(['warning', 'refresh_requested', 'link_disabled']).optional() });

export interface ControlReply {
  status: number;
  body: unknown;
}

type Route = (input: { body: unknown; query: URLSearchParams }) => Promise<unknown> | unknown;

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new SlackEmulatorError('invalid_request', z.prettifyError(result.error), { cause: result.error });
  return result.data;
}

export function createControlRoutes(emulator: SlackEmulator) {
  const routes: Record<string, Route> = {
    'POST /_emulator/command': ({ body }) => emulator.command(parse(commandSchema, body)),
    'POST /_emulator/click': ({ body }) => emulator.click(parse(clickSchema, body)),
    'POST /_emulator/home-opened': ({ body }) => emulator.homeOpened(parse(homeSchema, body)),
    'POST /_emulator/click-view': ({ body }) => emulator.clickView(parse(viewClickSchema, body)),
    'POST /_emulator/submit-view': ({ body }) => emulator.submitView(parse(submitSchema, body)),
    'POST /_emulator/close-view': ({ body }) => emulator.closeView(parse(homeSchema, body)),
    'POST /_emulator/forged': ({ body }) => emulator.forged(parse(forgedSchema, body)),
    'GET /_emulator/state': () => emulator.state(),
    'GET /_emulator/calls': ({ query }) => emulator.calls(query.get('method') ?? undefined),
    'GET /_emulator/faults': () => emulator.faults(),
    'POST /_emulator/faults': ({ body }) => {
      emulator.setFaults(parse(faultsSchema, body));
      return emulator.faults();
    },
    'DELETE /_emulator/faults': () => {
      emulator.clearFaults();
      return emulator.faults();
    },
    'POST /_emulator/reset': () => {
      emulator.reset();
      return { ok: true };
    },
    'GET /_emulator/socket-mode': () => ({ connections: emulator.socketConnections() }),
    'POST /_emulator/socket-mode/disconnect': ({ body }) => {
      emulator.disconnectSockets(parse(disconnectSchema, body).reason);
      return { connections: emulator.socketConnections() };
    },
    'POST /_emulator/bot-url': ({ body }) => {
      emulator.setBotUrl(parse(botUrlSchema, body).url);
      return { ok: true };
    },
  };

  return async (method: string, path: string, query: URLSearchParams, rawBody: string): Promise<ControlReply | undefined> => {
    const route = routes[`${method} ${path}`];
    if (!route) return undefined;
    try {
      let body: unknown = {};
      if (rawBody.trim()) {
        try {
          body = JSON.parse(rawBody);
        } catch (err) {
          throw new SlackEmulatorError('invalid_request', 'the body is not JSON', { cause: err });
        }
      }
      return { status: 200, body: await route({ body, query }) };
    } catch (err) {
      if (err instanceof SlackEmulatorError) return { status: err.httpStatus, body: { ok: false, error: err.code, message: err.message } };
      throw err;
    }
  };
}
