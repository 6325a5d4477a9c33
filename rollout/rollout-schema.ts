// The stored rollout as zod sees it: what every read from Redis is checked against, and the
// schema version that lets a format change migrate what is already stored.
//
// Adding an OPTIONAL field to Rollout (or to a part of it) is one line here, next to the
// others: `traffic: trafficSchema.optional(),`. The compiler insists (`satisfies` below names
// any Rollout field the schema lacks). Such an addition does not bump the version: an older
// reader keeps unknown keys (every object here is loose), so a field written by a newer
// rollgate survives the older one's read-modify-write during a rolling upgrade.
// Bump ROLLOUT_SCHEMA_VERSION only for a change an older reader would misread (a rename, a
// new meaning, a field made required), and add the step from the old version to MIGRATIONS.
import { z } from 'zod';
import type { Notice, NoteLine, StepName } from './events.js';
import type { ClusterState, Gate, Outcome, Phase, Rollout } from './model.js';
import { HOOK_TYPES } from './webhooks/hook-config.js';
import type { StepProblem, Why } from './why.js';

export const ROLLOUT_SCHEMA_VERSION = 1;

/** Holds the format version in the stored JSON, beside the rollout's own fields (Lua reads `phase` and `seq` there too). */
export const VERSION_KEY = 'schemaVersion';

const str = z.string();
const num = z.number();
const reasonNeed = z.enum(['required', 'optional', 'off']);
const users = z.looseObject({ users: z.array(str), groups: z.array(str) });

export const phaseSchema = z.enum([
  'queued',
  'deploying',
  'promoting',
  'waiting-ready',
  'analysing',
  'awaiting-approval',
  'operating',
  'paused',
  'finalizing',
  'rolling-back',
  'succeeded',
  'rolled-back',
  'failed',
]);
export const stepNameSchema = z.enum(['start', 'deploy-canary', 'promote', 'check-ready', 'tick', 'finalize', 'rollback', 'operate', 'shift-traffic']);
const operationKind = z.enum(['canary', 'uncanary', 'promote', 'unpromote', 'rollback']);
const strategy = z.enum(['per-cluster', 'canary-first']);

/** A webhook's answer (rollout/webhooks/hook-call.ts). */
export const hookCallSchema = z.looseObject({
  name: str,
  type: z.enum(HOOK_TYPES),
  cluster: str.optional(),
  status: num.optional(),
  ok: z.boolean(),
  attempts: num,
  retries: num,
  timeoutMs: num,
  reason: str.optional(),
  muted: z.boolean().optional(),
});

/** rollout/why.ts: a step's problem as facts. */
export const stepProblemSchema = z.discriminatedUnion('said', [
  z.looseObject({ said: z.literal('app-gone'), app: str }),
  z.looseObject({ said: z.literal('internal-error'), message: str }),
  z.looseObject({ said: z.literal('refused'), message: str }),
  z.looseObject({ said: z.literal('unreachable'), cluster: str.optional(), message: str }),
  z.looseObject({ said: z.literal('cannot-measure'), down: z.array(z.looseObject({ cluster: str, metric: str, error: str.optional() })), more: num }),
]) satisfies z.ZodType<StepProblem>;

export const whySchema = z.discriminatedUnion('said', [
  ...stepProblemSchema.options,
  z.looseObject({ said: z.literal('step-failed'), step: stepNameSchema, problem: stepProblemSchema }),
  z.looseObject({ said: z.literal('not-ready'), waitingFor: str.optional() }),
  z.looseObject({ said: z.literal('webhook'), hook: hookCallSchema }),
  z.looseObject({ said: z.literal('metrics-failed'), cluster: str, metrics: z.array(str), failedChecks: num, failureLimit: num }),
  z.looseObject({ said: z.literal('not-measured'), cluster: str, metrics: z.array(str), consecutiveErrors: num, limit: num.optional() }),
  z.looseObject({ said: z.literal('gate-timed-out'), clusters: z.array(str), timeoutMs: num }),
  z.looseObject({ said: z.literal('no-decision'), timeoutMs: num }),
  z.looseObject({ said: z.literal('already-runs'), app: str, version: str }),
  z.looseObject({ said: z.literal('rolled-back') }),
]) satisfies z.ZodType<Why>;

