// auth, conversations, users, usergroups and views methods.
import { randomBytes } from 'node:crypto';
import { jsonArg } from './content.js';
import type { ApiHandler, Args } from './web-api-types.js';
import type { Workspace } from './workspace.js';
import { bool, fail, str } from './web-api-types.js';
import { validateView } from './blocks-validation.js';
import { channelObject, findChannel, findUser, openIm, userObject, usergroupObject } from './workspace.js';

const authTest: ApiHandler = (_args, { workspace, url }) => ({
  ok: true,
  url: `${url()}/`,
  team: workspace.team.name,
  user: workspace.bot.name,
  team_id: workspace.team.id,
  user_id: workspace.bot.userId,
  bot_id: workspace.bot.botId,
  is_enterprise_install: false,
});

const conversationsInfo: ApiHandler = (args, { workspace }) => {
  const channel = findChannel(workspace, str(args.channel) ?? '');
  return channel ? { ok: true, channel: channelObject(workspace, channel) } : fail('channel_not_found');
};

const conversationsList: ApiHandler = (_args, { workspace }) => ({
  ok: true,
  channels: workspace.channels.map((c) => channelObject(workspace, c)),
  response_metadata: { next_cursor: '' },
});

/** Only the app's IM with one person (a group DM of several users is not emulated). */
const conversationsOpen: ApiHandler = (args, { workspace }) => {
  const users = (str(args.users) ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  if (str(args.channel)) {
    const im = workspace.ims.find((i) => i.id === str(args.channel));
    return im ? { ok: true, channel: { id: im.id } } : fail('channel_not_found');
  }
  if (users.length === 0) return fail('users_list_not_supplied');
  if (users.length > 1) return fail('not_supported', { detail: 'the emulator opens only one-person IMs' });
  const user = findUser(workspace, users[0]!);
  if (!user) return fail('user_not_found');
  const existed = workspace.ims.some((i) => i.user === user.id);
  const im = openIm(workspace, user.id);
  const channel = bool(args.return_im) ? { id: im.id, created: 1700000000, is_im: true, is_org_shared: false, user: user.id, is_user_deleted: false, priority: 0 } : { id: im.id };
  return { ok: true, ...(existed ? { no_op: true, already_open: true } : {}), channel };
};

const usersInfo: ApiHandler = (args, { workspace }) => {
  const user = userObject(workspace, str(args.user) ?? '');
  return user ? { ok: true, user } : fail('user_not_found');
};

const usersList: ApiHandler = (_args, { workspace }) => ({
  ok: true,
  members: [workspace.bot.userId, ...workspace.users.map((u) => u.id)].map((id) => userObject(workspace, id)),
  cache_ts: 0,
  response_metadata: { next_cursor: '' },
});

const usergroupsList: ApiHandler = (args, { workspace }) => ({
  ok: true,
  usergroups: workspace.usergroups.map((g) => usergroupObject(workspace, g, bool(args.include_users))),
});

const usergroupsUsersList: ApiHandler = (args, { workspace }) => {
  const group = workspace.usergroups.find((g) => g.id === str(args.usergroup));
  return group ? { ok: true, users: [...group.users] } : fail('no_such_subteam');
};

/** The view as Slack stores and returns it: ids, an empty state and defaults around what the app sent. */
export function storedView(view: Record<string, unknown>, id: string, workspace: Workspace): Record<string, unknown> {
  return {
    id,
    team_id: workspace.team.id,
    app_id: workspace.bot.appId,
    bot_id: workspace.bot.botId,
    app_installed_team_id: workspace.team.id,
    private_metadata: '',
    callback_id: '',
    external_id: '',
    state: { values: {} },
    // A new hash for every version of the view, as Slack's (the page re-renders on it).
    hash: `${id}.${randomBytes(6).toString('hex')}`,
    clear_on_close: false,
    notify_on_close: false,
    root_view_id: id,
    previous_view_id: null,
    ...view,
  };
}

/** The view argument, checked as Slack checks it; invalid_arguments names each problem in response_metadata. */
function viewArg(args: Args, surface: 'home' | 'modal'): { ok: true; view: Record<string, unknown> } | { ok: false; body: Record<string, unknown> } {
  const parsed = jsonArg(args.view);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return { ok: false, body: fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] view must be a JSON object'] } }) };
  const problems = validateView(parsed.value, surface);
  if (problems.length > 0) return { ok: false, body: fail('invalid_arguments', { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } }) };
  return { ok: true, view: parsed.value as Record<string, unknown> };
}

const viewsPublish: ApiHandler = (args, { workspace, store }) => {
  const userId = str(args.user_id);
  if (!userId || !userObject(workspace, userId)) return fail('user_not_found');
  const arg = viewArg(args, 'home');
  if (!arg.ok) return arg.body;
  const view = storedView(arg.view, `V${store.nextTs().replace('.', '')}`, workspace);
  store.setView(userId, view, 'home');
  return { ok: true, view };
};

/** A trigger_id opens one view, within 3 s of the click or command that issued it. */
const viewsOpen: ApiHandler = (args, { workspace, store, exchangeTrigger }) => {
  const triggerId = str(args.trigger_id);
  if (!triggerId) return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } });
  const arg = viewArg(args, 'modal');
  if (!arg.ok) return arg.body;
  const exchanged = exchangeTrigger(triggerId);
  if ('error' in exchanged) return fail(exchanged.error);
  const view = storedView(arg.view, `V${store.nextTs().replace('.', '')}`, workspace);
  store.setView(exchanged.user, view, 'modal');
  return { ok: true, view };
};

export const directoryMethods: Record<string, ApiHandler> = {
  'auth.test': authTest,
  'conversations.info': conversationsInfo,
  'conversations.list': conversationsList,
  'conversations.open': conversationsOpen,
  'users.info': usersInfo,
  'users.list': usersList,
  'usergroups.list': usergroupsList,
  'usergroups.users.list': usergroupsUsersList,
  'views.publish': viewsPublish,
  'views.open': viewsOpen,
};
