// Issue 11 and rolling upgrades: reasons are stored as facts beside the plain strings the
// stored format requires (outcome.reason, held.reason, a gate's closedReason, the failed and
// held notices' reason, an audit entry's detail). Through real Redis:
// - a record written before the facts existed reads back and renders exactly the words people
//   saw then (the stored strings);
// - a record written now carries both; rendered from its facts it reads the same as from its
//   strings alone (what a rollgate from before issue 11 shows for it);
// - facts a newer rollgate wrote that this one does not know are dropped on read, not fatal:
//   the string beside them is shown.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { auditLines } from '../../bot/blocks/audit-lines.js';
import { gateMessage, heldMessage, rolledBackMessage, rootMessage, summaryMessage } from '../../bot/blocks/messages.js';
import { auditEvent } from '../../jobs/audit.js';
import type { AuditEntry } from '../../jobs/store.js';
import type { Effect, Notice, RolloutEvent } from '../../rollout/events.js';
import { created, transition } from '../../rollout/machine.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { createTestStore } from '../support/test-store.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const testStore = createTestStore(inject('redisUrl'));
const { redis, store } = testStore;

afterAll(() => testStore.close());

/** Everything people read about a rollout whose outcome, gates, held notice and audit carry reasons. */
async function rendered(id: string, rollout: Rollout, now: number) {
  const held = (await store.outbox(id)).map((o) => o.notice).filter((n): n is Extract<Notice, { kind: 'held' }> => n.kind === 'held');
  return {
    root: rootMessage(rollout, now),
    rolledBack: rolledBackMessage(rollout),
    gates: rollout.gates.map((g) => gateMessage(rollout, g.stage, now).blocks),
    held: held.map((n) => heldMessage(rollout, n, n.step).text),
    audit: auditLines(await store.audit(id)),
  };
}

/** The keys issue 11 added, removed everywhere: the record as it would be without them. */
function withoutFacts(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutFacts);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'why' && k !== 'closedWhy' && k !== 'facts').map(([k, v]) => [k, withoutFacts(v)]));
}

async function putRaw(id: string, rollout: unknown, outbox: unknown[], audit: unknown[]): Promise<void> {
  await redis.set(store.keys.rollout(id), JSON.stringify({ ...(rollout as object), id }));
  if (outbox.length) await redis.rpush(store.keys.outbox(id), ...outbox.map((o) => JSON.stringify(o)));
  for (const entry of audit) await redis.xadd(store.keys.audit(id), '*', 'entry', JSON.stringify(entry));
}

describe('a record written before reasons were facts', () => {
  it('reads back and renders the words it stored', async () => {
    const raw = JSON.parse(readFileSync(new URL('../fixtures/stored-v0/rolled-back.json', import.meta.url), 'utf8'));
    const id = `v0-${randomUUID().slice(0, 6)}`;
    await putRaw(id, JSON.parse(raw.rollout), raw.outbox.map((o: string) => JSON.parse(o)), raw.audit.map((a: string) => JSON.parse(a)));
    const rollout = (await store.get(id))!;
    const seen = await rendered(id, rollout, rollout.updatedAt);
    const because = 'request-success-rate failed in member1: 2 of 2 allowed failed checks';
    expect(JSON.stringify(seen.root.blocks)).toContain(`Rolled back: ${because}`);
    expect(seen.rolledBack.text).toContain(`was *rolled back automatically*: ${because}.`);
    expect(JSON.stringify(seen.gates[1])).toContain('Gate closed: rolled back');
    expect(seen.held).toEqual([expect.stringContaining('is *held*: cluster member3 unreachable: connect ECONNREFUSED. rollgate keeps retrying')]);
    expect(seen.audit).toContainEqual(expect.stringContaining('StepHeld → analysing: cluster member3 unreachable: connect ECONNREFUSED'));
    expect(seen.audit).toContainEqual(expect.stringContaining('AnalysisTicked → rolling-back: member1 failed (2/2), member2 failed (2/2), member3 failed (2/2)'));
    // A summary's baseline note and comparison, as stored.
    const summary = (await store.outbox(id)).map((o) => o.notice).find((n): n is Extract<Notice, { kind: 'summary' }> => n.kind === 'summary')!;
    expect(JSON.stringify(summaryMessage(rollout, summary, rollout.updatedAt).blocks)).toContain('(within 1 of the baseline) · no clear difference');
  });
});

