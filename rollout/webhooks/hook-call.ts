// One webhook call as the domain sees it: what was asked, how it answered. Plain data, stored
// in events and summaries. The call itself happens at the edge (http-caller.ts).
import type { HookType } from './hook-config.js';

/** Flagger's canary phases, as its payload names them. */
export type FlaggerPhase = 'Waiting' | 'Progressing' | 'WaitingPromotion' | 'Succeeded' | 'Failed';

/** Exactly Flagger's CanaryWebhookPayload, so its load tester and other receivers work unchanged. */
export interface HookPayload {
  name: string;
  namespace: string;
  phase: FlaggerPhase;
  checksum: string;
  metadata?: Record<string, string>;
}

export interface HookCall {
  name: string;
  type: HookType;
  /** The cluster the call was about (metadata.cluster); absent for rollout-wide hooks. */
  cluster?: string;
  /** The last HTTP status, when there was an answer. */
  status?: number;
  /** Flagger's rule: 200, 201 and 202 are success; anything else, or no answer, is not. */
  ok: boolean;
  attempts: number;
  retries: number;
  timeoutMs: number;
  /** Why it did not succeed: the answer's body (clipped), a timeout, a refused connection. */
  reason?: string;
  /** The hook has Flagger's muteAlert: no channel notice about its waiting. */
  muted?: boolean;
}

/** Flagger's callWebhook fails on `StatusCode > 202`; redirects are followed before that. */
export function hookSucceeded(status: number): boolean {
  return status >= 200 && status <= 202;
}
