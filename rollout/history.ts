// Each cluster's metric values over the rollout, kept bounded. The rollout (history included)
// is rewritten on every commit, and analysis keeps ticking while a gate waits (hours, at one
// tick a minute), so an unbounded history made every write of a long rollout slower.
//
// HISTORY_LIMIT points per cluster at most. When full, the older half is thinned to every
// other point: the most recent points stay at full resolution (sparklines, "every interval
// so far"), and the end-of-rollout chart still spans the whole rollout, coarser towards its
// start (each point keeps its own `at`, so the chart's time axis stays true).
import type { ClusterState } from './model.js';

export type HistoryPoint = ClusterState['history'][number];

/** 240 points: at least the last 120 at full resolution (two hours of one-minute ticks), the rest thinned. */
export const HISTORY_LIMIT = 240;

export function appendHistory(history: readonly HistoryPoint[], point: HistoryPoint, limit = HISTORY_LIMIT): HistoryPoint[] {
  let kept = [...history, point];
  while (kept.length > limit) {
    const half = Math.floor(kept.length / 2);
    if (half < 2) {
      kept = kept.slice(kept.length - Math.max(1, limit));
      break;
    }
    // Keep the oldest point of the older half (the rollout's start), then every other one.
    kept = [...kept.slice(0, half).filter((_, i) => i % 2 === 0), ...kept.slice(half)];
  }
  return kept;
}
