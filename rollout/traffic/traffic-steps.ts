// Traffic-weighted steps in the state machine (Flagger's stepWeight). Pure: each function
// takes the rollout and answers the changes and effects, or undefined when traffic does not
// apply. Per cluster the canary starts at the first weight once it is ready; each fully
// passing interval moves it one step; intervals count towards `iterations` only at maxWeight.
// Webhooks (Flagger): with pre-rollout hooks a cluster gets no weight until they passed there;
// a confirm-traffic-increase hook that did not answer 2xx keeps its cluster's weight, and the
// interval does not count (it is measured again).
// The machine writes the desired weight into ClusterState first; the shift-traffic step then
// writes exactly that, so a redelivered step writes nothing new.
import type { Actor, Effect, Refusal } from '../events.js';
import { approverRefusal } from '../gate-rules.js';
import { refusal } from '../refusals.js';
import type { ClusterState, ClusterTick, Rollout } from '../model.js';
import { preRolloutPassed, preRolloutPassedIn, trafficIncreaseConfirmed } from '../webhooks/hook-verdicts.js';

export interface TrafficChange {
  changes: Partial<Rollout>;
  effects: Effect[];
}

const shift = (nowMs: number): Effect => ({ type: 'step', step: 'shift-traffic', at: nowMs });

/** Clusters of the current canary stage whose canary takes weighted traffic. */
function weightedClusters(rollout: Rollout): string[] {
  const stage = rollout.stages[rollout.stage];
  if (!rollout.settings.traffic || stage?.action !== 'canary') return [];
  return stage.clusters.filter((c) => rollout.cluster[c]?.canary === 'deployed' && !rollout.cluster[c]?.promoted);
}

/** The weight after `current`: the first one when there is none yet; undefined at maxWeight. */
export function nextWeight(weights: number[], current: number | undefined): number | undefined {
  if (current === undefined) return weights[0];
  return weights.find((w) => w > current);
}

export const maxWeight = (rollout: Rollout): number | undefined => rollout.settings.traffic?.weights.at(-1);

function withWeights(rollout: Rollout, clusters: string[], nowMs: number): Rollout['cluster'] {
  const weights = rollout.settings.traffic?.weights ?? [];
  const cluster = { ...rollout.cluster };
  for (const name of clusters) {
    const state = cluster[name] as ClusterState;
    const weight = nextWeight(weights, state.weight);
    if (weight === undefined) continue;
    const { actualWeight: _stale, ...rest } = state;
    cluster[name] = { ...rest, weight, weights: [...(state.weights ?? []), { at: nowMs, weight }] };
  }
  return cluster;
}

/** Weight 0 until the cluster's pre-rollout hooks passed (in an earlier interval, or in `results`). */
function mayGetTraffic(rollout: Rollout, cluster: string, results: ClusterTick[] = []): boolean {
  return !rollout.settings.traffic?.preRollout || preRolloutPassed(rollout, cluster) || preRolloutPassedIn(results).includes(cluster);
}

/**
 * The canaries of the stage are ready: give each its first weight before the first interval.
 * With pre-rollout hooks the clusters stay at 0 and the analysis starts (the hooks run there);
 * raiseWeights gives the first weight at the interval they pass.
 */
export function startTraffic(rollout: Rollout, nowMs: number): TrafficChange | undefined {
  const starting = weightedClusters(rollout).filter((c) => rollout.cluster[c]?.weight === undefined && mayGetTraffic(rollout, c));
  if (starting.length === 0) return undefined;
  return { changes: { phase: 'analysing', ticksInStage: 0, cluster: withWeights(rollout, starting, nowMs) }, effects: [shift(nowMs), { type: 'notify', notice: { kind: 'root-update' } }] };
}

/**
 * After a fully passing interval: move every weighted cluster below maxWeight one step up,
 * except those held by a webhook (pre-rollout not passed yet, confirm-traffic-increase not
 * confirmed in `results`): they keep their weight. Undefined when all are at maxWeight (the
 * interval then counts towards `iterations`). `rollout` is the state after the tick; while a
 * cluster is below maxWeight the tick must not count, so ticksInStage is kept.
 */
