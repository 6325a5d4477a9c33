// Issue 11: reasons are stored as facts (rollout/why.ts) and written in bot/blocks/reason-words.ts.
// Beside the facts the domain keeps a plain string for rollgates from before the change (rolling
// upgrades). Both must say the same, for every kind of reason, so an old and a new rollgate
// running side by side tell people the same thing; and the string must hold no Slack markup.
import { describe, expect, it } from 'vitest';
import { baselineNote, baselineWords, comparisonWords, gateClosedReason, outcomeReason, reasonOf, reasonWords } from '../../bot/blocks/reason-words.js';
import { factWords } from '../../bot/blocks/audit-lines.js';
import { auditFallback, type AuditFacts } from '../../jobs/audit.js';
import { fallbackBaselineNote, fallbackComparison, fallbackReason, type Why } from '../../rollout/why.js';
import type { BaselineFinding } from '../../rollout/model.js';
import { effectSize } from '../../rollout/analysis/mann-whitney.js';
import { slackMarkup } from '../support/slack-markup.js';

const hook = { name: 'stop', type: 'rollback', ok: true, attempts: 1, retries: 0, timeoutMs: 5000 } as const;

// One of each kind, with the words users have read so far (unchanged by issue 11).
const REASONS: [Why, string][] = [
  [{ said: 'app-gone', app: 'web' }, 'app web is no longer configured'],
  [{ said: 'internal-error', message: 'TypeError: x is undefined' }, 'rollgate hit an internal error (TypeError: x is undefined); see its logs'],
  [{ said: 'refused', message: 'Deployment default/web not found' }, 'Deployment default/web not found'],
  [{ said: 'unreachable', cluster: 'member2', message: 'HTTP 503' }, 'cluster member2 unreachable: HTTP 503'],
  [{ said: 'unreachable', message: 'ECONNRESET' }, 'a call failed: ECONNRESET'],
  [{ said: 'cannot-measure', down: [{ cluster: 'member1', metric: 'answers', error: 'Prometheus unreachable' }], more: 0 }, 'analysis cannot measure (member1 answers: Prometheus unreachable); this interval is neither passed nor failed'],
  [
    { said: 'cannot-measure', down: [{ cluster: 'a', metric: 'm' }, { cluster: 'b', metric: 'm', error: 'timeout' }, { cluster: 'c', metric: 'm' }], more: 2 },
    'analysis cannot measure (a m: no answer; b m: timeout; c m: no answer (and 2 more)); this interval is neither passed nor failed',
  ],
  [{ said: 'step-failed', step: 'start', problem: { said: 'refused', message: 'no such Deployment' } }, 'start failed: no such Deployment'],
  [{ said: 'not-ready', waitingFor: 'member1: 0/1 pods ready' }, 'not ready within the progress deadline: member1: 0/1 pods ready'],
  [{ said: 'not-ready' }, 'not ready within the progress deadline: pods not ready'],
  [{ said: 'webhook', hook: { ...hook, status: 200, cluster: 'member1' } }, 'the rollback webhook "stop" answered HTTP 200 in member1'],
  [{ said: 'webhook', hook: { ...hook, reason: 'timeout' } }, 'the rollback webhook "stop" did not answer (timeout)'],
  [{ said: 'metrics-failed', cluster: 'member1', metrics: ['request-success-rate', 'latency'], failedChecks: 2, failureLimit: 2 }, 'request-success-rate, latency failed in member1: 2 of 2 allowed failed checks'],
  [{ said: 'not-measured', cluster: 'member1', metrics: ['answers'], consecutiveErrors: 3, limit: 3 }, 'answers could not be measured in member1 3 times in a row (consecutiveErrorLimit 3)'],
  [{ said: 'gate-timed-out', clusters: ['member2', 'member3'], timeoutMs: 3_600_000 }, 'the member2, member3 gate got no decision within 1 h'],
  [{ said: 'no-decision', timeoutMs: 720_000 }, 'no decision within 12 min'],
  [{ said: 'already-runs', app: 'web', version: 'v1' }, 'web already runs v1'],
  [{ said: 'rolled-back' }, 'rolled back'],
];

