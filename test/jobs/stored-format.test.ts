// What the store reads back from real Redis: data written before stored rollouts had a
// version reads back unchanged, unknown keys from a newer rollgate survive a write, and a
// bad record is refused with an error naming its key and field, and left as it was.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createRolloutStore } from '../../jobs/store.js';
import { StoredRecordError } from '../../jobs/stored-records.js';
import { transition } from '../../rollout/machine.js';
import type { Rollout } from '../../rollout/model.js';
import { ROLLOUT_SCHEMA_VERSION } from '../../rollout/rollout-schema.js';
import { createTestStore } from '../support/test-store.js';

interface StoredFixture {
  rollout: string;
  pending: string;
  outbox: string[];
  audit: string[];
}

const fixture = (name: string): StoredFixture => JSON.parse(readFileSync(new URL(`../fixtures/stored-v0/${name}.json`, import.meta.url), 'utf8'));
const FIXTURES = ['rolled-back', 'awaiting-second-approval'];

const invalid: StoredRecordError[] = [];
const testStore = createTestStore(inject('redisUrl'), { onInvalidRecord: (error) => invalid.push(error) });
const { redis, store, prefix } = testStore;

afterAll(() => testStore.close());

/** Puts a fixture's raw values in Redis as the old code left them, under a fresh id; returns the id. */
async function restore(name: string, edit: (rollout: Record<string, any>) => unknown = (r) => r): Promise<string> {
  const raw = fixture(name);
  const id = `${name}-${randomUUID().slice(0, 6)}`;
  const rollout = { ...JSON.parse(raw.rollout), id };
  const edited = edit(rollout);
  await redis.set(store.keys.rollout(id), typeof edited === 'string' ? edited : JSON.stringify(edited));
  await redis.set(store.keys.pending(id), raw.pending);
  if (raw.outbox.length) await redis.rpush(store.keys.outbox(id), ...raw.outbox);
  for (const entry of raw.audit) await redis.xadd(store.keys.audit(id), '*', 'entry', entry);
  await redis.sadd(store.keys.active, id);
  return id;
}

async function refusal(read: Promise<unknown>): Promise<StoredRecordError> {
  const error = await read.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof StoredRecordError)) throw new Error(`expected a StoredRecordError, got ${String(error)}`);
  return error;
}

describe('data written by the previous (unversioned) format', () => {
  it.each(FIXTURES)('%s: rollout, pending steps, outbox and audit read back exactly as written', async (name) => {
    const raw = fixture(name);
    const id = await restore(name);
    expect(await store.get(id)).toStrictEqual({ ...JSON.parse(raw.rollout), id });
    expect(await store.pending(id)).toStrictEqual(JSON.parse(raw.pending));
    expect(await store.outbox(id)).toStrictEqual(raw.outbox.map((o) => JSON.parse(o)));
    expect(await store.audit(id)).toStrictEqual(raw.audit.map((a) => JSON.parse(a)));
  });

  it('is written back with the schema version, and the Lua scripts still read its seq and phase', async () => {
    const id = await restore('awaiting-second-approval');
    const before = (await store.get(id))!;
    const next = transition(before, { type: 'GateApproved', stage: 2, by: { user: 'U0M2', isApprover: true } }, before.updatedAt + 1000);
    if (!next.ok) throw new Error(JSON.stringify(next.refusal));
    expect(await store.commit(before, next.rollout, next.effects, [])).toBe(true);
    // Compare-and-set on seq works on the new JSON: a writer holding the old seq loses.
    expect(await store.commit(before, next.rollout, next.effects, [])).toBe(false);

    const stored = JSON.parse((await redis.get(store.keys.rollout(id)))!);
    expect(Object.keys(stored)[0]).toBe('schemaVersion');
    expect(stored.schemaVersion).toBe(ROLLOUT_SCHEMA_VERSION);
    expect(await store.get(id)).toStrictEqual(next.rollout);

    // The create script reads the holder's phase from the new JSON: this active rollout keeps its app locked.
    await redis.set(store.keys.appLock(before.app), id);
    const rival: Rollout = { ...before, id: `${id}-rival`, seq: 0 };
    expect(await store.create(rival, [], [])).toEqual({ ok: false, activeId: id });
  });
});

describe('keys this version does not know (written by a newer rollgate)', () => {
  it('survive a read, a transition and a write, at the top and inside nested objects', async () => {
    const id = await restore('awaiting-second-approval', (r) => {
      r.traffic = { weights: [5, 25, 50], router: 'istio' };
      r.gates[1].webhook = { name: 'load-test', state: 'passed' };
      r.cluster.member1.weight = 25;
      r.settings.webhooks = [{ name: 'load-test', url: 'http://loadtester/' }];
      return r;
    });
    const before = (await store.get(id))!;
    const next = transition(before, { type: 'PauseRequested', by: { user: 'U0LEAD', isApprover: true } }, before.updatedAt + 1000);
    if (!next.ok) throw new Error(JSON.stringify(next.refusal));
    expect(await store.commit(before, next.rollout, next.effects, [])).toBe(true);

    const stored = JSON.parse((await redis.get(store.keys.rollout(id)))!);
    expect(stored.phase).toBe('paused');
    expect(stored.traffic).toEqual({ weights: [5, 25, 50], router: 'istio' });
    expect(stored.gates[1].webhook).toEqual({ name: 'load-test', state: 'passed' });
    expect(stored.cluster.member1.weight).toBe(25);
    expect(stored.settings.webhooks).toEqual([{ name: 'load-test', url: 'http://loadtester/' }]);
  });

  it('a rollout written in a newer format is refused, not misread', async () => {
    const id = await restore('rolled-back', (r) => ({ schemaVersion: ROLLOUT_SCHEMA_VERSION + 1, ...r }));
    const error = await refusal(store.get(id));
    expect(error).toMatchObject({ code: 'newer-version', key: store.keys.rollout(id), field: 'schemaVersion' });
    expect(error.message).toContain('upgrade');
  });
});

