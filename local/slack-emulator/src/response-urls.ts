// response_url: where an app answers a command or a click. Tied to one user and channel,
// valid for 30 minutes and for at most 5 uses, as Slack documents.
import { randomBytes } from 'node:crypto';
import { readContent } from './content.js';
import type { Store } from './store.js';
import type { Workspace } from './workspace.js';

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

export interface ResponseTarget {
  user: string;
  channel: string;
  /** The message holding the clicked button (clicks only). */
  messageTs?: string;
  messageIsEphemeral?: boolean;
  threadTs?: string;
}

interface Entry extends ResponseTarget {
  issuedAt: number;
  uses: number;
  /** The last ephemeral this URL posted: what replace_original means after a command. */
  lastEphemeralTs?: string;
}

export interface ResponseReply {
  status: number;
  body: Record<string, unknown>;
}

type Obj = Record<string, unknown>;

export function createResponseUrls(options: { store: Store; workspace: Workspace; now: () => number }) {
  const { store, workspace, now } = options;
  const entries = new Map<string, Entry>();

  function original(entry: Entry) {
    const ts = entry.messageTs ?? entry.lastEphemeralTs;
    if (!ts) return undefined;
    if (entry.messageTs && !entry.messageIsEphemeral) {
      const message = store.find(entry.channel, ts);
      return message && { kind: 'message' as const, message };
    }
    const ephemeral = store.findEphemeral(entry.user, ts);
    return ephemeral && { kind: 'ephemeral' as const, ephemeral };
  }

  function apply(entry: Entry, body: Obj): ResponseReply {
    const target = original(entry);
    if (body.delete_original === true || body.delete_original === 'true') {
      if (target?.kind === 'message') store.remove(target.message);
      if (target?.kind === 'ephemeral') store.removeEphemeral(target.ephemeral);
      return { status: 200, body: { ok: true } };
    }
    const content = readContent(body);
    if (!content.ok) return { status: 400, body: { ok: false, error: content.error, ...content.extra } };
    const replace = body.replace_original === true || body.replace_original === 'true';
    if (replace && target?.kind === 'message') store.update(target.message, content.content);
    else if (replace && target?.kind === 'ephemeral') store.replaceEphemeral(target.ephemeral, content.content);
    else {
      const threadTs = typeof body.thread_ts === 'string' && body.thread_ts ? body.thread_ts : entry.threadTs;
      const where = { channel: entry.channel, ...content.content, ...(threadTs ? { threadTs } : {}) };
      if (body.response_type === 'in_channel') store.post({ ...where, user: workspace.bot.userId });
      else entry.lastEphemeralTs = store.postEphemeral({ ...where, user: entry.user }).ts;
    }
    return { status: 200, body: { ok: true } };
  }

  return {
    /** A new response_url path id for this user and place. */
    issue(target: ResponseTarget): string {
      const id = randomBytes(12).toString('hex');
      entries.set(id, { ...target, issuedAt: now(), uses: 0 });
      return id;
    },
    /** Remembers the ephemeral a slash command's HTTP answer produced, for replace_original. */
    noteEphemeral(id: string, ts: string): void {
      const entry = entries.get(id);
      if (entry) entry.lastEphemeralTs = ts;
    },
    use(id: string, body: Obj): ResponseReply {
      const entry = entries.get(id);
      if (!entry) return { status: 404, body: { ok: false, error: 'no_service' } };
      if (now() - entry.issuedAt > RESPONSE_URL_TTL_MS) return { status: 404, body: { ok: false, error: 'expired_url' } };
      if (entry.uses >= RESPONSE_URL_MAX_USES) return { status: 404, body: { ok: false, error: 'used_url' } };
      const reply = apply(entry, body);
      if (reply.status === 200) entry.uses += 1;
      return reply;
    },
    reset(): void {
      entries.clear();
    },
  };
}
