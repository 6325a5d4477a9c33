// A cluster's metric history stays bounded however long a gate waits (analysis keeps ticking
// meanwhile), keeps the latest intervals whole, and still reaches back to the rollout's start.
import { describe, expect, it } from 'vitest';
import { transition } from '../../rollout/machine.js';
import type { ClusterTick, Rollout } from '../../rollout/model.js';
import { appendHistory, HISTORY_LIMIT, type HistoryPoint } from '../../rollout/history.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;
const point = (n: number): HistoryPoint => ({ at: n, metrics: { rate: n } });
const points = (n: number) => Array.from({ length: n }, (_, i) => point(i));

describe('appendHistory', () => {
  it.each([
    ['below the limit: every point kept', 3, 10, [0, 1, 2, 3]],
    ['reaching the limit: every point kept', 7, 8, [0, 1, 2, 3, 4, 5, 6, 7]],
    ['one over: the older half thinned to every other point', 8, 8, [0, 2, 4, 5, 6, 7, 8]],
    ['a tiny limit still ends', 5, 1, [5]],
  ])('%s', (_what, before, limit, ats) => {
    expect(appendHistory(points(before), point(before), limit).map((p) => p.at)).toEqual(ats);
  });

  it('an oversized history from before the cap shrinks under the limit on its next point', () => {
    const next = appendHistory(points(5000), point(5000));
    expect(next.length).toBeLessThanOrEqual(HISTORY_LIMIT);
    expect(next[0]!.at).toBe(0);
    expect(next.at(-1)!.at).toBe(5000);
  });
});

describe('history over a long gate wait', () => {
  it('stays within the limit, keeps the last half of it interval by interval, and starts at the first tick', () => {
    const app = testConfig().apps[0]!;
    const tick = (cluster: string, n: number): ClusterTick => ({ cluster, metrics: [{ metric: 'request-success-rate', value: 99 + (n % 10) / 10, min: 99, passed: true, dryRun: false }] });
    let r: Rollout = newRollout({ id: 'http-probe-app-1', app, version: 'v2', requester: 'U0DEV', nowMs: T0 });
    const apply = (event: Parameters<typeof transition>[1], at: number) => {
      const result = transition(r, event, at);
      if (!result.ok) throw new Error(JSON.stringify(result.refusal));
      r = result.rollout;
    };
    apply({ type: 'RolloutStarted', fromVersion: 'v1' }, T0);
    apply({ type: 'CanaryDeployed' }, T0);
    apply({ type: 'ReadinessChecked', ready: true }, T0);
    // Ten hours of one-minute ticks: the gate opens after two and then waits (its timeout is 4 h; make it longer).
    r = { ...r, settings: { ...r.settings, gateTimeoutMs: 24 * 60 * MIN } };
    const ticks = 600;
    for (let n = 1; n <= ticks; n++) apply({ type: 'AnalysisTicked', results: r.clusters.map((c) => tick(c, n)) }, T0 + n * MIN);
    expect(r.phase).toBe('awaiting-approval');

    const history = r.cluster.member1!.history;
    expect(history.length).toBeLessThanOrEqual(HISTORY_LIMIT);
    expect(history[0]!.at).toBe(T0 + MIN);
    const recent = history.slice(-HISTORY_LIMIT / 2).map((h) => (h.at - T0) / MIN);
    expect(recent).toEqual(Array.from({ length: HISTORY_LIMIT / 2 }, (_, i) => ticks - HISTORY_LIMIT / 2 + 1 + i));
    // Oldest first, always.
    expect(history.map((h) => h.at)).toEqual([...history.map((h) => h.at)].sort((a, b) => a - b));
  });
});
