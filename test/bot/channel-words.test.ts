// Small wrongs a reader notices: every failing cluster in the rollback notice, "1 interval"
// against "2 intervals", and an audit that folds analysis ticks that changed nothing.
import { describe, expect, it } from 'vitest';
import { auditLines } from '../../bot/blocks/audit-lines.js';
import { gateMessage, rolledBackMessage, rootMessage } from '../../bot/blocks/messages.js';
import type { AuditEntry } from '../../jobs/store.js';
import type { ClusterTick, Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { judgeTick } from '../../rollout/verdict.js';
import { testConfig } from '../fixtures/config.js';

const T0 = Date.UTC(2026, 10, 21, 12);

function rolloutOf(iterations = 3): Rollout {
  const config = testConfig((doc) => (doc.apps[0].analysis.iterations = iterations));
  return newRollout({ id: 'http-probe-app-1', app: config.apps[0]!, version: 'v2', requester: 'U0DEV', nowMs: T0 });
}

const failing = (cluster: string, value: number): ClusterTick => ({ cluster, metrics: [{ metric: 'request-success-rate', value, min: 99, passed: false, dryRun: false }] });

describe('the automatic-rollback notice', () => {
  it('lists the failing value of every cluster that failed, not only the first', () => {
    let rollout = rolloutOf();
    rollout = { ...rollout, settings: { ...rollout.settings, failureLimit: 1 } };
    const judged = judgeTick(rollout, [failing('member1', 81.5), failing('member2', 82.25), failing('member3', 83)], T0);
    expect(judged.breach?.cluster).toBe('member1');
    expect(judged.breach?.alsoFailing?.map((c) => c.cluster)).toEqual(['member2', 'member3']);
    const rolled: Rollout = { ...rollout, cluster: judged.cluster, phase: 'rolled-back', outcome: { kind: 'rolled-back', at: T0, trigger: 'analysis', reason: 'request-success-rate failed in member1', cause: judged.breach! } };
    const text = JSON.stringify(rolledBackMessage(rolled).blocks);
    expect(text).toContain('request-success-rate in member1: `81.50` (min 99)');
    expect(text).toContain('request-success-rate in member2: `82.25` (min 99)');
    expect(text).toContain('request-success-rate in member3: `83` (min 99)');
  });

  it('a passing cluster is not listed among the failing', () => {
    const rollout = { ...rolloutOf(), settings: { ...rolloutOf().settings, failureLimit: 1 } };
    const passing: ClusterTick = { cluster: 'member2', metrics: [{ metric: 'request-success-rate', value: 99.9, min: 99, passed: true, dryRun: false }] };
    const judged = judgeTick(rollout, [failing('member1', 81.5), passing], T0);
    expect(judged.breach?.alsoFailing).toBeUndefined();
  });
});

describe('intervals in words', () => {
  const atGate = (iterations: number) => {
    let rollout = rolloutOf(iterations);
    rollout = { ...rollout, gates: rollout.gates.map((g, i) => (i === 0 ? { ...g, state: 'open', openedAt: T0 } : g)) };
    return JSON.stringify(gateMessage(rollout, 1, T0).blocks);
  };
  it('says "1 analysis interval" and "2 analysis intervals", never "interval(s)"', () => {
    expect(atGate(1)).toContain('passed 1 analysis interval.');
    expect(atGate(2)).toContain('passed 2 analysis intervals.');
    expect(atGate(2)).not.toContain('interval(s)');
  });
});

describe('/rollout audit', () => {
  const at = (minute: number) => `<!date^${(T0 + minute * 60_000) / 1000}^{time_secs}|12:${String(minute).padStart(2, '0')}:00 UTC>`;
  const tick = (minute: number, detail: string): AuditEntry => ({ at: T0 + minute * 60_000, who: 'rollgate', what: 'AnalysisTicked', outcome: 'awaiting-approval', detail });
  it('folds a run of unchanged analysis ticks into one line with a count, and keeps changes apart', () => {
    const same = 'member1 passed (0/3), member2 passed (0/3)';
    const entries: AuditEntry[] = [
      { at: T0, who: 'U0DEV', what: 'RolloutRequested', outcome: 'queued' },
      ...Array.from({ length: 12 }, (_, i) => tick(i + 1, same)),
      tick(13, 'member1 failed (1/3), member2 passed (0/3)'),
      tick(14, 'member1 failed (1/3), member2 passed (0/3)'),
      { at: T0 + 15 * 60_000, who: 'U0LEAD', what: 'GateApproved', outcome: 'promoting', cluster: 'member1' },
      tick(16, same),
    ];
    const lines = auditLines(entries);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe(`${at(1)}–${at(12)} rollgate AnalysisTicked ×12 (awaiting-approval, unchanged): ${same}`);
    expect(lines[2]).toContain('AnalysisTicked ×2');
    expect(lines[3]).toContain('<@U0LEAD> GateApproved [member1] → promoting');
    expect(lines[4]).toBe(`${at(16)} rollgate AnalysisTicked → awaiting-approval: ${same}`);
  });
});

describe('times in messages', () => {
  const token = /<!date\^\d+\^\{date_short_pretty\} \{time\}\|\d\d:\d\d UTC>/;
  it('show each reader their local time through <!date^…>, with a UTC fallback', () => {
    const rollout = rolloutOf();
    const decided: Rollout = { ...rollout, gates: rollout.gates.map((g, i) => (i === 0 ? { ...g, state: 'approved', decidedBy: 'U0LEAD', decidedAt: T0 + 60_000 } : g)) };
    const gate = gateMessage(decided, 1, T0);
    expect(JSON.stringify(gate.blocks)).toContain(`approved by <@U0LEAD> at <!date^${(T0 + 60_000) / 1000}^{date_short_pretty} {time}|12:01 UTC>`);
    const root = JSON.stringify(rootMessage(decided, T0).blocks);
    expect(root).toMatch(token);
    // Every time shown is a token: no bare "12:00 UTC" outside one.
    expect(root.replace(new RegExp(token.source, 'g'), '')).not.toMatch(/\d\d:\d\d UTC/);
  });
});
