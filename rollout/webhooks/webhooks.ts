// The webhooks port: which hooks run at each moment of a rollout, with which payload. Calls
// go through a WebhookCaller (HTTP at the edge); answers come back as data for events.
//
// Hooks about a cluster (pre-rollout, rollout, rollback, confirm-traffic-increase,
// confirm-promotion) are called once per cluster, with the cluster in metadata.cluster and in
// {{cluster}}: a rollgate canary spans clusters, and each cluster's canary is what Flagger's
// canary is in that cluster (Kurator runs one Flagger and one load tester per member). Hooks
// about the whole rollout (confirm-rollout, post-rollout, event) are called once.
import { createHash } from 'node:crypto';
import type { AppConfig } from '../config.js';
import type { MetricSample, Rollout } from '../model.js';
import type { FlaggerPhase, HookCall, HookPayload } from './hook-call.js';
import { hooksOfType, renderHookText, type HookConfig, type HookType } from './hook-config.js';
import { hookSample, preRolloutPassed } from './hook-verdicts.js';
import type { WebhookCaller } from './http-caller.js';

export interface TickHooks {
  /** Hook samples for the cluster's ClusterTick, in call order. */
  samples: MetricSample[];
  /** A pre-rollout hook failed: this interval measures nothing else in the cluster (Flagger). */
  skipMetrics: boolean;
}

export interface Webhooks {
  /** Every interval, per analysed cluster: rollback, pre-rollout (until passed), rollout, confirm-traffic-increase. */
  tick(rollout: Rollout, app: AppConfig, cluster: string): Promise<TickHooks>;
  /** confirm-rollout (no cluster) or confirm-promotion (each of the gate's clusters); [] when none configured. */
  confirm(rollout: Rollout, app: AppConfig, type: 'confirm-rollout' | 'confirm-promotion', clusters?: string[]): Promise<HookCall[]>;
  /** post-rollout hooks, best effort. */
  postRollout(rollout: Rollout, app: AppConfig, phase: 'Succeeded' | 'Failed'): Promise<HookCall[]>;
  /** event hooks with one notice, best effort (Flagger's CallEventWebhook metadata). */
  event(rollout: Rollout, app: AppConfig, notice: { message: string; type: 'Normal' | 'Warning'; kind: string; at: number }): Promise<HookCall[]>;
}

/** Flagger's checksum identifies the canary's configuration; here: the app and the version rolled out. */
export function rolloutChecksum(rollout: Rollout, app: AppConfig): string {
  return createHash('sha256').update(`${app.namespace}/${app.deployment}/${rollout.version}`).digest('hex').slice(0, 16);
}

export function flaggerPhase(rollout: Rollout): FlaggerPhase {
  switch (rollout.phase) {
    case 'queued':
      return 'Waiting';
    case 'awaiting-approval':
      return 'WaitingPromotion';
    case 'succeeded':
      return 'Succeeded';
    case 'rolled-back':
    case 'rolling-back':
    case 'failed':
      return 'Failed';
    default:
      return 'Progressing';
  }
}

export function createWebhooks(options: { caller: WebhookCaller }): Webhooks {
  const { caller } = options;

  function callOne(rollout: Rollout, app: AppConfig, hook: HookConfig, phase: FlaggerPhase, cluster?: string, extra: Record<string, string> = {}): Promise<HookCall> {
    const variables = { namespace: app.namespace, deployment: app.deployment, version: rollout.version, rollout: rollout.id, ...(cluster ? { cluster } : {}) };
    // The hook's own metadata wins over metadata.cluster; an event's eventMessage/eventType/timestamp win over both (Flagger).
    const own = Object.fromEntries(Object.entries(hook.metadata ?? {}).map(([k, v]) => [k, renderHookText(v, variables)]));
    const metadata = { ...(cluster ? { cluster } : {}), ...own, ...extra };
    const payload: HookPayload = {
      name: app.deployment,
      namespace: app.namespace,
      phase,
      checksum: rolloutChecksum(rollout, app),
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    };
    return caller.call(hook, renderHookText(hook.url, variables), payload, cluster);
  }

  /** Flagger runs hooks of one type in order and stops at the first that fails. */
  async function inOrder(rollout: Rollout, app: AppConfig, type: HookType, phase: FlaggerPhase, cluster?: string, stopOn: (c: HookCall) => boolean = (c) => !c.ok): Promise<HookCall[]> {
    const calls: HookCall[] = [];
    for (const hook of hooksOfType(app, type)) {
      const call = await callOne(rollout, app, hook, phase, cluster);
      calls.push(call);
      if (stopOn(call)) break;
    }
    return calls;
  }

  return {
    async tick(rollout, app, cluster) {
      const state = rollout.cluster[cluster];
      const rollback = await inOrder(rollout, app, 'rollback', flaggerPhase(rollout), cluster, (c) => c.ok);
      const pre = preRolloutPassed(rollout, cluster) ? [] : await inOrder(rollout, app, 'pre-rollout', 'Progressing', cluster);
      if (pre.some((c) => !c.ok)) return { samples: [...rollback, ...pre].map(hookSample), skipMetrics: true };
      const checks = await inOrder(rollout, app, 'rollout', 'Progressing', cluster);
      const canaryOnly = state?.canary === 'deployed' && !state.promoted;
      const traffic = canaryOnly ? await inOrder(rollout, app, 'confirm-traffic-increase', 'Progressing', cluster) : [];
      return { samples: [...rollback, ...pre, ...checks, ...traffic].map(hookSample), skipMetrics: false };
    },
    async confirm(rollout, app, type, clusters) {
      if (type === 'confirm-rollout') return inOrder(rollout, app, type, 'Waiting');
      const calls: HookCall[] = [];
      for (const cluster of clusters ?? []) {
        const some = await inOrder(rollout, app, type, 'Progressing', cluster);
        calls.push(...some);
        if (some.some((c) => !c.ok)) break;
      }
      return calls;
    },
    async postRollout(rollout, app, phase) {
      const calls: HookCall[] = [];
      // Best effort: every hook is called, whatever the others answered.
      for (const hook of hooksOfType(app, 'post-rollout')) calls.push(await callOne(rollout, app, hook, phase));
      return calls;
    },
    async event(rollout, app, notice) {
      const extra = { eventMessage: notice.message, eventType: notice.type, timestamp: String(notice.at), notice: notice.kind, rollout: rollout.id };
      return Promise.all(hooksOfType(app, 'event').map((hook) => callOne(rollout, app, hook, flaggerPhase(rollout), undefined, extra)));
    },
  };
}
