// Durable rollout state in Redis. Every write is one atomic script: the rollout, the Slack
// notices it queued (outbox), the steps it scheduled (pending) and its audit entries land
// together or not at all. Writers compare-and-set on the rollout's seq. Every read is checked
// (stored-records.ts): a record this version cannot use is an error naming its key and field.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Effect, Notice, StepName } from '../rollout/events.js';
import { isTerminal, type Rollout } from '../rollout/model.js';
import { serializeRollout } from '../rollout/rollout-schema.js';
import { redisKeys, type Keys } from './keys.js';
import { run } from './scripts.js';
import { readAuditEntry, readOutboxItem, readPendingSteps, readRollout, StoredRecordError } from './stored-records.js';
import type { Refusal } from '../rollout/refusals.js';
import type { AuditFacts } from './audit.js';

export interface OutboxItem {
  /** Unique per rollout; a notice whose key was already posted is not posted again. */
  key: string;
  notice: Notice;
}

/** An outbox item with its record exactly as stored. */
export interface StoredOutboxItem extends OutboxItem {
  raw: string;
}

const pipelineErrors = (results: [Error | null, unknown][] | null) => {
  const failed = results?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
};

export interface PendingStep {
  jobId: string;
  rolloutId: string;
  step: StepName;
  seq: number;
  at: number;
}

export interface AuditEntry {
  at: number;
  who: string;
  what: string;
  outcome: string;
  cluster?: string;
  /** Plain words, for rollgates from before issue 11 (and entries they wrote); this one renders `facts`. */
  detail?: string;
  /** What the entry adds, as data (jobs/audit.ts); bot/blocks/audit-lines.ts writes it. */
  facts?: AuditFacts;
  /** A refused click or command: why, as data (bot/blocks/refusal-words.ts writes it). Older entries have `detail` instead. */
  refusal?: Refusal;
}

export type CreateResult = { ok: true } | { ok: false; activeId: string };

/** BullMQ job ids may not contain ':'; rollout ids never do. */
export const stepJobId = (rolloutId: string, seq: number, step: StepName) => `${rolloutId}.${seq}.${step}`;

/** An outbox item's key: the seq of the commit that queued it, its place among that commit's effects, its kind. */
const outboxKey = (seq: number, index: number, kind: string) => `${seq}.${index}.${kind}`;

/** The seq of the commit that queued an outbox item (NaN for a key of another form). */
export const outboxSeq = (item: OutboxItem): number => Number.parseInt(item.key, 10);

export function splitEffects(rollout: Rollout, effects: Effect[]): { outbox: OutboxItem[]; steps: PendingStep[]; releaseLock: boolean } {
  const outbox: OutboxItem[] = [];
  const steps: PendingStep[] = [];
  effects.forEach((effect, i) => {
    if (effect.type === 'notify') outbox.push({ key: outboxKey(rollout.seq, i, effect.notice.kind), notice: effect.notice });
    if (effect.type === 'step') steps.push({ jobId: stepJobId(rollout.id, rollout.seq, effect.step), rolloutId: rollout.id, step: effect.step, seq: rollout.seq, at: effect.at });
  });
  // Analysis ticks run without the rollout's lease (jobs/worker.ts): safe only while a tick is the
  // one step of its seq, so a tick's commit can never make a promotion or rollback stale.
  if (steps.length > 1 && steps.some((s) => s.step === 'tick')) {
    throw new RangeError(`rollout ${rollout.id}: a commit may not schedule a tick beside other steps (${steps.map((s) => s.step).join(', ')})`);
  }
  return { outbox, steps, releaseLock: effects.some((e) => e.type === 'release-lock') };
}

export interface RolloutStoreOptions {
  redis: Redis;
  prefix: string;
  auditRetentionMs?: number;
  /** Told about a record a listing skipped (see activeRollouts); single reads throw instead. */
  onInvalidRecord?: (error: StoredRecordError) => void;
}

