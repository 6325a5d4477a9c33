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

/** Runs `work` under the lease, or returns `busy` without running it when someone else holds it. */
export async function withLease<T>(store: RolloutStore, key: string, ttlMs: number, work: (lease: Lease) => Promise<T>): Promise<{ busy: true } | { busy: false; value: T }> {
  const token = await store.acquire(key, ttlMs);
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
