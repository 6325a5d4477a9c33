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

function tokenOf(args: Args, authorization: string | undefined): string | undefined {
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  return bearer ?? str(args.token);
}

export type WebApi = ReturnType<typeof createWebApi>;

export function createWebApi(options: { context: ApiContext; botToken: string; faults: Faults; now: () => number }) {
  const { context, botToken, faults, now } = options;
  let calls: RecordedCall[] = [];

  function answer(method: string, args: Args, authorization: string | undefined): WebApiReply {
    const json = (body: ApiBody, status = 200, headers: Record<string, string> = {}) => ({ status, headers, body });
    const handler = METHODS[method];
    if (!handler) return json(fail('unknown_method'));
    const token = tokenOf(args, authorization);
    if (!token) return json(fail('not_authed'));
    if (token !== botToken) return json(fail('invalid_auth'));
    const fault = faults.hit(method);
    if (fault?.kind === 'ratelimited') {
      return json(fail('ratelimited'), 429, { 'retry-after': String(fault.retryAfterSeconds) });
    }
    if (fault?.kind === 'error') return json(fail(fault.error));
    return json(handler(args, context));
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