describe('a bad record', () => {
  it.each([
    ['a field of the wrong type', (r: any) => ({ ...r, settings: { ...r.settings, intervalMs: '60s' } }), 'invalid', 'settings.intervalMs'],
    ['a missing field', (r: any) => ({ ...r, phase: undefined }), 'invalid', 'phase'],
    ['a phase no version has', (r: any) => ({ ...r, phase: 'exploded' }), 'invalid', 'phase'],
    ['a bad value deep inside', (r: any) => ({ ...r, cluster: { ...r.cluster, member2: { ...r.cluster.member2, history: [{ at: 'noon', metrics: {} }] } } }), 'invalid', 'cluster.member2.history[0].at'],
    ['a bad outcome', (r: any) => ({ ...r, outcome: { kind: 'exploded', at: 1 } }), 'invalid', 'outcome.kind'],
    ['a version that is not a number', (r: any) => ({ schemaVersion: 'one', ...r }), 'invalid', 'schemaVersion'],
    ['not an object', () => '[1, 2]', 'invalid', ''],
    ['not JSON at all', () => '{"id": "truncated', 'not-json', ''],
  ])('%s: the read fails with a coded error naming key and field; the record is left as it was', async (_what, edit, code, field) => {
    const id = await restore('rolled-back', edit);
    const key = store.keys.rollout(id);
    const before = await redis.get(key);
    const error = await refusal(store.get(id));
    expect(error).toMatchObject({ code, key, field });
    expect(error.message).toContain(key);
    if (field) expect(error.message).toContain(field);
    expect(await redis.get(key)).toBe(before);
  });

  it('in pending steps, the outbox or the audit names the key, the item and the field', async () => {
    const id = await restore('awaiting-second-approval');
    await redis.set(store.keys.pending(id), JSON.stringify([{ jobId: 'x', rolloutId: id, step: 'explode', seq: 1, at: 2 }]));
    expect(await refusal(store.pending(id))).toMatchObject({ code: 'invalid', key: store.keys.pending(id), field: '[0].step' });

    await redis.lset(store.keys.outbox(id), 2, JSON.stringify({ key: '3.0.summary', notice: { kind: 'summary', tick: 'one' } }));
    const outbox = await refusal(store.outbox(id));
    expect(outbox).toMatchObject({ code: 'invalid', key: `${store.keys.outbox(id)}[2]`, field: 'notice.tick' });

    const entryId = await redis.xadd(store.keys.audit(id), '*', 'entry', JSON.stringify({ at: 1, who: 'U0DEV' }));
    expect(await refusal(store.audit(id))).toMatchObject({ code: 'invalid', key: `${store.keys.audit(id)} ${entryId}`, field: 'what' });
  });

  it('reads thread notes and private answers of both formats (the sentence, before issue 11; the facts, now) and refuses one with neither', async () => {
    const id = await restore('awaiting-second-approval');
    const notes = [
      { key: '9.0.note', notice: { kind: 'note', text: ':arrow_forward: <@U0LEAD> resumed rollout `x`.' } },
      { key: '9.1.note', notice: { kind: 'note', line: { said: 'resumed', by: 'U0LEAD' } } },
      { key: '9.2.private', notice: { kind: 'private', text: ':no_entry: Rollout x could not start: boom' } },
      { key: '9.3.private', notice: { kind: 'private', answer: { said: 'start-failed', reason: 'boom' } } },
    ];
    await redis.del(store.keys.outbox(id));
    await redis.rpush(store.keys.outbox(id), ...notes.map((n) => JSON.stringify(n)));
    expect(await store.outbox(id)).toStrictEqual(notes);

    await redis.rpush(store.keys.outbox(id), JSON.stringify({ key: '9.4.note', notice: { kind: 'note', broadcast: true } }));
    expect(await refusal(store.outbox(id))).toMatchObject({ code: 'invalid', key: `${store.keys.outbox(id)}[4]`, field: 'notice' });
  });

  it('does not hide the other rollouts from a listing; it is reported instead', async () => {
    const listing = createRolloutStore({ redis, prefix: `${prefix}-list`, onInvalidRecord: (error) => invalid.push(error) });
    const good = fixture('awaiting-second-approval');
    await redis.set(listing.keys.rollout('good-1'), good.rollout.replace(/http-probe-app-42/g, 'good-1'));
    await redis.set(listing.keys.rollout('bad-1'), JSON.stringify({ ...JSON.parse(good.rollout), id: 'bad-1', seq: 'x' }));
    await redis.sadd(listing.keys.active, 'good-1', 'bad-1');
    invalid.length = 0;
    expect((await listing.activeRollouts()).map((r) => r.id)).toEqual(['good-1']);
    expect(invalid).toMatchObject([{ code: 'invalid', key: listing.keys.rollout('bad-1'), field: 'seq' }]);
    await redis.del(...(await redis.keys(`${prefix}-list:*`)));
  });
});
