// While a gate waits, analysis goes on every interval; a summary that says what the last one
// said is marked `repeat`, and the notifier updates the last summary in place instead of
// posting another reply. Anything that changes (a verdict, a failed check, the gate opening
// since the last summary, a stage move) posts a new reply.
import type { ClusterState, Rollout } from './model.js';

export function summaryRepeats(before: Rollout, after: Record<string, ClusterState>): boolean {
  if (before.phase !== 'awaiting-approval') return false;
  const gate = before.gates.find((g) => g.state === 'open');
  const analysed = before.stages[before.stage]?.clusters ?? [];
  const lastTickAt = Math.max(...analysed.map((name) => before.cluster[name]?.history.at(-1)?.at ?? -Infinity));
  // The last summary was posted before the gate opened (or there was none): this one is news.
  if (gate?.openedAt === undefined || !(lastTickAt > gate.openedAt)) return false;
  return Object.entries(after).every(([name, now]) => {
    const was = before.cluster[name];
    return was !== undefined && was.lastVerdict === now.lastVerdict && was.failedChecks === now.failedChecks && (was.consecutiveErrors ?? 0) === (now.consecutiveErrors ?? 0);
  });
}
