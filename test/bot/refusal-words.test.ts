// Refusals are data (rollout/refusals.ts); bot/blocks/refusal-words.ts writes what the person
// who clicked reads. The sentences are the ones rollgate wrote before the domain spoke data.
import { describe, expect, it } from 'vitest';
import { auditLines } from '../../bot/blocks/audit-lines.js';
import { refusalReply, refusalWords } from '../../bot/blocks/refusal-words.js';
import type { Refusal } from '../../rollout/refusals.js';

const hook = { name: 'qa-signoff', type: 'confirm-promotion', ok: false, status: 403, reason: 'change freeze', attempts: 1, retries: 0, timeoutMs: 10_000, cluster: 'member1' } as const;

describe('refusal words', () => {
  it.each<[Refusal, string]>([
    [{ code: 'gate-decided', why: 'gate-approved', gate: ['member1'], by: 'auto' }, 'The member1 gate is already approved (automatically).'],
    [{ code: 'gate-decided', why: 'gate-approved', gate: ['member1', 'member2'], by: 'U0LEAD' }, 'The member1, member2 gate is already approved by <@U0LEAD>.'],
    [{ code: 'rollout-finished', why: 'gate-of-ended-rollout', rollout: 'app-3', phase: 'rolled-back' }, 'That gate is already closed: rollout app-3 has been rolled back.'],
    [{ code: 'unknown-cluster', why: 'unknown-clusters', rollout: 'app-3', unknown: ['membr2'], known: ['member1', 'member2'], guess: 'member2' }, 'membr2 is not part of rollout app-3 (member1, member2). Did you mean `member2`?'],
    [{ code: 'not-allowed', why: 'not-requester-or-approver', requester: 'U0DEV', app: 'checkout', action: 'retry' }, 'Only the requester (<@U0DEV>) or an approver of checkout can retry it.'],
    [{ code: 'busy', why: 'finalizing', rollout: 'checkout-7', app: 'checkout', version: 'v2', fromVersion: 'v1' }, 'Rollout checkout-7 is finalizing: v2 is being written over the base in every cluster, so it can no longer be rolled back. To go back, run `/rollout start checkout v1` once it has finished.'],
    [{ code: 'already', why: 'nothing-to-operate', op: 'promote', clusters: ['member1'] }, 'Nothing to do: member1 is already promoted.'],
    [{ code: 'held-by-webhook', why: 'held-by-webhook', rollout: 'checkout-7', hook }, 'Promotion is held by the confirm-promotion webhook "qa-signoff" for member1 (HTTP 403: change freeze · timeout 10 s). Approve again once it answers 2xx; rollout checkout-7 keeps analysing meanwhile.'],
  ])('%j', (refusal, words) => {
    expect(refusalWords(refusal)).toBe(words);
  });

  it('an "already" is news, the rest a no', () => {
    expect(refusalReply({ code: 'already', why: 'already-paused', rollout: 'a-1' })).toBe(':information_source: Rollout a-1 is already paused.');
    expect(refusalReply({ code: 'busy', why: 'paused', rollout: 'a-1' })).toBe(':no_entry: Rollout a-1 is paused; `/rollout resume a-1` first.');
  });

  it('a refusal from a newer rollgate (unknown why) still renders, by its code', () => {
    expect(refusalWords({ code: 'busy', why: 'from-the-future' } as unknown as Refusal)).toBe('refused (from-the-future)');
  });
});

describe('refusals in /rollout audit', () => {
  const at = Date.UTC(2026, 10, 21, 12, 0, 0);
  it('an entry stored with the sentence (before) and one stored with the facts (now) read the same', () => {
    const sentence = 'You are not an approver of checkout, so you cannot approve its gates.';
    const old = auditLines([{ at, who: 'U0GUEST', what: 'approve', outcome: 'refused: not-an-approver', detail: sentence }]);
    const now = auditLines([{ at, who: 'U0GUEST', what: 'approve', outcome: 'refused: not-an-approver', refusal: { code: 'not-an-approver', why: 'not-an-approver', app: 'checkout' } }]);
    expect(now).toEqual(old);
    expect(now[0]).toContain(`→ refused: not-an-approver: ${sentence}`);
  });
});
