// What /readyz answers: ready, or every reason it is not (Slack not yet reached, Redis down,
// shutting down). Redis is probed with a bound, so a Redis that hangs gives a prompt 503.
import type { Redis } from 'ioredis';

export interface Readiness {
  /** Marks a part not ready for `reason`, or ready again with undefined. */
  set(part: string, reason: string | undefined): void;
  /** A reason computed at each check (e.g. "Socket Mode not connected"), or undefined when fine. */
  watch(probe: () => string | undefined): void;
  /** Every reason the process is not ready; empty when it is. */
  check(): Promise<string[]>;
}

export function createReadiness(options: { redis: Pick<Redis, 'ping' | 'status'>; redisTimeoutMs?: number }): Readiness {
  const reasons = new Map<string, string>();
  const probes: (() => string | undefined)[] = [];
  const timeoutMs = options.redisTimeoutMs ?? 1000;

  async function redisReason(): Promise<string | undefined> {
    const { redis } = options;
    if (redis.status !== 'ready') return `Redis not connected (${redis.status})`;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`Redis did not answer PING within ${timeoutMs} ms`), timeoutMs);
    });
    const answered = redis.ping().then(
      (pong) => (pong === 'PONG' ? undefined : `Redis answered PING with ${String(pong).slice(0, 40)}`),
      (error: unknown) => `Redis PING failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    try {
      return await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    set(part, reason) {
      if (reason === undefined) reasons.delete(part);
      else reasons.set(part, reason);
    },
    watch(probe) {
      probes.push(probe);
    },
    async check() {
      const redis = await redisReason();
      const watched = probes.map((probe) => probe()).filter((r): r is string => r !== undefined);
      return [...reasons.values(), ...watched, ...(redis ? [redis] : [])];
    },
  };
}
