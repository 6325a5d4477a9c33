// Root-message updates, at most one per rollout per window: the first after a quiet window
// goes at once, the rest wait out the window and collapse into one update rendered from the
// latest state. The root's own post starts a window, so a rollout's opening burst of state
// changes becomes one update without delaying the post itself. When the root was last written
// is kept with the rollout's message ts (the field ROOT_WRITTEN of its messages hash), so the
// drain reads it with them and records it with the notice: no Redis command of its own.

export const DEFAULT_COALESCE_MS = 1000;

/** The field of a rollout's messages hash (jobs/store.ts) that holds when its root was last written (ms). */
export const ROOT_WRITTEN = 'root-written';

/** When the root may be written again (0: now), from when it was last written (as stored, or undefined). */
export function rootDueAt(lastWritten: string | undefined, windowMs: number): number {
  const last = Number(lastWritten);
  return lastWritten !== undefined && Number.isFinite(last) ? last + windowMs : 0;
}