/**
 * Reasons as facts sit beside their plain string (rollout/why.ts). Facts this version cannot
 * read (a newer rollgate's) are dropped on read, not fatal: the string beside them is shown.
 */
const whyField = whySchema.optional().catch(undefined);
const problemField = stepProblemSchema.optional().catch(undefined);

export const metricSampleSchema = z.looseObject({
  metric: str,
  value: num.nullable(),
  error: str.optional(),
  outage: z.boolean().optional(),
  min: num.optional(),
  max: num.optional(),
  passed: z.boolean(),
  dryRun: z.boolean(),
  baseline: num.nullable().optional(),
  baselineFinding: z
    .discriminatedUnion('said', [
      z.looseObject({ said: z.literal('no-baseline') }),
      z.looseObject({ said: z.literal('no-data') }),
      z.looseObject({ said: z.literal('outside'), direction: z.enum(['above', 'below']), canary: num, baseline: num, allowed: z.looseObject({ amount: num, relative: z.boolean() }) }),
    ])
    .optional()
    .catch(undefined),
  baselineNote: str.optional(),
  comparison: z.looseObject({ p: num, effect: num, size: z.enum(['large', 'medium', 'small', 'negligible']).optional().catch(undefined), words: str }).optional(),
  hook: hookCallSchema.optional(),
});

export const clusterTickSchema = z.looseObject({
  cluster: str,
  metrics: z.array(metricSampleSchema),
  podsReady: z.looseObject({ ready: num, total: num }).optional(),
  weight: num.optional(),
  actualWeight: num.optional(),
});

export const historyPointSchema = z.looseObject({ at: num, metrics: z.record(str, num.nullable()) });

const clusterStateSchema = z.looseObject({
  canary: z.enum(['none', 'deployed', 'removed']),
  promoted: z.boolean(),
  failedChecks: num,
  consecutiveErrors: num.optional(),
  lastVerdict: z.enum(['passed', 'failed']).optional(),
  preRolloutPassed: z.boolean().optional(),
  readyAt: num.optional(),
  weight: num.optional(),
  actualWeight: num.optional(),
  weights: z.array(z.looseObject({ at: num, weight: num })).optional(),
  pendingWeight: num.optional(),
  stepApprovedBy: str.optional(),
  history: z.array(historyPointSchema),
});

const gateSchema = z.looseObject({
  stage: num,
  clusters: z.array(str),
  state: z.enum(['pending', 'open', 'approved', 'rolled-back', 'closed', 'expired']),
  openedAt: num.optional(),
  decidedBy: str.optional(),
  decidedAt: num.optional(),
  closedReason: str.optional(),
  closedWhy: whyField,
  required: num.optional(),
  approvals: z.array(z.looseObject({ user: str, at: num, reason: str.optional() })).optional(),
  approvers: users.optional(),
  reminded: z.boolean().optional(),
  reason: str.optional(),
});

const settingsSchema = z.looseObject({
  intervalMs: num,
  iterations: num,
  failureLimit: num,
  consecutiveErrorLimit: num.optional(),
  autoPromote: z.boolean(),
  allowSelfApproval: z.boolean(),
  approvers: users,
  progressDeadlineMs: num,
  readyPollMs: num,
  retryMs: num,
  gateTimeoutMs: num,
  onTimeout: z.enum(['rollback', 'hold']),
  metrics: z.array(z.looseObject({ name: str, min: num.optional(), max: num.optional() })).optional(),
  traffic: z.looseObject({ provider: z.enum(['replicas', 'istio', 'gateway-api']), weights: z.array(num), preRollout: z.boolean().optional(), approveSteps: z.boolean().optional() }).optional(),
  links: z.array(z.looseObject({ text: str, url: str })).optional(),
  notifyDm: z.boolean().optional(),
  reasons: z.looseObject({ rollback: reasonNeed, approve: reasonNeed }).optional(),
});

export const operationSchema = z.looseObject({
  op: operationKind,
  clusters: z.array(str),
  by: str,
  at: num,
  resume: z.enum(['analysing', 'awaiting-approval']),
});

const alsoFailing = z.array(z.looseObject({ cluster: str, failing: z.array(metricSampleSchema), failedChecks: num }));
const rollbackCause = z.looseObject({ cluster: str, failing: z.array(metricSampleSchema), failedChecks: num, consecutiveErrors: num.optional(), alsoFailing: alsoFailing.optional() });

