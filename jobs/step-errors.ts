// The jobs layer's one error type: every failure of a step, whatever threw it, becomes a
// StepFailure with a code, so the worker decides retry, hold or fail on the code alone and
// never on message text. Only the outside world (a cluster, Redis, the network) is worth
// retrying; anything else is a bug or a refusal that no retry will cure.
import { z } from 'zod';
import { FleetError } from '../rollout/kube/fleet.js';
import { StoredRecordError } from './stored-records.js';

export type StepFailureCode =
  /** A cluster did not answer, or answered 429/5xx: retry with backoff, then hold. */
  | 'cluster-unavailable'
  /** A cluster refused for good (404 on the base, 403, an invalid object, a misconfiguration). */
  | 'cluster-refused'
  /** Redis or the network under it: retry; the rollout was not changed. */
  | 'store-unavailable'
  /** rollgate itself is wrong (a TypeError, data that fails its schema): fail the step, loudly. */
  | 'bug';

export class StepFailure extends Error {
  override readonly name = 'StepFailure';
  constructor(
    readonly code: StepFailureCode,
    message: string,
    options: { cause?: unknown; cluster?: string | undefined; retryAfterMs?: number | undefined } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.cluster = options.cluster;
    this.retryAfterMs = options.retryAfterMs;
  }
  readonly cluster: string | undefined;
  /** What the other side asked for (HTTP Retry-After): the next attempt waits at least this long. */
  readonly retryAfterMs: number | undefined;
  get transient(): boolean {
    return this.code === 'cluster-unavailable' || this.code === 'store-unavailable';
  }
}

// Node system errors (ECONNRESET, ETIMEDOUT, ...) and ioredis's own: the connection, not the code.
const NETWORK_CODE = /^E[A-Z]+$/;
const REDIS_ERRORS = new Set(['ReplyError', 'MaxRetriesPerRequestError', 'AbortError']);

/** Turns anything a step may throw into a StepFailure (one place, as bolt's asCodedError). */
export function toStepFailure(error: unknown): StepFailure {
  if (error instanceof StepFailure) return error;
  if (error instanceof FleetError) {
    return new StepFailure(error.transient ? 'cluster-unavailable' : 'cluster-refused', error.message, { cause: error, cluster: error.cluster, retryAfterMs: error.retryAfterMs });
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof z.core.$ZodError) return new StepFailure('bug', `data failed its schema: ${error.message}`, { cause: error });
  if (error instanceof StoredRecordError) return new StepFailure('bug', error.message, { cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof Error && (REDIS_ERRORS.has(error.name) || (typeof code === 'string' && NETWORK_CODE.test(code)))) {
    return new StepFailure('store-unavailable', message, { cause: error });
  }
  return new StepFailure('bug', message, { cause: error });
}

/** Errors only a mistake in rollgate (or a damaged record) makes, as opposed to a plain Error, which may be a dropped connection. */
export function isProgrammingError(error: unknown): boolean {
  return error instanceof StoredRecordError || error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError || error instanceof SyntaxError || error instanceof z.core.$ZodError;
}

/** BullMQ custom backoff: the server's Retry-After when it gave one, else exponential from 1 s. */
export function stepBackoff(attemptsMade: number, _type?: string, error?: Error): number {
  const asked = error instanceof StepFailure ? error.retryAfterMs : error instanceof FleetError ? error.retryAfterMs : undefined;
  const exponential = 1000 * 2 ** Math.max(0, attemptsMade - 1);
  return asked !== undefined ? Math.max(asked, 0) : exponential;
}
