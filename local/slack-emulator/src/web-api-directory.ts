// auth, conversations, users, usergroups and views methods.
import { jsonArg } from './content.js';
import type { ApiHandler, Args } from './web-api-types.js';
import { bool, fail, str } from './web-api-types.js';
import { channelObject, findChannel, userObject, usergroupObject } from './workspace.js';

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

function viewFrom(args: Args, id: string, teamId: string, appId: string, surface: 'home' | 'modal') {
  const parsed = jsonArg(args.view);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) return undefined;
  const view = parsed.value as Record<string, unknown>;
  if (view.type !== surface) return undefined;
  return {
    id,
    team_id: teamId,
    app_id: appId,
    private_metadata: '',
    callback_id: '',
    state: { values: {} },
    hash: `${id}.hash`,
    ...view,
  };
}

const viewsPublish: ApiHandler = (args, { workspace, store }) => {
  const userId = str(args.user_id);
  if (!userId || !userObject(workspace, userId)) return fail('user_not_found');
  const id = `V${store.nextTs().replace('.', '')}`;
  const view = viewFrom(args, id, workspace.team.id, workspace.bot.appId, 'home');
  if (!view) return fail('invalid_arguments');
  store.setView(userId, view, 'home');
  return { ok: true, view };
};

const viewsOpen: ApiHandler = (args, { workspace, store, userForTrigger }) => {
  const triggerId = str(args.trigger_id);
  if (!triggerId) return fail('invalid_arguments');
  const id = `V${store.nextTs().replace('.', '')}`;
  const view = viewFrom(args, id, workspace.team.id, workspace.bot.appId, 'modal');
  if (!view) return fail('invalid_arguments');
  // A trigger_id the emulator did not issue still opens (tests may invent one); it is filed as '?'.
  store.setView(userForTrigger(triggerId) ?? '?', view, 'modal');
  return { ok: true, view };
};

export const directoryMethods: Record<string, ApiHandler> = {
  'auth.test': authTest,
  'conversations.info': conversationsInfo,
  'conversations.list': conversationsList,
  'users.info': usersInfo,
  'users.list': usersList,
  'usergroups.list': usergroupsList,
  'usergroups.users.list': usergroupsUsersList,
  'views.publish': viewsPublish,
  'views.open': viewsOpen,
};
