// Root-message updates, at most one per rollout per window: the first after a quiet window
// goes at once, the rest wait out the window and collapse into one update rendered from the
// latest state. The root's own post starts a window, so a rollout's opening burst of state
// changes becomes one update without delaying the post itself.
import type { Redis } from 'ioredis';

export const DEFAULT_COALESCE_MS = 1000;

export function createRootCoalescing(options: { redis: Redis; prefix: string; windowMs?: number }) {
  const { redis } = options;
  const windowMs = options.windowMs ?? DEFAULT_COALESCE_MS;
  const key = (rolloutId: string) => `${options.prefix}:rollout:${rolloutId}:root-written`;

  return {
    windowMs,
    /** When the root may be written again (0: now). */
    async dueAt(rolloutId: string): Promise<number> {
      const last = await redis.get(key(rolloutId));
      return last ? Number(last) + windowMs : 0;
    },
    async written(rolloutId: string, at: number): Promise<void> {
      await redis.set(key(rolloutId), String(at), 'PX', Math.max(windowMs, 1000) * 60);
    },
  };
}

export type RootCoalescing = ReturnType<typeof createRootCoalescing>;
