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

  async function inList(list: { users: string[]; groups: string[] }, user: string): Promise<boolean> {
    if (list.users.includes(user)) return true;
    for (const group of list.groups) if ((await members(group)).includes(user)) return true;
    return false;
  }

  return {
    async isApprover(app, user, clusters = []) {
      // Clusters with approvers of their own (production) need theirs; the rest, the app's.
      const own = clusters.map((c) => app.approvals.clusters[c]).filter((c) => c !== undefined && c.users.length + c.groups.length > 0);
      if (own.length > 0) {
        for (const list of own) if (!(await inList(list as { users: string[]; groups: string[] }, user))) return false;
        return true;
      }
      const { users, groups } = app.approvals.approvers;
      if (users.length === 0 && groups.length === 0) return true;
      return inList({ users, groups }, user);
    },
  };
}
