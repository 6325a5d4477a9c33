// The emulator's state as tests and the page read it: channel timelines with threads nested.
import { isRoot, type Store, type StoredMessage } from './store.js';
import type { Workspace } from './workspace.js';

export interface MessageView {
  ts: string;
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  attachments?: unknown[];
  metadata?: unknown;
  /** Files shared with the message (Slack file objects; the bytes are at url_private). */
  files?: unknown[];
  thread_ts?: string;
  reply_broadcast?: boolean;
  /** `first`: the text as posted, before any edit (a reader that looks now and then still sees what was posted). */
  edited?: { count: number; ts: string; first: string };
  /** Thread replies (roots only), oldest first. */
  replies: MessageView[];
}

export interface EphemeralView {
  user: string;
  /** Set when not from the app: 'USLACKBOT' for Slack's own errors. */
  from?: string;
  channel: string;
  ts: string;
  text: string;
  blocks?: unknown[];
  thread_ts?: string;
}

export interface EmulatorState {
  team: Workspace['team'];
  bot: Workspace['bot'];
  channels: Workspace['channels'];
  users: Workspace['users'];
  usergroups: Workspace['usergroups'];
  /** What the channel shows: root messages and broadcast replies, in order. */
  messages: MessageView[];
  /** Replies whose thread_ts matched no message (Slack accepts them; nobody sees them). */
  orphanReplies: MessageView[];
  ephemerals: EphemeralView[];
  views: Record<string, unknown>;
  modals: Record<string, unknown>;
  /** Per person: what the app's last response_action: errors said, by input block_id ('_': the submission did not reach the app). */
  modalErrors: Record<string, Record<string, string>>;
  /** The app's direct-message channels (conversations.open), one per person. */
  ims: Workspace['ims'];
  /** Where commands and clicks are delivered, when set. */
  botUrl?: string;
}

function view(store: Store, m: StoredMessage, withReplies: boolean): MessageView {
  const out: MessageView = { ts: m.ts, channel: m.channel, user: m.user, text: m.text, replies: [] };
  if (m.blocks) out.blocks = m.blocks;
  if (m.attachments) out.attachments = m.attachments;
  if (m.metadata !== undefined) out.metadata = m.metadata;
  if (m.files) out.files = m.files;
  if (!isRoot(m)) out.thread_ts = m.threadTs;
  if (m.replyBroadcast) out.reply_broadcast = true;
  if (m.editedTs) out.edited = { count: m.versions.length, ts: m.editedTs, first: m.versions[0]?.text ?? m.text };
  if (withReplies) out.replies = store.repliesOf(m).map((r) => view(store, r, false));
  return out;
}

export function stateView(workspace: Workspace, store: Store): EmulatorState {
  const all = store.allMessages();
  const live = all.filter((m) => !m.deleted);
  const roots = new Set(live.filter(isRoot).map((m) => `${m.channel}/${m.ts}`));
  // A deleted root that still has replies stays as a tombstone, as in Slack.
  const tombstones = all.filter((m) => m.deleted && isRoot(m) && store.repliesOf(m).length > 0);
  const shown = [...live, ...tombstones]
    .filter((m) => isRoot(m) || m.replyBroadcast)
    .sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0))
    .map((m) => {
      const shownView = view(store, m, isRoot(m));
      if (!m.deleted) return shownView;
      delete shownView.blocks;
      delete shownView.files;
      return { ...shownView, text: 'This message was deleted.', user: 'USLACKBOT' };
    });
  return {
    team: workspace.team,
    bot: workspace.bot,
    channels: workspace.channels,
    users: workspace.users,
    usergroups: workspace.usergroups,
    messages: shown,
    orphanReplies: live.filter((m) => !isRoot(m) && !roots.has(`${m.channel}/${m.threadTs}`)).map((m) => view(store, m, false)),
    ephemerals: store.allEphemerals().map((e) => ({
      user: e.user, channel: e.channel, ts: e.ts, text: e.text,
      ...(e.from ? { from: e.from } : {}),
      ...(e.blocks ? { blocks: e.blocks } : {}),
      ...(e.threadTs ? { thread_ts: e.threadTs } : {}),
    })),
    views: store.views(),
    modals: store.modals(),
    modalErrors: store.modalErrors(),
    ims: workspace.ims,
  };
}