const rolledBackSchema = z.looseObject({
  kind: z.literal('rolled-back'),
  at: num,
  by: str.optional(),
  reason: str,
  trigger: z.enum(['person', 'analysis', 'deadline', 'failure', 'timeout', 'webhook']),
  cause: rollbackCause.optional(),
  asked: z.looseObject({ why: str.optional(), gate: z.array(str).optional(), said: str.optional() }).optional(),
  why: whyField,
});

const outcomeSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('succeeded'), at: num }),
  rolledBackSchema,
  z.looseObject({ kind: z.literal('failed'), at: num, reason: str, nothingToDo: z.looseObject({ root: z.enum(['withdrawn', 'kept']) }).optional(), why: whyField }),
]);

const successorSchema = z.looseObject({
  version: str,
  requester: str,
  clusters: z.array(str).optional(),
  strategy: strategy.optional(),
  autoPromote: z.boolean().optional(),
  notifyUrl: str.optional(),
});

/** Every field of Rollout, each with its schema; a field missing here is a compile error. */
const rolloutShape = {
  id: str,
  app: str,
  version: str,
  fromVersion: str.optional(),
  requester: str,
  channel: str,
  strategy,
  clusters: z.array(str),
  stages: z.array(z.looseObject({ action: z.enum(['canary', 'promote']), clusters: z.array(str) })),
  settings: settingsSchema,
  phase: phaseSchema,
  stage: num,
  seq: num,
  ticksInStage: num,
  tick: num,
  readyDeadline: num.optional(),
  cluster: z.record(str, clusterStateSchema),
  gates: z.array(gateSchema),
  createdAt: num,
  updatedAt: num,
  outcome: outcomeSchema.optional(),
  pendingOutcome: rolledBackSchema.optional(),
  inputsApplied: z.array(str),
  operation: operationSchema.optional(),
  operations: z.array(operationSchema).optional(),
  held: z.looseObject({ step: str, reason: str, since: num, retryBy: str.optional(), why: problemField }).optional(),
  notifyUrl: str.optional(),
  paused: z.looseObject({ by: str, at: num, resume: z.enum(['analysing', 'awaiting-approval', 'waiting-ready']), reopen: num.optional() }).optional(),
  successor: successorSchema.optional(),
  hookWait: z.looseObject({ call: hookCallSchema, since: num }).optional(),
  postRollout: z.array(hookCallSchema).optional(),
} satisfies { [K in keyof Rollout]-?: z.ZodType<Rollout[K]> };

export const rolloutSchema = z.looseObject(rolloutShape);

const saysSomething = (notice: { line?: unknown; answer?: unknown; text?: string }) => notice.line !== undefined || notice.answer !== undefined || notice.text !== undefined;

const noteLineSchema = z.discriminatedUnion('said', [
  z.looseObject({ said: z.literal('paused'), by: str }),
  z.looseObject({ said: z.literal('resumed'), by: str }),
  z.looseObject({ said: z.literal('retry-asked'), by: str, step: stepNameSchema }),
  z.looseObject({ said: z.literal('gate-timed-out-held'), clusters: z.array(str), timeoutMs: num }),
  z.looseObject({ said: z.literal('start-held-by-webhook'), hook: hookCallSchema }),
]) satisfies z.ZodType<NoteLine>;

export const noticeSchema = z.discriminatedUnion('kind', [
  z.looseObject({ kind: z.literal('root') }),
  z.looseObject({ kind: z.literal('root-update') }),
  z.looseObject({ kind: z.literal('summary'), tick: num, stage: num, results: z.array(clusterTickSchema), failedChecks: z.record(str, num), gateHooks: z.array(hookCallSchema).optional(), repeat: z.boolean().optional() }),
  z.looseObject({ kind: z.literal('gate-opened'), stage: num }),
  z.looseObject({ kind: z.literal('gate-closed'), stage: num }),
  z.looseObject({ kind: z.literal('rolled-back') }),
  z.looseObject({ kind: z.literal('finished') }),
  z.looseObject({ kind: z.literal('chart') }),
  z.looseObject({ kind: z.literal('failed'), reason: str, why: whyField }),
  z.looseObject({ kind: z.literal('operation'), operation: operationSchema }),
  z.looseObject({ kind: z.literal('held'), reason: str, step: stepNameSchema.optional(), why: problemField }),
  z.looseObject({ kind: z.literal('resumed') }),
  z.looseObject({ kind: z.literal('reminder'), stage: num }),
  // `text`: a line stored before the domain spoke data (issue 11), still posted as written.
  z.looseObject({ kind: z.literal('note'), line: noteLineSchema.optional(), text: str.optional(), broadcast: z.boolean().optional() }).refine(saysSomething, 'a note needs its line (facts) or, stored before, its text'),
  z.looseObject({ kind: z.literal('private'), answer: z.looseObject({ said: z.literal('start-failed'), reason: str, why: problemField }).optional(), text: str.optional() }).refine(saysSomething, 'a private answer needs its facts or, stored before, its text'),
  z.looseObject({ kind: z.literal('nothing-to-do') }),
  z.looseObject({ kind: z.literal('root-withdrawn') }),
]);

