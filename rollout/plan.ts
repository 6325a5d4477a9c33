// From an app's config and a start command to the rollout's first state.
import type { AppConfig } from './config.js';
import type { Rollout, Stage, Strategy } from './model.js';
import { metricRange } from './verdict.js';
import { trafficWeights } from './traffic/traffic-config.js';
import { hooksOfType } from './webhooks/hook-config.js';

export interface StartRequest {
  id: string;
  app: AppConfig;
  version: string;
  requester: string;
  clusters?: string[];
  strategy?: Strategy;
  autoPromote?: boolean;
  nowMs: number;
  /** Where to answer the requester privately if the start fails (Slack's response_url). */
  notifyUrl?: string;
}

export const DEFAULT_READY_POLL_MS = 2_000;

/**
 * per-cluster (seed Demo 2): one canary stage over every cluster, then one promotion per cluster.
 * canary-first (seed Demo 1): canary in the first cluster, promote it, then promote the rest at once.
 */
export function planStages(strategy: Strategy, clusters: string[]): Stage[] {
  const [first, ...rest] = clusters;
  if (first === undefined) throw new Error('a rollout needs at least one cluster');
  if (strategy === 'canary-first') {
    const stages: Stage[] = [
      { action: 'canary', clusters: [first] },
      { action: 'promote', clusters: [first] },
    ];
    if (rest.length > 0) stages.push({ action: 'promote', clusters: rest });
    return stages;
  }
  return [{ action: 'canary', clusters: [...clusters] }, ...clusters.map((c): Stage => ({ action: 'promote', clusters: [c] }))];
}

/** A gate over some clusters: the most approvals any of them requires, and their own approvers if they have any. */
function gateFor(app: AppConfig, stage: number, clusters: string[]): Rollout['gates'][number] {
  const own = clusters.map((c) => app.approvals.clusters[c]).filter((c) => c !== undefined);
  const required = Math.max(1, ...own.map((c) => c.required));
  const users = [...new Set(own.flatMap((c) => c.users))];
  const groups = [...new Set(own.flatMap((c) => c.groups))];
  return {
    stage,
    clusters,
    state: 'pending',
    ...(required > 1 ? { required } : {}),
    ...(users.length + groups.length > 0 ? { approvers: { users, groups } } : {}),
  };
}

export function newRollout(request: StartRequest, tuning: { readyPollMs?: number } = {}): Rollout {
  const { app, nowMs } = request;
  const clusters = request.clusters ?? app.clusters;
  const strategy = request.strategy ?? app.strategy;
  const stages = planStages(strategy, clusters);
  return {
    id: request.id,
    app: app.name,
    version: request.version,
    requester: request.requester,
    channel: app.channel,
    strategy,
    clusters,
    stages,
    settings: {
      intervalMs: app.analysis.interval,
      iterations: app.analysis.iterations,
      failureLimit: app.analysis.failureLimit,
      ...(app.analysis.consecutiveErrorLimit !== undefined ? { consecutiveErrorLimit: app.analysis.consecutiveErrorLimit } : {}),
      autoPromote: request.autoPromote ?? app.approvals.autoPromote,
      allowSelfApproval: app.approvals.allowSelfApproval,
      approvers: { users: [...app.approvals.approvers.users], groups: [...app.approvals.approvers.groups] },
      progressDeadlineMs: app.progressDeadline,
      readyPollMs: tuning.readyPollMs ?? DEFAULT_READY_POLL_MS,
      retryMs: 5 * (tuning.readyPollMs ?? DEFAULT_READY_POLL_MS),
      gateTimeoutMs: app.approvals.timeout,
      metrics: app.analysis.metrics.map((m) => ({ name: m.name, ...metricRange(m) })),
      onTimeout: app.approvals.onTimeout,
      ...(app.canary.traffic ? { traffic: { provider: app.canary.traffic.provider, weights: trafficWeights(app.canary.traffic), ...(hooksOfType(app, 'pre-rollout').length > 0 ? { preRollout: true } : {}), ...(app.approvals.trafficSteps ? { approveSteps: true } : {}) } } : {}),
      ...(app.approvals.notify === 'dm' ? { notifyDm: true } : {}),
      ...(app.approvals.reasons.rollback !== 'off' || app.approvals.reasons.approve !== 'off' ? { reasons: { ...app.approvals.reasons } } : {}),
      ...(app.links?.length ? { links: app.links.map((l) => ({ text: l.text, url: l.url })) } : {}),
    },
    phase: 'queued',
    stage: 0,
    seq: 0,
    ticksInStage: 0,
    tick: 0,
    cluster: Object.fromEntries(clusters.map((c) => [c, { canary: 'none', promoted: false, failedChecks: 0, history: [] }])),
    gates: stages.slice(1).map((s, i) => gateFor(app, i + 1, s.clusters)),
    createdAt: nowMs,
    updatedAt: nowMs,
    inputsApplied: [],
    operations: [],
    ...(request.notifyUrl ? { notifyUrl: request.notifyUrl } : {}),
  };
}