export function raiseWeights(rollout: Rollout, before: Rollout, results: ClusterTick[], nowMs: number): TrafficChange | undefined {
  const max = maxWeight(rollout);
  const below = weightedClusters(rollout).filter((c) => rollout.cluster[c]?.weight !== max);
  if (below.length === 0) return undefined;
  const result = (c: string) => results.find((r) => r.cluster === c) ?? { cluster: c, metrics: [] };
  const rising = below.filter((c) => mayGetTraffic(rollout, c, results) && trafficIncreaseConfirmed(result(c)));
  if (rollout.settings.traffic?.approveSteps && rising.length > 0) return offerSteps(rollout, before, rising, nowMs);
  if (rising.length === 0) {
    // Every step waits for a hook: nothing is written, the interval runs again at the same weights.
    return { changes: { ticksInStage: before.ticksInStage }, effects: [{ type: 'step', step: 'tick', at: nowMs + rollout.settings.intervalMs }] };
  }
  return { changes: { ticksInStage: before.ticksInStage, cluster: withWeights(rollout, rising, nowMs) }, effects: [shift(nowMs)] };
}

/** The weights are written: analysis measures the next interval at them. */
export function trafficShifted(rollout: Rollout, actual: Record<string, number> | undefined, nowMs: number): TrafficChange {
  const cluster = { ...rollout.cluster };
  for (const [name, weight] of Object.entries(actual ?? {})) {
    const state = cluster[name];
    if (state && state.weight !== undefined && weight !== state.weight) cluster[name] = { ...state, actualWeight: weight };
  }
  return { changes: { cluster }, effects: [{ type: 'step', step: 'tick', at: nowMs + rollout.settings.intervalMs }, { type: 'notify', notice: { kind: 'root-update' } }] };
}

/** The weight shown for a cluster, "20 %" or "25 % (20 % asked)", or undefined without traffic steps. */
export function weightWords(state: Pick<ClusterState, 'weight' | 'actualWeight'> | undefined): string | undefined {
  if (state?.weight === undefined) return undefined;
  const round = (n: number) => Math.round(n * 10) / 10;
  return state.actualWeight !== undefined ? `${round(state.actualWeight)} % (${state.weight} % asked)` : `${state.weight} %`;
}

/**
 * approvals.trafficSteps: the step a passing interval earned is offered, not taken. Each rising
 * cluster's next weight waits in `pendingWeight` for a person's click (TrafficStepApproved);
 * meanwhile the analysis goes on at the same weights and its intervals do not count.
 */
function offerSteps(rollout: Rollout, before: Rollout, rising: string[], nowMs: number): TrafficChange {
  const weights = rollout.settings.traffic?.weights ?? [];
  const cluster = { ...rollout.cluster };
  let offered = false;
  for (const name of rising) {
    const state = cluster[name] as ClusterState;
    const next = nextWeight(weights, state.weight);
    if (next === undefined || state.pendingWeight === next) continue;
    cluster[name] = { ...state, pendingWeight: next };
    offered = true;
  }
  const tick: Effect = { type: 'step', step: 'tick', at: nowMs + rollout.settings.intervalMs };
  return { changes: { ticksInStage: before.ticksInStage, cluster }, effects: [tick, ...(offered ? [{ type: 'notify', notice: { kind: 'root-update' } } as Effect] : [])] };
}

/**
 * A person clicked "Increase CLUSTER to W %": the offered step is taken (approver rules as for a
 * gate). `weight` is the one on the button, so a second click of the same button, or a click on
 * a step already taken, is refused as `already` and nothing moves twice.
 */
export function approveStep(rollout: Rollout, cluster: string, weight: number, by: Actor, nowMs: number): { ok: true; change: TrafficChange } | { ok: false; refusal: Refusal } {
  const state = rollout.cluster[cluster];
  if (!state || !rollout.settings.traffic) return { ok: false, refusal: refusal('unknown-cluster', { why: 'no-traffic-step', rollout: rollout.id, cluster }) };
  if (state.weight !== undefined && state.weight >= weight) return { ok: false, refusal: refusal('already', { why: 'weight-reached', cluster, weight: state.weight }) };
  if (rollout.phase !== 'analysing' || state.pendingWeight !== weight) {
    return { ok: false, refusal: refusal('busy', { why: 'step-not-offered', rollout: rollout.id, cluster, weight, phase: rollout.phase }) };
  }
  const denied = approverRefusal(rollout, by);
  if (denied) return { ok: false, refusal: denied };
  const { pendingWeight: _taken, actualWeight: _stale, ...rest } = state;
  const next: ClusterState = { ...rest, weight, weights: [...(state.weights ?? []), { at: nowMs, weight }], stepApprovedBy: by.user };
  return { ok: true, change: { changes: { cluster: { ...rollout.cluster, [cluster]: next } }, effects: [shift(nowMs), { type: 'notify', notice: { kind: 'root-update' } }] } };
}
