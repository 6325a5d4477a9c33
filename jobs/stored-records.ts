// Everything the store reads back from Redis goes through here: the rollout (versioned,
// migrated), its pending steps, outbox items and audit entries. A record that does not pass
// is never "fixed" on the way in: the read throws a StoredRecordError naming the key and the
// field, and the record stays in Redis as it was, for a person to look at.
import { z } from 'zod';
import { noticeSchema, parseStored, parseStoredRollout, stepNameSchema, stepProblemSchema, type StoredProblem } from '../rollout/rollout-schema.js';
import type { Rollout } from '../rollout/model.js';
import type { Refusal } from '../rollout/refusals.js';
import type { AuditEntry, OutboxItem, PendingStep } from './store.js';
import type { AuditFacts } from './audit.js';

export type StoredRecordCode = StoredProblem['code'];

/** A durable record rollgate cannot use. Permanent: reading it again gives the same answer. */
export class StoredRecordError extends Error {
  override readonly name = 'StoredRecordError';
  readonly permanent = true;
  constructor(
    readonly code: StoredRecordCode,
    /** The Redis key (and stream entry id, for the audit) holding the record. */
    readonly key: string,
    /** Dotted path of the bad field, '' when the record as a whole is unreadable. */
    readonly field: string,
    detail: string,
  ) {
    super(`Redis key ${key} holds a record rollgate cannot read: ${detail}`);
  }
}

const pendingStepSchema = z.looseObject({ jobId: z.string(), rolloutId: z.string(), step: stepNameSchema, seq: z.number(), at: z.number() }) satisfies z.ZodType<PendingStep>;
const outboxItemSchema = z.looseObject({ key: z.string(), notice: noticeSchema }) satisfies z.ZodType<OutboxItem>;
const auditFactsSchema = z.discriminatedUnion('said', [
  z.looseObject({ said: z.literal('problem'), problem: stepProblemSchema }),
  z.looseObject({ said: z.literal('waiting-for'), waitingFor: z.string() }),
  z.looseObject({ said: z.literal('their-reason'), reason: z.string() }),
  z.looseObject({ said: z.literal('verdicts'), clusters: z.array(z.looseObject({ cluster: z.string(), verdict: z.enum(['passed', 'failed']), failedChecks: z.number() })), failureLimit: z.number() }),
  z.looseObject({ said: z.literal('operation'), op: z.enum(['canary', 'uncanary', 'promote', 'unpromote', 'rollback']) }),
  z.looseObject({ said: z.literal('traffic-step'), weight: z.number() }),
  z.looseObject({ said: z.literal('retry-runs'), step: z.string() }),
  z.looseObject({ said: z.literal('start-held-by-webhook'), hook: z.string() }),
  z.looseObject({ said: z.literal('nothing-to-roll-out'), app: z.string(), version: z.string() }),
]) satisfies z.ZodType<AuditFacts>;
const auditEntrySchema = z.looseObject({
  at: z.number(),
  who: z.string(),
  what: z.string(),
  outcome: z.string(),
  cluster: z.string().optional(),
  detail: z.string().optional(),
  // Facts this version cannot read (a newer rollgate's) are dropped: `detail` beside them is shown.
  facts: auditFactsSchema.optional().catch(undefined),
  // Checked as far as the edges rely on it (code and why); the words tolerate missing facts.
  refusal: z.custom<Refusal>((v) => typeof v === 'object' && v !== null && typeof (v as Refusal).code === 'string' && typeof (v as Refusal).why === 'string', 'expected a refusal {code, why, …}').optional(),
}) satisfies z.ZodType<AuditEntry>;

function fail(key: string, problem: StoredProblem): never {
  throw new StoredRecordError(problem.code, key, problem.field, problem.message);
}

function parseJson(key: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch (error) {
    return fail(key, { code: 'not-json', field: '', message: `not JSON (${error instanceof Error ? error.message : String(error)})` });
  }
}

function read<T>(schema: z.ZodType<T>, key: string, raw: string): T {
  const parsed = parseStored(schema, parseJson(key, raw));
  return parsed.ok ? parsed.value : fail(key, parsed.problem);
}

export function readRollout(key: string, raw: string): Rollout {
  const parsed = parseStoredRollout(raw);
  return parsed.ok ? parsed.value : fail(key, parsed.problem);
}

export const readPendingSteps = (key: string, raw: string): PendingStep[] => read(z.array(pendingStepSchema), key, raw);
export const readOutboxItem = (key: string, raw: string, index: number): OutboxItem => read(outboxItemSchema, `${key}[${index}]`, raw);
export const readAuditEntry = (key: string, raw: string): AuditEntry => read(auditEntrySchema, key, raw);
