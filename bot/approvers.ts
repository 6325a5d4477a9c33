// Who approves an app's gates: its approver users, and the members of its approver user
// groups (resolved through the Web API, cached briefly). No approvers configured: anyone.
import type { WebClient } from '@slack/web-api';
import type { ApproverDirectory } from '../jobs/ports.js';

export function createApproverDirectory(options: { client: WebClient; cacheMs?: number; clock?: () => number }): ApproverDirectory {
  const clock = options.clock ?? Date.now;
  const cacheMs = options.cacheMs ?? 60_000;
  const groups = new Map<string, { users: string[]; at: number }>();

  async function members(group: string): Promise<string[]> {
    const cached = groups.get(group);
    if (cached && clock() - cached.at < cacheMs) return cached.users;
    const result = await options.client.usergroups.users.list({ usergroup: group });
    const users = result.users ?? [];
    groups.set(group, { users, at: clock() });
    return users;
  }

  return {
    async isApprover(app, user) {
      const { users, groups: groupIds } = app.approvals.approvers;
      if (users.length === 0 && groupIds.length === 0) return true;
      if (users.includes(user)) return true;
      for (const group of groupIds) if ((await members(group)).includes(user)) return true;
      return false;
    },
  };
}
