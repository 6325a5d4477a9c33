// What the Slack handlers share: config, the rollout store, the queues and a clock.
import type { Logger } from 'pino';
import type { ApproverDirectory } from '../jobs/ports.js';
import type { Queues } from '../jobs/queues.js';
import type { RolloutStore } from '../jobs/store.js';
import type { AppConfig, Config } from '../rollout/config.js';
import type { Effect } from '../rollout/events.js';
import type { Rollout } from '../rollout/model.js';

export interface BotContext {
  config: Config;
  store: RolloutStore;
  queues: Queues;
  clock: () => number;
  log: Logger;
  tuning: { readyPollMs?: number };
  dispatch(rollout: Rollout, effects: Effect[]): Promise<void>;
  permalink(rolloutId: string): Promise<string | undefined>;
  /**
   * The version the app's base Deployment runs now (in `cluster`, in direct mode), read from
   * the fleet; absent when this process has no access to it (`serve --no-workers` without a
   * kubeconfig): the start step then checks instead.
   */
  runningVersion?: (app: AppConfig, cluster: string) => Promise<string>;
  /** True the first time `id` is seen (for 10 minutes): a replayed request is recognised. */
  firstDelivery?: (id: string) => Promise<boolean>;
  /** Who may decide a gate; lets a click show "Approving…" at once when it will be accepted. */
  approvers?: ApproverDirectory;
}
