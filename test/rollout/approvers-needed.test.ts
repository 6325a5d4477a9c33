// Whose approval a decision needs is a domain rule (rollout/gate-rules.ts); the edge only
// resolves user groups (bot/approvers.ts). Table-driven, as a reader of the config sees it.
import { describe, expect, it } from 'vitest';
import { approversNeeded, type ApproverList } from '../../rollout/gate-rules.js';

const none: ApproverList = { users: [], groups: [] };
const leads: ApproverList = { users: ['U0LEAD'], groups: [] };
const sre: ApproverList = { users: [], groups: ['S0SRE'] };
const prod: ApproverList = { users: ['U0PROD'], groups: ['S0PROD'] };

describe('approversNeeded', () => {
  it.each<[string, { approvers: ApproverList; clusters: Record<string, ApproverList> }, string[] | undefined, ApproverList[] | 'anyone']>([
    ['no approvers listed: anyone', { approvers: none, clusters: {} }, undefined, 'anyone'],
    ['no approvers listed, a cluster without its own: anyone', { approvers: none, clusters: {} }, ['member1'], 'anyone'],
    ["the app's approvers", { approvers: leads, clusters: {} }, ['member1'], [leads]],
    ['a cluster with its own approvers needs theirs, not the app’s', { approvers: leads, clusters: { member3: prod } }, ['member3'], [prod]],
    ['a cluster whose own list is empty falls back to the app’s', { approvers: leads, clusters: { member3: none } }, ['member3'], [leads]],
    ['two clusters with their own lists need both', { approvers: leads, clusters: { member2: sre, member3: prod } }, ['member2', 'member3'], [sre, prod]],
    ['own approvers even when the app lists none', { approvers: none, clusters: { member3: prod } }, ['member3'], [prod]],
  ])('%s', (_what, approvals, clusters, needed) => {
    expect(approversNeeded(approvals, clusters)).toEqual(needed);
  });
});