export function createRolloutStore(options: RolloutStoreOptions) {
  const { redis } = options;
  // The audit stream of a rollout lives this long after its last entry.
  const retention = String(options.auditRetentionMs ?? 90 * 86_400_000);
  const keys: Keys = redisKeys(options.prefix);
  const scriptKeys = (rollout: Rollout) => [
    keys.rollout(rollout.id),
    keys.outbox(rollout.id),
    keys.pending(rollout.id),
    keys.audit(rollout.id),
    keys.appLock(rollout.app),
    keys.active,
    keys.ticks,
  ];
  const items = (outbox: OutboxItem[], audit: AuditEntry[]) => [
    String(outbox.length),
    String(audit.length),
    ...outbox.map((o) => JSON.stringify(o)),
    ...audit.map((a) => JSON.stringify(a)),
    retention,
  ];
  // Ticks are not BullMQ jobs: they go into the tick set in the same write (jobs/tick-set.ts),
  // and the tick of the seq being replaced, now stale, leaves it.
  const ticks = (stale: string, steps: PendingStep[]) => {
    const due = steps.filter((p) => p.step === 'tick');
    return [stale, String(due.length), ...due.flatMap((p) => [String(Math.floor(p.at)), p.jobId])];
  };

  return {
    keys,

    async nextId(app: string): Promise<string> {
      return `${app}-${await redis.incr(keys.appSeq(app))}`;
    },

    async create(rollout: Rollout, effects: Effect[], audit: AuditEntry[]): Promise<CreateResult> {
      const { outbox, steps } = splitEffects(rollout, effects);
      const holder = (await run.createRollout(redis, scriptKeys(rollout), [
        rollout.id,
        serializeRollout(rollout),
        JSON.stringify(steps),
        keys.prefix,
        ...items(outbox, audit),
        ...ticks('', steps),
      ])) as string;
      return holder === '' ? { ok: true } : { ok: false, activeId: holder };
    },

    /** Throws StoredRecordError when the stored rollout is not one this version can read. */
    async get(id: string): Promise<Rollout | undefined> {
      const key = keys.rollout(id);
      const raw = await redis.get(key);
      return raw ? readRollout(key, raw) : undefined;
    },

    /** Writes `next` if the stored rollout is still `previous` (same seq). False when another writer won. */
    async commit(previous: Rollout, next: Rollout, effects: Effect[], audit: AuditEntry[]): Promise<boolean> {
      const { outbox, steps, releaseLock } = splitEffects(next, effects);
      const written = await run.commitRollout(redis, scriptKeys(next), [
        next.id,
        String(previous.seq),
        serializeRollout(next),
        JSON.stringify(steps),
        releaseLock ? '1' : '0',
        ...items(outbox, audit),
        ...ticks(stepJobId(next.id, previous.seq, 'tick'), steps),
      ]);
      return written === 1;
    },

    async appendAudit(id: string, entries: AuditEntry[]): Promise<void> {
      for (const entry of entries) await redis.xadd(keys.audit(id), '*', 'entry', JSON.stringify(entry));
      await redis.pexpire(keys.audit(id), Number(retention));
    },

    async audit(id: string): Promise<AuditEntry[]> {
      const key = keys.audit(id);
      const rows = await redis.xrange(key, '-', '+');
      return rows.map(([entryId, fields]) => readAuditEntry(`${key} ${entryId}`, fields[0] === 'entry' && fields[1] !== undefined ? fields[1] : 'null'));
    },

    async activeIds(): Promise<string[]> {
      return redis.smembers(keys.active);
    },

    async activeFor(app: string): Promise<string | undefined> {
      const id = await redis.get(keys.appLock(app));
      if (!id) return undefined;
      const rollout = await this.get(id);
      return rollout && !isTerminal(rollout.phase) ? id : undefined;
    },

    /**
     * Every active rollout, oldest first. One unreadable record does not hide the others (lists,
     * App Home, metrics): it is left out, and reported through onInvalidRecord.
     */
    async activeRollouts(): Promise<Rollout[]> {
      const ids = await redis.smembers(keys.active);
      const raws = ids.length > 0 ? await redis.mget(...ids.map((id) => keys.rollout(id))) : [];
      return raws
        .flatMap((raw, i) => {
          if (!raw) return [];
          try {
            return [readRollout(keys.rollout(ids[i]!), raw)];
          } catch (error) {
            if (!(error instanceof StoredRecordError)) throw error;
            options.onInvalidRecord?.(error);
            return [];
          }
        })
        .sort((a, b) => a.createdAt - b.createdAt);
    },

    /** The most recent rollout of an app, active or not. */
    async latestFor(app: string): Promise<string | undefined> {
      const n = await redis.get(keys.appSeq(app));
      return n ? `${app}-${n}` : undefined;
    },

    async pending(id: string): Promise<PendingStep[]> {
      const key = keys.pending(id);
      const raw = await redis.get(key);
      return raw ? readPendingSteps(key, raw) : [];
    },

    async outbox(id: string): Promise<OutboxItem[]> {
      const key = keys.outbox(id);
      return (await redis.lrange(key, 0, -1)).map((raw, i) => readOutboxItem(key, raw, i));
    },

    /**
     * Rollouts, active or finished, with notices still to post. Redis drops an empty list, so
     * an outbox key exists exactly while something is left in it.
     */
    async undrainedIds(): Promise<string[]> {
      const escaped = keys.prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
      const pattern = `${escaped}:rollout:*:outbox`;
      const found = new Set<string>();
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        for (const key of batch) found.add(key.slice(keys.rollout('').length, -':outbox'.length));
      } while (cursor !== '0');
      return [...found];
    },

    /** The outbox with each item's record as stored, so a drainer removes exactly the one it posted (finishNotice). */
    async outboxEntries(id: string): Promise<StoredOutboxItem[]> {
      const key = keys.outbox(id);
      return (await redis.lrange(key, 0, -1)).map((raw, i) => ({ ...readOutboxItem(key, raw, i), raw }));
    },

    /**
     * Records what a posted notice became (its key and any names, e.g. `root`, mapped to the ts)
     * and removes that item from the outbox, wherever it is: a drainer never removes another's
     * item, and a second removal of the same one does nothing.
     */
    async finishNotice(id: string, item: StoredOutboxItem, recorded: Record<string, string>): Promise<void> {
      const pipeline = redis.pipeline();
      if (Object.keys(recorded).length > 0) pipeline.hset(keys.messages(id), recorded);
      await pipeline.lrem(keys.outbox(id), 1, item.raw).exec().then(pipelineErrors);
    },

    async messageTs(id: string, key: string): Promise<string | undefined> {
      return (await redis.hget(keys.messages(id), key)) ?? undefined;
    },

    /** The recorded ts of each of `names` that has one, in one read. */
    async messageTsOf(id: string, names: string[]): Promise<Map<string, string>> {
      if (names.length === 0) return new Map();
      const values = await redis.hmget(keys.messages(id), ...names);
      return new Map(names.flatMap((name, i) => (values[i] != null ? [[name, values[i] as string] as const] : [])));
    },

    /**
     * Writes `posting:<key>` (now) only while `lease` is still held, in one step: a drainer whose
     * lease lapsed never marks, so whoever took the lease over saw every marker there will be.
     */
    async markPosting(id: string, key: string, lease: { key: string; token: string }, nowMs: number): Promise<boolean> {
      return (await run.markPosting(redis, [lease.key, keys.messages(id)], [lease.token, `posting:${key}`, String(nowMs)])) === 1;
    },

    async setMessageTs(id: string, key: string, ts: string): Promise<void> {
      await redis.hset(keys.messages(id), key, ts);
    },

    /** A lease that expires by itself, so a process killed while holding it blocks nobody for long. */
    async acquire(lockKey: string, ttlMs: number): Promise<string | undefined> {
      const token = randomUUID();
      return (await redis.set(lockKey, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : undefined;
    },

    async renew(lockKey: string, token: string, ttlMs: number): Promise<boolean> {
      return (await run.renewMutex(redis, [lockKey], [token, String(ttlMs)])) === 1;
    },

    async release(lockKey: string, token: string): Promise<void> {
      await run.releaseMutex(redis, [lockKey], [token]);
    },
  };
}

export type RolloutStore = ReturnType<typeof createRolloutStore>;