describe('reasons as facts', () => {
  it('every kind of reason is in the table', () => {
    const kinds = new Set(REASONS.map(([why]) => why.said));
    // A new kind of reason needs a row here (the compiler checks the switch statements themselves).
    expect([...kinds].sort()).toEqual(['already-runs', 'app-gone', 'cannot-measure', 'gate-timed-out', 'internal-error', 'metrics-failed', 'no-decision', 'not-measured', 'not-ready', 'refused', 'rolled-back', 'step-failed', 'unreachable', 'webhook']);
  });

  it.each(REASONS)('%j: bot/blocks writes the words people read, and the fallback for older rollgates says the same', (why, words) => {
    expect(reasonWords(why)).toBe(words);
    expect(fallbackReason(why)).toBe(words);
    expect(slackMarkup(`const t = \`${fallbackReason(why)}\`;`)).toEqual([]);
  });

  it('a record with facts is read from the facts; one stored before them, from its string', () => {
    const why: Why = { said: 'already-runs', app: 'web', version: 'v2' };
    expect(reasonOf({ reason: 'whatever an older rollgate wrote', why })).toBe('web already runs v2');
    expect(reasonOf({ reason: 'cluster member3 unreachable: connect ECONNREFUSED' })).toBe('cluster member3 unreachable: connect ECONNREFUSED');
    expect(gateClosedReason({ closedReason: 'rolled back' })).toBe('rolled back');
    expect(gateClosedReason({ closedReason: 'old words', closedWhy: { said: 'no-decision', timeoutMs: 60_000 } })).toBe('no decision within 1 min');
    expect(gateClosedReason({})).toBeUndefined();
  });

  it("a person's rollback is still written from its `asked` facts, an automatic one from `why`, an old one from its string", () => {
    expect(outcomeReason({ kind: 'rolled-back', at: 1, trigger: 'person', by: 'U0LEAD', reason: 'rolled back', asked: { gate: ['member1'], said: 'too slow' } })).toBe('rolled back by <@U0LEAD> at the member1 gate: “too slow”');
    expect(outcomeReason({ kind: 'rolled-back', at: 1, trigger: 'timeout', reason: 'x', why: { said: 'gate-timed-out', clusters: ['member1'], timeoutMs: 7_200_000 } })).toBe('the member1 gate got no decision within 2 h');
    expect(outcomeReason({ kind: 'failed', at: 1, reason: 'start failed: no such Deployment' })).toBe('start failed: no such Deployment');
  });
});

const AUDIT: [AuditFacts, string][] = [
  [{ said: 'problem', problem: { said: 'unreachable', cluster: 'member3', message: 'connect ECONNREFUSED' } }, 'cluster member3 unreachable: connect ECONNREFUSED'],
  [{ said: 'waiting-for', waitingFor: 'member1: 0/1 pods ready' }, 'member1: 0/1 pods ready'],
  [{ said: 'their-reason', reason: 'p99 doubled' }, 'reason: “p99 doubled”'],
  [{ said: 'verdicts', clusters: [{ cluster: 'member1', verdict: 'failed', failedChecks: 2 }, { cluster: 'member2', verdict: 'passed', failedChecks: 0 }], failureLimit: 2 }, 'member1 failed (2/2), member2 passed (0/2)'],
  [{ said: 'operation', op: 'uncanary' }, 'uncanary'],
  [{ said: 'traffic-step', weight: 30 }, 'to 30 %'],
  [{ said: 'retry-runs', step: 'deploy-canary' }, 'the held deploy-canary step runs now'],
  [{ said: 'start-held-by-webhook', hook: 'change-window' }, 'waiting for the confirm-rollout webhook change-window'],
  [{ said: 'nothing-to-roll-out', app: 'web', version: 'v1' }, 'web already runs v1: nothing to roll out'],
];

describe('audit details as facts', () => {
  it.each(AUDIT)('%j: bot/blocks writes the detail, and the fallback `detail` says the same', (facts, words) => {
    expect(factWords(facts)).toBe(words);
    expect(auditFallback(facts)).toBe(words);
  });
});

describe('baseline findings and the Mann-Whitney comparison as facts', () => {
  const FINDINGS: [BaselineFinding, string][] = [
    [{ said: 'no-baseline' }, 'no baseline: the base runs the new version here'],
    [{ said: 'no-data' }, 'baseline: no data'],
    [{ said: 'outside', direction: 'below', canary: 97, baseline: 99.5, allowed: { amount: 1, relative: false } }, '2.50 (-2.5%) below the baseline (allowed -1)'],
    [{ said: 'outside', direction: 'above', canary: 144, baseline: 120, allowed: { amount: 10, relative: true } }, '24.00 (20.0%) above the baseline (allowed +10%)'],
    [{ said: 'outside', direction: 'above', canary: 5, baseline: 0, allowed: { amount: 1, relative: false } }, '5.00 above the baseline (allowed +1)'],
  ];
  it.each(FINDINGS)('%j: written in bot/blocks, and the fallback note says the same', (finding, words) => {
    expect(baselineWords(finding)).toBe(words);
    expect(fallbackBaselineNote(finding)).toBe(words);
    expect(baselineNote({ baselineFinding: finding, baselineNote: 'older words' })).toBe(words);
  });

  it('a sample stored before the finding existed shows its note', () => {
    expect(baselineNote({ baselineNote: '23.96 (24.1%) above the baseline (allowed +10%)' })).toBe('23.96 (24.1%) above the baseline (allowed +10%)');
    expect(baselineNote({})).toBeUndefined();
  });

  it.each([
    [0.0012, 0.93, 'Mann-Whitney p=0.0012, effect +0.93 (large)'],
    [0.42, -0.2, 'Mann-Whitney p=0.42, effect -0.20 (small)'],
    [1, 0, 'Mann-Whitney p=1.0, effect +0.00 (negligible)'],
  ])('p=%d effect %d: %s, from the numbers and in the fallback', (p, effect, words) => {
    expect(comparisonWords({ p, effect, size: effectSize(effect), words: 'older words' })).toBe(words);
    expect(fallbackComparison(p, effect)).toBe(words);
  });

  it('a comparison stored before its size was kept shows its words', () => {
    expect(comparisonWords({ p: 0.42, effect: 0.1, words: 'no clear difference' })).toBe('no clear difference');
  });
});
