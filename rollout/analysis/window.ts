// How far back a tick's queries look. The analysis interval, widened to 30 s so rate() sees
// at least two scrapes; but never back past the moment the cluster's new-version pods were
// seen ready, so a previous canary's samples (even one of the same version, whose pods share
// the pod-template-hash) are never judged as this one's.
import type { Rollout } from '../model.js';

export const MIN_WINDOW_MS = 30_000;

export function analysisWindowMs(rollout: Rollout, cluster: string, nowMs: number): number {
  const interval = rollout.settings.intervalMs;
  const wide = Math.max(interval, MIN_WINDOW_MS);
  const readyAt = rollout.cluster[cluster]?.readyAt;
  if (readyAt === undefined) return wide;
  // Whole seconds, rounded down: a window rounded up would reach back before readiness.
  const sinceReady = Math.floor((nowMs - readyAt) / 1000) * 1000;
  // A tick comes an interval after readiness at the earliest, so the floor only guards clock skew.
  return Math.max(Math.min(wide, sinceReady), Math.min(interval, wide), 1000);
}
