// Fault injection for tests: rate-limit storms (HTTP 429 + Retry-After, as Slack answers) and
// ok:false errors for chosen methods. Time comes from the injected clock.

export interface RateLimitFault {
  /** Method name, or every method when absent. */
  method?: string;
  forMs: number;
  retryAfterSeconds: number;
}

export interface ErrorFault {
  method: string;
  error: string;
  /** How many calls fail; until cleared when absent. */
  count?: number;
}

export type FaultHit = { kind: 'ratelimited'; retryAfterSeconds: number } | { kind: 'error'; error: string };

export type Faults = ReturnType<typeof createFaults>;

export function createFaults(options: { now: () => number }) {
  let storms: { method?: string; until: number; retryAfterSeconds: number }[] = [];
  let errors: { method: string; error: string; remaining: number }[] = [];

  return {
    add(fault: { rateLimit?: RateLimitFault; error?: ErrorFault }): void {
      if (fault.rateLimit) {
        const { method, forMs, retryAfterSeconds } = fault.rateLimit;
        storms.push({ method, until: options.now() + forMs, retryAfterSeconds });
      }
      if (fault.error) {
        const { method, error, count } = fault.error;
        errors.push({ method, error, remaining: count ?? Number.POSITIVE_INFINITY });
      }
    },
    clear(): void {
      storms = [];
      errors = [];
    },
    /** The fault this call runs into, if any; consumes one use of a counted error. */
    hit(method: string): FaultHit | undefined {
      const now = options.now();
      storms = storms.filter((s) => s.until > now);
      const storm = storms.find((s) => s.method === undefined || s.method === method);
      if (storm) return { kind: 'ratelimited', retryAfterSeconds: storm.retryAfterSeconds };
      const error = errors.find((e) => e.method === method && e.remaining > 0);
      if (!error) return undefined;
      error.remaining -= 1;
      errors = errors.filter((e) => e.remaining > 0);
      return { kind: 'error', error: error.error };
    },
    describe() {
      const now = options.now();
      return {
        rateLimits: storms.filter((s) => s.until > now).map((s) => ({ method: s.method ?? '*', remainingMs: s.until - now, retryAfterSeconds: s.retryAfterSeconds })),
        errors: errors.map((e) => ({ method: e.method, error: e.error, remaining: Number.isFinite(e.remaining) ? e.remaining : null })),
      };
    },
  };
}
