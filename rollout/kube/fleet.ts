// The port between the workers and a fleet of clusters. Karmada mode and direct mode
// implement it; the state machine never learns which one runs.
import type { AppConfig } from '../config.js';
import type { Rollout } from '../model.js';

export interface BaseInfo {
  /** The version the base Deployment runs now (env value or image tag). */
  version: string;
  replicas: number;
}

export interface Readiness {
  ready: boolean;
  /** What is still not ready, in words ("member2: canary 0/1 ready"). */
  waitingFor?: string;
  pods: Record<string, { ready: number; total: number }>;
}

export interface Fleet {
  /** The base as it is now; in direct mode, in `cluster` (the rollout's first). */
  readBase(app: AppConfig, cluster?: string): Promise<BaseInfo>;
  /** Makes the clusters running a canary of this rollout exactly `clusters`. Idempotent; touches only clusters whose state changes. */
  setCanaries(rollout: Rollout, app: AppConfig, clusters: string[]): Promise<void>;
  /** Makes the clusters whose base runs the new version exactly `clusters`. Idempotent; touches only clusters whose state changes. */
  setPromoted(rollout: Rollout, app: AppConfig, clusters: string[]): Promise<void>;
  /** Are the canaries and promoted bases of the current stage rolled out and ready? */
  checkReady(rollout: Rollout, app: AppConfig): Promise<Readiness>;
  /** Ready pods of the new version per cluster: its canary, plus its base once promoted. */
  podsReady(rollout: Rollout, app: AppConfig, clusters: string[]): Promise<Record<string, { ready: number; total: number }>>;
  /** Absorbs the promotion into the base and removes every temporary object. Idempotent. */
  finalize(rollout: Rollout, app: AppConfig): Promise<void>;
  /**
   * canary.traffic: writes each canary's weight as the rollout holds it (ClusterState.weight).
   * Idempotent: a weight already in place is not written again. Answers the share each cluster's
   * canary really gets where it differs from its weight (the replicas provider counts whole pods).
   */
  setWeights(rollout: Rollout, app: AppConfig): Promise<Record<string, number>>;
}

export type FleetErrorCode = 'not-found' | 'invalid' | 'forbidden' | 'unauthenticated' | 'conflict' | 'unavailable' | 'misconfigured';

/** A failure talking to a cluster. Transient ones are retried with backoff; the rest end the step. */
export class FleetError extends Error {
  constructor(
    readonly code: FleetErrorCode,
    message: string,
    readonly cluster?: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryAfterMs = options?.retryAfterMs;
  }
  readonly retryAfterMs: number | undefined;
  get transient(): boolean {
    return this.code === 'unavailable' || this.code === 'conflict' || this.code === 'unauthenticated';
  }
}
