// The Web API front door: token check, injected faults, dispatch, and a record of every call.
import { jsonArg } from './content.js';
import type { Faults } from './faults.js';
import { chatMethods } from './web-api-chat.js';
import { directoryMethods } from './web-api-directory.js';
import { fileMethods } from './web-api-files.js';
import { historyMethods } from './web-api-history.js';
import type { ApiBody, ApiContext, Args } from './web-api-types.js';
import { fail, str } from './web-api-types.js';

export interface RecordedCall {
  method: string;
  /** Arguments as the bot meant them: JSON-string fields parsed, the token left out. */
  args: Args;
  at: number;
  status: number;
  response: ApiBody;
}

export interface WebApiReply {
  status: number;
  headers: Record<string, string>;
  body: ApiBody;
}

const METHODS = { ...chatMethods, ...directoryMethods, ...historyMethods, ...fileMethods };
const JSON_FIELDS = ['blocks', 'attachments', 'metadata', 'view', 'files'];
const MAX_RECORDED = 10_000;

function recordable(args: Args): Args {
  const out: Args = {};
  for (const [key, value] of Object.entries(args)) {
    if (key === 'token') continue;
    const parsed = JSON_FIELDS.includes(key) ? jsonArg(value) : { ok: true as const, value };
    out[key] = parsed.ok ? parsed.value : value;
  }
  return out;
}

const bearerOf = (authorization: string | undefined) => authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];

/** Methods that take the app-level token (xapp-…), and only in the Authorization header. */
export type AppTokenMethods = Record<string, () => ApiBody>;

export type WebApi = ReturnType<typeof createWebApi>;

export function createWebApi(options: { context: ApiContext; botToken: string; appToken: string; appMethods: AppTokenMethods; faults: Faults; now: () => number }) {
  const { context, botToken, appToken, appMethods, faults, now } = options;
  let calls: RecordedCall[] = [];

  /** Which handler may run with this token, or the error Slack gives. */
  function authorize(method: string, args: Args, authorization: string | undefined): { handler: () => ApiBody } | { error: string } {
    const bearer = bearerOf(authorization);
    const appMethod = appMethods[method];
    if (appMethod) {
      // Slack documents that apps.connections.open refuses a token passed as a POST parameter.
      if (!bearer) return { error: str(args.token) ? 'invalid_auth' : 'not_authed' };
      if (bearer === botToken) return { error: 'not_allowed_token_type' };
      return bearer === appToken ? { handler: appMethod } : { error: 'invalid_auth' };
    }
    const handler = METHODS[method];
    if (!handler) return { error: 'unknown_method' };
    const token = bearer ?? str(args.token);
    if (!token) return { error: 'not_authed' };
    if (token === appToken) return { error: 'not_allowed_token_type' };
    return token === botToken ? { handler: () => handler(args, context) } : { error: 'invalid_auth' };
  }

  function answer(method: string, args: Args, authorization: string | undefined): WebApiReply {
    const json = (body: ApiBody, status = 200, headers: Record<string, string> = {}) => ({ status, headers, body });
    const allowed = authorize(method, args, authorization);
    if ('error' in allowed) return json(fail(allowed.error));
    const fault = faults.hit(method);
    if (fault?.kind === 'ratelimited') {
      return json(fail('ratelimited'), 429, { 'retry-after': String(fault.retryAfterSeconds) });
    }
    if (fault?.kind === 'error') return json(fail(fault.error));
    return json(allowed.handler());
  }

  return {
    handle(method: string, args: Args, authorization: string | undefined): WebApiReply {
      const reply = answer(method, args, authorization);
      calls.push({ method, args: recordable(args), at: now(), status: reply.status, response: reply.body });
      if (calls.length > MAX_RECORDED) calls = calls.slice(-MAX_RECORDED);
      const error = reply.body.ok ? '' : ` -> ${reply.status} ${String(reply.body.error)}`;
      context.log(`api ${method}${error}`);
      return reply;
    },
    calls(method?: string): RecordedCall[] {
      return method ? calls.filter((c) => c.method === method) : [...calls];
    },
    clearCalls(): void {
      calls = [];
    },
  };
}
