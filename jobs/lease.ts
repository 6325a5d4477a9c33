// A per-rollout lease held while work runs: short, so a killed process blocks nobody for
// long, and renewed while the holder lives, so long work is never overlapped.
import type { RolloutStore } from './store.js';

export interface Lease {
  /** The lock's key and this holder's token, for scripts that act only while it is held. */
  readonly key: string;
  readonly token: string;
  /** Renews the lease now; false when it was lost (it expired, say while Redis restarted, and may be someone else's). */
  stillHeld(): Promise<boolean>;
}

export interface LeaseWait {
  /**
   * How long to keep asking for a lease someone holds before answering `busy`. A step schedules
   * the rollout's next step while it still holds the lease, so the next one often finds it held
   * for the few milliseconds the first takes to let go (issue 13: a quarter of starts waited a
   * 250 ms retry for it). Default 0: answer at once.
   */
  waitMs?: number;
  /** Between two asks; injected so tests decide when time passes. */
  sleep?: (ms: number) => Promise<void>;
}

const ASK_EVERY_MS = 5;

/** Runs `work` under the lease, or returns `busy` without running it when someone else holds it (still, after `wait.waitMs`). */
export async function withLease<T>(store: RolloutStore, key: string, ttlMs: number, work: (lease: Lease) => Promise<T>, wait: LeaseWait = {}): Promise<{ busy: true } | { busy: false; value: T }> {
  const sleep = wait.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let token = await store.acquire(key, ttlMs);
  for (let waited = 0; !token && waited < (wait.waitMs ?? 0); waited += ASK_EVERY_MS) {
    await sleep(ASK_EVERY_MS);
    token = await store.acquire(key, ttlMs);
  }
  if (!token) return { busy: true };
  const timer = setInterval(() => void store.renew(key, token, ttlMs).catch(() => undefined), Math.max(100, Math.floor(ttlMs / 3)));
  const lease: Lease = { key, token, stillHeld: () => store.renew(key, token, ttlMs).catch(() => false) };
  try {
    return { busy: false, value: await work(lease) };
  } finally {
    clearInterval(timer);
    await store.release(key, token);
  }
}