describe('a record written now', () => {
  /** Started, held on member2, then not ready by the progress deadline: rolled back. */
  async function drive(): Promise<{ id: string; rollout: Rollout; now: number }> {
    const id = `now-${randomUUID().slice(0, 6)}`;
    let rollout = newRollout({ id, app: testConfig().apps[0]!, version: 'v2', requester: 'U0DEV', nowMs: T0 });
    expect(await store.create(rollout, created(rollout, T0), [])).toEqual({ ok: true });
    let now = T0;
    const events: RolloutEvent[] = [
      { type: 'RolloutStarted', fromVersion: 'v1' },
      { type: 'StepHeld', step: 'deploy-canary', problem: { said: 'unreachable', cluster: 'member2', message: 'connect ECONNREFUSED' } },
      { type: 'CanaryDeployed' },
      { type: 'ReadinessChecked', ready: false, waitingFor: 'member1: 0/1 pods ready' },
      { type: 'RolledBack' },
    ];
    for (const event of events) {
      now += event.type === 'RolledBack' ? 1000 : event.type === 'ReadinessChecked' ? rollout.settings.progressDeadlineMs + 1000 : 1000;
      const next = transition(rollout, event, now);
      if (!next.ok) throw new Error(JSON.stringify(next.refusal));
      const audit: AuditEntry[] = [auditEvent(event, next.rollout, now)];
      expect(await store.commit(rollout, next.rollout, next.effects as Effect[], audit)).toBe(true);
      rollout = next.rollout;
    }
    return { id, rollout, now };
  }

  it('keeps the facts and, for older rollgates, the plain strings the format requires', async () => {
    const { id } = await drive();
    const stored = JSON.parse((await redis.get(store.keys.rollout(id)))!);
    expect(stored.phase).toBe('rolled-back');
    expect(stored.gates.length).toBeGreaterThan(0);
    expect(stored.outcome).toMatchObject({ trigger: 'deadline', reason: 'not ready within the progress deadline: member1: 0/1 pods ready', why: { said: 'not-ready', waitingFor: 'member1: 0/1 pods ready' } });
    expect(stored.gates.map((g: { closedReason?: string; closedWhy?: unknown }) => [g.closedReason, g.closedWhy])).toEqual(stored.gates.map(() => ['rolled back', { said: 'rolled-back' }]));
    const outbox = (await redis.lrange(store.keys.outbox(id), 0, -1)).map((o) => JSON.parse(o).notice);
    expect(outbox.find((n) => n.kind === 'held')).toEqual({ kind: 'held', step: 'deploy-canary', reason: 'cluster member2 unreachable: connect ECONNREFUSED', why: { said: 'unreachable', cluster: 'member2', message: 'connect ECONNREFUSED' } });
    const audit = (await store.audit(id)).filter((a) => a.facts);
    expect(audit.map((a) => [a.what, a.detail])).toEqual([
      ['StepHeld', 'cluster member2 unreachable: connect ECONNREFUSED'],
      ['ReadinessChecked', 'member1: 0/1 pods ready'],
    ]);
  });

  it('renders the same from its facts as from its strings alone (what an older rollgate shows)', async () => {
    const { id, rollout, now } = await drive();
    const fromFacts = await rendered(id, rollout, now);
    expect(fromFacts.rolledBack.text).toContain('was *rolled back automatically*: not ready within the progress deadline: member1: 0/1 pods ready.');
    expect(fromFacts.held).toEqual([expect.stringContaining('is *held*: cluster member2 unreachable: connect ECONNREFUSED.')]);

    // The same keys, rewritten without the facts: what the strings alone say.
    const outbox = (await store.outbox(id)).map(withoutFacts);
    const audit = (await store.audit(id)).map(withoutFacts);
    await redis.del(store.keys.rollout(id), store.keys.outbox(id), store.keys.audit(id));
    await putRaw(id, withoutFacts(rollout), outbox, audit);
    const stripped = (await store.get(id))!;
    expect(JSON.stringify(stripped)).not.toMatch(/"(why|closedWhy)"/);
    expect(JSON.stringify(await store.audit(id))).not.toContain('"facts"');
    expect(await rendered(id, stripped, now)).toEqual(fromFacts);
  });

  it('facts it does not know (a newer rollgate wrote them) are dropped on read, and the string beside them is shown', async () => {
    const { id, rollout, now } = await drive();
    const newer = `newer-${id}`;
    const future = { said: 'solar-flare', strength: 9 };
    const outcome = { ...rollout.outcome, why: future };
    const audit = (await store.audit(id)).map((a) => (a.facts ? { ...a, facts: future } : a));
    await putRaw(newer, { ...rollout, outcome, gates: rollout.gates.map((g) => ({ ...g, closedWhy: future })) }, [], audit);
    const read = (await store.get(newer))!;
    expect(read.outcome).toMatchObject({ reason: 'not ready within the progress deadline: member1: 0/1 pods ready' });
    expect(read.outcome && 'why' in read.outcome ? read.outcome.why : undefined).toBeUndefined();
    expect(rolledBackMessage(read).text).toContain('was *rolled back automatically*: not ready within the progress deadline: member1: 0/1 pods ready.');
    expect(JSON.stringify(gateMessage(read, 1, now).blocks)).toContain('Gate closed: rolled back');
    expect(auditLines(await store.audit(newer))).toContainEqual(expect.stringContaining('StepHeld → deploying: cluster member2 unreachable: connect ECONNREFUSED'));
  });
});