// The enums and unions above are written out again for zod; these fail to compile when the
// domain types gain a member the schema does not know (or the other way round).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Expect<T extends true> = T;
export type SchemaMatchesModel = [
  Expect<Same<Phase, z.infer<typeof phaseSchema>>>,
  Expect<Same<StepName, z.infer<typeof stepNameSchema>>>,
  Expect<Same<Notice['kind'], z.infer<typeof noticeSchema>['kind']>>,
  Expect<Same<NoteLine['said'], z.infer<typeof noteLineSchema>['said']>>,
  Expect<Same<Why['said'], z.infer<typeof whySchema>['said']>>,
  Expect<Same<StepProblem['said'], z.infer<typeof stepProblemSchema>['said']>>,
  Expect<Same<Outcome['kind'], z.infer<typeof outcomeSchema>['kind']>>,
  Expect<Same<Gate['state'], z.infer<typeof gateSchema>['state']>>,
  Expect<Same<ClusterState['canary'], z.infer<typeof clusterStateSchema>['canary']>>,
  Expect<Same<Extract<Outcome, { kind: 'rolled-back' }>['trigger'], z.infer<typeof rolledBackSchema>['trigger']>>,
];

/** Why a stored value is not a rollout (or not one this version can read), naming the field. */
export interface StoredProblem {
  code: 'not-json' | 'invalid' | 'newer-version';
  /** Dotted path of the first bad field ('' for the value as a whole). */
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: StoredProblem };

/** Steps from each older version to the next. v0 (no version key) is v1 without the key. */
const MIGRATIONS: Record<number, (stored: Record<string, unknown>) => Record<string, unknown>> = {
  0: (stored) => stored,
};

export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${String(part)}` : String(part)), '');
}

/** Checks a value read back from storage against `schema`; the first problem names its field. */
export function parseStored<T>(schema: z.ZodType<T>, value: unknown): Parsed<T> {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const field = fieldPath(issue?.path ?? []);
  return { ok: false, problem: { code: 'invalid', field, message: `${field || 'the value'}: ${issue?.message ?? 'invalid'}` } };
}

/** The JSON of a stored rollout, any version up to ours, as today's Rollout (unknown keys kept). */
export function parseStoredRollout(json: string): Parsed<Rollout> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, problem: { code: 'not-json', field: '', message: `not JSON (${error instanceof Error ? error.message : String(error)})` } };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: { code: 'invalid', field: '', message: 'not an object' } };
  const { [VERSION_KEY]: version = 0, ...fields } = value as Record<string, unknown>;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    return { ok: false, problem: { code: 'invalid', field: VERSION_KEY, message: `${VERSION_KEY}: expected a whole number, got ${JSON.stringify(version)}` } };
  }
  if (version > ROLLOUT_SCHEMA_VERSION) {
    return { ok: false, problem: { code: 'newer-version', field: VERSION_KEY, message: `written by a newer rollgate (format ${version}; this one reads up to ${ROLLOUT_SCHEMA_VERSION}): upgrade this process` } };
  }
  let migrated = fields;
  for (let v = version; v < ROLLOUT_SCHEMA_VERSION; v++) migrated = MIGRATIONS[v]!(migrated);
  return parseStored(rolloutSchema as z.ZodType<Rollout>, migrated);
}

/** The JSON to store: the version first, then the rollout's fields (unknown ones included). */
export function serializeRollout(rollout: Rollout): string {
  return JSON.stringify({ [VERSION_KEY]: ROLLOUT_SCHEMA_VERSION, ...rollout });
}
