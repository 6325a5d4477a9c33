// One LIST of a namespace's pods serves every rollout reading pods there for a short while
// (issue 13): N rollouts in one namespace cost one read per cluster per window, not N.
// Callers filter the pods in memory (by owning ReplicaSet), so no selector is needed and
// the verb stays `list pods`, as deploy/ grants it.
import type { V1Pod } from '@kubernetes/client-node';

export interface PodFreshness {
  /** A list requested at most this long ago serves (a rollout asks for half its analysis interval). */
  maxAgeMs: number;
  /** ...and only one requested at or after this moment (its canary seen ready): an older list may lack its pods. */
  notBefore?: number;
}

/** A list nobody asked for in this long is dropped, so a namespace no longer rolled out holds no memory. */
const KEEP_MS = 60_000;

interface Listing {
  /** When the LIST was sent: the snapshot is at least this fresh. */
  at: number;
  pods: Promise<V1Pod[]>;
}

/**
 * `list(namespace)` is one LIST call. Concurrent callers share the one in flight; a failed
 * LIST is not kept, so the next caller tries again.
 */
export function sharePodLists(options: { list: (namespace: string) => Promise<V1Pod[]>; clock: () => number }) {
  const listings = new Map<string, Listing>();

  function forgetOld(now: number): void {
    for (const [namespace, listing] of listings) if (now - listing.at > KEEP_MS) listings.delete(namespace);
  }

  return function podsIn(namespace: string, freshness: PodFreshness): Promise<V1Pod[]> {
    const now = options.clock();
    const held = listings.get(namespace);
    if (held && now - held.at <= freshness.maxAgeMs && held.at >= (freshness.notBefore ?? Number.NEGATIVE_INFINITY)) return held.pods;
    forgetOld(now);
    const listing: Listing = { at: now, pods: options.list(namespace) };
    listings.set(namespace, listing);
    listing.pods.catch(() => {
      if (listings.get(namespace) === listing) listings.delete(namespace);
    });
    return listing.pods;
  };
}
