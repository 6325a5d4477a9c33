// The emulated workspace: who exists, which channels and user groups, and the bot's identity.
// Everything here is plain data, so tests can pass their own people and channels.

export interface EmulatedUser {
  id: string;
  name: string;
  realName: string;
}

export interface EmulatedChannel {
  id: string;
  name: string;
}

export interface EmulatedUsergroup {
  id: string;
  handle: string;
  users: string[];
}

/** A direct-message channel between the app and one person (its Messages tab), opened by conversations.open. */
export interface EmulatedIm {
  id: string;
  user: string;
}

export interface Workspace {
  team: { id: string; domain: string; name: string };
  bot: { userId: string; botId: string; appId: string; name: string };
  users: EmulatedUser[];
  channels: EmulatedChannel[];
  usergroups: EmulatedUsergroup[];
  ims: EmulatedIm[];
}

export const DEFAULT_BOT_TOKEN = 'xoxb-local-rollgate';
/** The app-level token (scope connections:write) that opens Socket Mode connections. */
export const DEFAULT_APP_TOKEN = 'xapp-1-A0ROLLGATE-local-rollgate';

export const DEFAULT_USERS: readonly EmulatedUser[] = [
  { id: 'U0DEV', name: 'dev', realName: 'Dana Dev' },
  { id: 'U0LEAD', name: 'lead', realName: 'Lee Lead' },
  { id: 'U0SRE', name: 'sre', realName: 'Sam SRE' },
  { id: 'U0GUEST', name: 'guest', realName: 'Gus Guest' },
];

export const DEFAULT_CHANNELS: readonly EmulatedChannel[] = [{ id: 'C0ROLLOUTS', name: 'rollouts' }];

export const DEFAULT_USERGROUPS: readonly EmulatedUsergroup[] = [
  { id: 'S0SRE', handle: 'sre', users: ['U0SRE', 'U0LEAD'] },
];

export function createWorkspace(options: {
  users?: EmulatedUser[];
  channels?: EmulatedChannel[];
  usergroups?: EmulatedUsergroup[];
}): Workspace {
  return {
    team: { id: 'T0LOCAL', domain: 'rollgate-local', name: 'rollgate local' },
    bot: { userId: 'U0ROLLGATE', botId: 'B0ROLLGATE', appId: 'A0ROLLGATE', name: 'rollgate' },
    users: (options.users ?? DEFAULT_USERS).map((u) => ({ ...u })),
    channels: (options.channels ?? DEFAULT_CHANNELS).map((c) => ({ ...c })),
    usergroups: (options.usergroups ?? DEFAULT_USERGROUPS).map((g) => ({ ...g, users: [...g.users] })),
    ims: [],
  };
}

/** The app's IM with `user`, opened on first use (as conversations.open does): D + the user id without its U. */
export function openIm(ws: Workspace, user: string): EmulatedIm {
  const existing = ws.ims.find((im) => im.user === user);
  if (existing) return existing;
  const im = { id: `D${user.replace(/^[UW]/, '')}`, user };
  ws.ims.push(im);
  return im;
}

/** A channel by id, or by name with or without '#', as chat.postMessage accepts both. */
export function findChannel(ws: Workspace, idOrName: string): EmulatedChannel | undefined {
  const name = idOrName.replace(/^#/, '');
  const im = ws.ims.find((i) => i.id === idOrName);
  if (im) return { id: im.id, name: `dm-${im.user}` };
  return ws.channels.find((c) => c.id === idOrName || c.name === name);
}

export function findUser(ws: Workspace, id: string): EmulatedUser | undefined {
  return ws.users.find((u) => u.id === id || u.name === id);
}

/** users.info shape; the bot is a user too. */
export function userObject(ws: Workspace, id: string): Record<string, unknown> | undefined {
  const base = { team_id: ws.team.id, deleted: false, tz: 'UTC', tz_label: 'Coordinated Universal Time', tz_offset: 0 };
  if (id === ws.bot.userId) {
    const profile = { display_name: ws.bot.name, real_name: ws.bot.name, bot_id: ws.bot.botId };
    return { ...base, id, name: ws.bot.name, real_name: ws.bot.name, is_bot: true, is_admin: false, profile };
  }
  const user = findUser(ws, id);
  if (!user) return undefined;
  const profile = { display_name: user.name, real_name: user.realName, team: ws.team.id };
  return { ...base, id: user.id, name: user.name, real_name: user.realName, is_bot: false, is_admin: false, profile };
}

export function channelObject(ws: Workspace, channel: EmulatedChannel): Record<string, unknown> {
  return {
    id: channel.id,
    name: channel.name,
    is_channel: true,
    is_group: false,
    is_im: false,
    is_private: false,
    is_archived: false,
    is_general: false,
    is_member: true,
    created: 1700000000,
    creator: ws.users[0]?.id ?? ws.bot.userId,
    context_team_id: ws.team.id,
    topic: { value: '', creator: '', last_set: 0 },
    purpose: { value: 'Canary rollouts', creator: '', last_set: 0 },
    num_members: ws.users.length + 1,
  };
}

export function usergroupObject(ws: Workspace, group: EmulatedUsergroup, includeUsers: boolean): Record<string, unknown> {
  const base = {
    id: group.id,
    team_id: ws.team.id,
    is_usergroup: true,
    name: group.handle,
    handle: group.handle,
    description: '',
    user_count: group.users.length,
  };
  return includeUsers ? { ...base, users: [...group.users] } : base;
}
