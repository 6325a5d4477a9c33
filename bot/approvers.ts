// Who approves an app's gates: the lists the domain names (rollout/gate-rules.ts, which also
// says "no approvers configured: anyone"), with user groups resolved through the Web API,
// cached briefly.
import type { WebClient } from '@slack/web-api';
import type { ApproverDirectory } from '../jobs/ports.js';
import { approversNeeded, type ApproverList } from '../rollout/gate-rules.js';

export function createApproverDirectory(options: { client: WebClient; cacheMs?: number; clock?: () => number }): ApproverDirectory {
  const clock = options.clock ?? Date.now;
  const cacheMs = options.cacheMs ?? 60_000;
  // A read in flight is shared: a burst of clicks on a cold cache asks Slack once per group.
  type Entry = { users: Promise<string[]>; at: number };
  const groups = new Map<string, Entry>();

  function members(group: string): Promise<string[]> {
    const cached = groups.get(group);
    if (cached && clock() - cached.at < cacheMs) return cached.users;
    const entry: Entry = {
      at: clock(),
      users: options.client.usergroups.users.list({ usergroup: group }).then((result) => {
        entry.at = clock();
        return result.users ?? [];
      }),
    };
    entry.users.catch(() => groups.get(group) === entry && groups.delete(group));
    groups.set(group, entry);
    return entry.users;
  }

  async function inList(list: ApproverList, user: string): Promise<boolean> {
    if (list.users.includes(user)) return true;
    for (const group of list.groups) if ((await members(group)).includes(user)) return true;
    return false;
  }

  return {
    async isApprover(app, user, clusters = []) {
      const needed = approversNeeded(app.approvals, clusters);
      if (needed === 'anyone') return true;
      for (const list of needed) if (!(await inList(list, user))) return false;
      return true;
    },
  };
}
