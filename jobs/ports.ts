// What the workers need from the outside, injected by the entry point.
import type { Logger } from 'pino';
import type { AppConfig, Config } from '../rollout/config.js';
import type { Fleet } from '../rollout/kube/fleet.js';
import type { MetricsSource } from '../rollout/metrics/source.js';
import type { Rollout } from '../rollout/model.js';
import type { Refusal } from '../rollout/refusals.js';
import type { StartOutcome } from './start-rollout.js';
import type { Webhooks } from '../rollout/webhooks/webhooks.js';

export interface ApproverDirectory {
  /** With `clusters`, clusters that have approvers of their own require theirs. */
  isApprover(app: AppConfig, user: string, clusters?: string[]): Promise<boolean>;
}

/** What a private answer says, as data: bot/blocks/answer-words.ts writes the sentence. */
export type Answer =
  | { said: 'refused'; refusal: Refusal }
  | { said: 'no-such-rollout'; rollout: string }
  /** A click or command (`input`: its kind) that could not be applied after all its attempts. */
  | { said: 'input-lost'; input: string; rollout: string; error: string }
  /** `start --supersede`: the new rollout, once the superseded one is rolled back. */
  | { said: 'successor-started'; rollout: string; app: string; version: string }
  | { said: 'successor-not-started'; app: string; version: string; outcome: Exclude<StartOutcome, { kind: 'started' }> }
  | { said: 'start-failed'; rollout: string; app: string; version: string; reason: string }
  /** The start found `version` already running: nothing was rolled out (said in place of "queued"). */
  | { said: 'nothing-to-do'; app: string; version: string }
  /** A sentence stored before the domain spoke data (an old outbox record), sent as it was written. */
  | { said: 'as-written'; text: string };

/** Answers a person privately (the response_url of their click or command). */
export interface Replies {
  /** `replaceOriginal`: in place of the last private answer sent through this URL (a command's "queued"). */
  reply(responseUrl: string | undefined, answer: Answer, options?: { replaceOriginal?: boolean }): Promise<void>;
  /**
   * Puts a clicked gate back as it is now (buttons and all), through the click's response_url:
   * a click shown at once as "Approving…" that the worker then refused must not leave the gate
   * without its buttons.
   */
  restoreGate?(responseUrl: string | undefined, rollout: Rollout, stage: number): Promise<void>;
  /** A private answer without a response_url (a click on the Home tab): the person's direct messages with the app. */
  direct?(user: string, answer: Answer): Promise<void>;
}

/** What the workers report for /metrics. */
export interface Observer {
  stepDone(step: string, seconds: number): void;
  callFailed(target: 'kubernetes' | 'prometheus' | 'slack'): void;
  gateDecided(waitSeconds: number): void;
  /** An analysis tick started this long after it was due. */
  tickStarted(lateSeconds: number): void;
}

export const NO_OBSERVER: Observer = { stepDone: () => undefined, callFailed: () => undefined, gateDecided: () => undefined, tickStarted: () => undefined };

/**
 * Posts a rollout's outbox from the process that just committed it (bot/notifier.ts), so the
 * usual case, a tick's summary to a channel with a free slot, needs no drain job.
 */
export interface OutboxDrainer {
  /**
   * Drains now, waiting for nothing (no pacing slot, no 429 hold, no coalescing window). True
   * when nothing is left for a drain job: the outbox is empty, or another drainer holds it and
   * drains the rest. False on a hold, a 429 or a failure: the caller queues the drain job.
   * `committed`: the rollout as the caller just wrote it, used instead of reading it again while
   * no notice in the outbox is newer.
   */
  drainNow(rolloutId: string, committed?: Rollout): Promise<boolean>;
}

export interface WorkerPorts {
  config: Config;
  fleet: Fleet;
  metrics: MetricsSource;
  /** Flagger-compatible webhooks; absent: none are called. */
  webhooks?: Webhooks;
  approvers: ApproverDirectory;
  replies: Replies;
  clock: () => number;
  log: Logger;
  observer?: Observer;
  /** Posts a commit's notices in the step that made them; absent: every commit queues a drain job. */
  drainer?: OutboxDrainer;
}
