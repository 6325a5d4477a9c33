// In-memory channel history: messages, thread replies, ephemerals and views, with Slack-like
// timestamps. Knows nothing about HTTP; every change is announced to listeners.
import type { Workspace } from './workspace.js';

export interface MessageContent {
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

export interface StoredMessage extends MessageContent {
  channel: string;
  ts: string;
  user: string;
  threadTs?: string;
  replyBroadcast?: boolean;
  metadata?: unknown;
  /** Shared files (Slack file objects), for a message posted by files.completeUploadExternal. */
  files?: unknown[];
  /** Earlier versions, oldest first; its length is the edit count. */
  versions: (MessageContent & { replacedAt: string })[];
  editedTs?: string;
  deleted?: boolean;
}

export interface StoredEphemeral extends MessageContent {
  user: string;
  /** Who it is from when not the app: Slack's own errors come from Slackbot. */
  from?: string;
  channel: string;
  ts: string;
  threadTs?: string;
}

export interface StoreChange {
  kind: string;
  channel?: string;
  ts?: string;
  user?: string;
}

export type Store = ReturnType<typeof createStore>;

/** Slack ts: seconds, a dot, six digits; unique and strictly increasing. */
export function formatTs(micros: number): string {
  return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
}

export function isRoot(m: { ts: string; threadTs?: string }): boolean {
  return m.threadTs === undefined || m.threadTs === m.ts;
}

export function createStore(options: { workspace: Workspace; now: () => number }) {
  const { workspace, now } = options;
  let lastMicros = 0;
  let messages: StoredMessage[] = [];
  let ephemerals: StoredEphemeral[] = [];
  let views: Record<string, unknown> = {};
  let modals: Record<string, unknown> = {};
  let modalErrors: Record<string, Record<string, string>> = {};
  const listeners = new Set<(change: StoreChange) => void>();

  const changed = (change: StoreChange) => {
    for (const listener of listeners) listener(change);
  };

  function nextTs(): string {
    lastMicros = Math.max(Math.floor(now()) * 1000, lastMicros + 100);
    return formatTs(lastMicros);
  }

  function find(channel: string | undefined, ts: string): StoredMessage | undefined {
    return messages.find((m) => m.ts === ts && !m.deleted && (channel === undefined || m.channel === channel));
  }

  function repliesOf(root: StoredMessage): StoredMessage[] {
    return messages.filter((m) => m.channel === root.channel && m.threadTs === root.ts && m.ts !== root.ts && !m.deleted);
  }

  /** The message as Slack returns it from the Web API and in interaction payloads. */
  function toSlack(m: StoredMessage): Record<string, unknown> {
    const bot = workspace.bot;
    const out: Record<string, unknown> = { type: 'message', user: m.user, text: m.text, ts: m.ts, team: workspace.team.id };
    if (m.user === bot.userId) {
      Object.assign(out, { bot_id: bot.botId, app_id: bot.appId });
      out.bot_profile = { id: bot.botId, app_id: bot.appId, name: bot.name, deleted: false, team_id: workspace.team.id };
    }
    if (m.blocks) out.blocks = m.blocks;
    if (m.attachments) out.attachments = m.attachments;
    if (m.metadata !== undefined) out.metadata = m.metadata;
    if (m.files) Object.assign(out, { files: m.files, upload: true });
    if (m.editedTs) out.edited = { user: m.user, ts: m.editedTs };
    if (!isRoot(m)) {
      out.thread_ts = m.threadTs;
      const parent = find(m.channel, m.threadTs ?? '');
      if (parent) out.parent_user_id = parent.user;
      if (m.replyBroadcast) out.subtype = 'thread_broadcast';
    } else {
      const replies = repliesOf(m);
      if (replies.length > 0) {
        const users = [...new Set(replies.map((r) => r.user))];
        Object.assign(out, { thread_ts: m.ts, reply_count: replies.length, reply_users_count: users.length });
        Object.assign(out, { reply_users: users, latest_reply: replies[replies.length - 1]?.ts });
      }
    }
    return out;
  }

  return {
    nextTs,
    find,
    repliesOf,
    toSlack,
    onChange(listener: (change: StoreChange) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    post(input: Omit<StoredMessage, 'ts' | 'versions'>): StoredMessage {
      const message: StoredMessage = { ...input, ts: nextTs(), versions: [] };
      messages.push(message);
      changed({ kind: 'message.posted', channel: message.channel, ts: message.ts });
      return message;
    },
    update(message: StoredMessage, content: MessageContent): StoredMessage {
      const editedTs = nextTs();
      const previous = { text: message.text, blocks: message.blocks, attachments: message.attachments, replacedAt: editedTs };
      message.versions.push(previous);
      message.text = content.text;
      message.blocks = content.blocks;
      message.attachments = content.attachments;
      message.editedTs = editedTs;
      changed({ kind: 'message.updated', channel: message.channel, ts: message.ts });
      return message;
    },
    remove(message: StoredMessage): void {
      message.deleted = true;
      changed({ kind: 'message.deleted', channel: message.channel, ts: message.ts });
    },
    postEphemeral(input: Omit<StoredEphemeral, 'ts'>): StoredEphemeral {
      const ephemeral: StoredEphemeral = { ...input, ts: nextTs() };
      ephemerals.push(ephemeral);
      changed({ kind: 'ephemeral.posted', channel: ephemeral.channel, ts: ephemeral.ts, user: ephemeral.user });
      return ephemeral;
    },
    findEphemeral(user: string, ts: string): StoredEphemeral | undefined {
      return ephemerals.find((e) => e.user === user && e.ts === ts);
    },
    replaceEphemeral(ephemeral: StoredEphemeral, content: MessageContent): void {
      Object.assign(ephemeral, { text: content.text, blocks: content.blocks, attachments: content.attachments });
      changed({ kind: 'ephemeral.updated', channel: ephemeral.channel, ts: ephemeral.ts, user: ephemeral.user });
    },
    removeEphemeral(ephemeral: StoredEphemeral): void {
      ephemerals = ephemerals.filter((e) => e !== ephemeral);
      changed({ kind: 'ephemeral.deleted', channel: ephemeral.channel, ts: ephemeral.ts, user: ephemeral.user });
    },
    /** App Home views (views.publish) and open modals (views.open), one of each per user. */
    setView(user: string, view: unknown, surface: 'home' | 'modal'): void {
      if (surface === 'home') views = { ...views, [user]: view };
      else modals = { ...modals, [user]: view };
      if (surface === 'modal') modalErrors = Object.fromEntries(Object.entries(modalErrors).filter(([u]) => u !== user));
      changed({ kind: surface === 'home' ? 'view.published' : 'view.opened', user });
    },
    /** The person's modal closes (submitted and accepted, or cancelled). */
    closeModal(user: string): void {
      modals = Object.fromEntries(Object.entries(modals).filter(([u]) => u !== user));
      modalErrors = Object.fromEntries(Object.entries(modalErrors).filter(([u]) => u !== user));
      changed({ kind: 'view.closed', user });
    },
    /** What the app answered to a submission with response_action: errors (shown under each input block), or a delivery error ('_'). */
    setModalErrors(user: string, errors: Record<string, string>): void {
      modalErrors = { ...modalErrors, [user]: errors };
      changed({ kind: 'view.errors', user });
    },
    allMessages: (): readonly StoredMessage[] => messages,
    allEphemerals: (): readonly StoredEphemeral[] => ephemerals,
    views: (): Record<string, unknown> => views,
    modals: (): Record<string, unknown> => modals,
    modalErrors: (): Record<string, Record<string, string>> => modalErrors,
    reset(): void {
      messages = [];
      ephemerals = [];
      views = {};
      modals = {};
      modalErrors = {};
      changed({ kind: 'reset' });
    },
  };
}
