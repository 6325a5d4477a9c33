// The two BullMQ queues: `steps` (rollout steps, clicks and commands) and `notify` (draining
// a rollout's Slack outbox), and beside them the tick set (jobs/tick-set.ts): analysis ticks
// are not jobs. Job ids are deterministic, so adding a job twice, from a retry or a
// redelivery, runs it once.
import { Queue, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { redisKeys } from './keys.js';
import type { PendingStep } from './store.js';
import { createTickSet } from './tick-set.js';

export const STEPS_QUEUE = 'steps';
export const NOTIFY_QUEUE = 'notify';

export const inputJobSchema = z.object({
  rolloutId: z.string().min(1),
  /** Unique per click or command (Slack's action_ts / trigger_id): a redelivery is recognised. */
  inputId: z.string().min(1),
  kind: z.enum(['approve', 'rollback', 'operate', 'pause', 'resume', 'increase', 'retry']),
  /** For kind increase (approvals.trafficSteps): the weight on the clicked button, with `cluster`. */
  weight: z.int().min(1).max(99).optional(),
  /** For kind operate: which Demo 3 primitive, on which clusters. */
  op: z.enum(['canary', 'uncanary', 'promote', 'unpromote', 'rollback']).optional(),
  clusters: z.array(z.string()).optional(),
  /** For a rollback: why, in words, when it is not the person's own click ("superseded by v3"). */
  why: z.string().max(300).optional(),
  /** For an approve or rollback from the reason modal: the person's words (approvals.reasons). */
  reason: z.string().min(1).max(1000).optional(),
  /** A click from the Home tab has no response_url: refusals go to the person's direct messages with the app. */
  replyInDm: z.boolean().optional(),
  /** For a rollback from `start --supersede`: what to start once the rollback is done. */
  successor: z
    .object({
      version: z.string(),
      requester: z.string(),
      clusters: z.array(z.string()).optional(),
      strategy: z.enum(['per-cluster', 'canary-first']).optional(),
      autoPromote: z.boolean().optional(),
      notifyUrl: z.string().optional(),
    })
    .optional(),
  stage: z.int().min(1).optional(),
  /** From a typed command ("approve ID CLUSTER"): the gate is the one guarding this cluster. */
  cluster: z.string().optional(),
  user: z.string().min(1),
  responseUrl: z.string().optional(),
});
export type InputJob = z.infer<typeof inputJobSchema>;

export const stepJobSchema = z.object({
  rolloutId: z.string().min(1),
  seq: z.int().min(0),
  step: z.enum(['start', 'deploy-canary', 'promote', 'check-ready', 'tick', 'finalize', 'rollback', 'operate', 'shift-traffic']),
});

export const drainJobSchema = z.object({ rolloutId: z.string().min(1) });

const safeId = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_');

export function createQueues(options: { connection: ConnectionOptions; prefix: string; clock?: () => number }) {
  const clock = options.clock ?? Date.now;
  const common = { connection: options.connection, prefix: options.prefix };
  const steps = new Queue(STEPS_QUEUE, {
    ...common,
    defaultJobOptions: {
      attempts: 3,
      // Custom (jobs/step-errors.ts stepBackoff, set on the worker): exponential from 1 s, or the
      // server's Retry-After when it sent one.
      backoff: { type: 'retry-after', delay: 1000 },
      // Completed jobs are kept a day so a re-added id is recognised and ignored.
      removeOnComplete: { age: 86_400, count: 10_000 },
      removeOnFail: { age: 7 * 86_400 },
    },
  });
  const notify = new Queue(NOTIFY_QUEUE, {
    ...common,
    defaultJobOptions: { attempts: 50, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 86_400, count: 10_000 }, removeOnFail: { age: 7 * 86_400 } },
  });
  // BullMQ types its client loosely; it is the queue's ioredis connection.
  const ticks = createTickSet({ redis: async () => (await steps.client) as unknown as Redis, key: redisKeys(options.prefix).ticks });
  // This process's tick runner, told when a commit here scheduled a tick (it may be sooner than it planned to look).
  const tickListeners = new Set<(at: number) => void>();

  return {
    steps,
    notify,
    ticks,
    /** `listener(at)` hears of every tick this process schedules; returns the unsubscribe. */
    onTickScheduled(listener: (at: number) => void): () => void {
      tickListeners.add(listener);
      return () => void tickListeners.delete(listener);
    },
    /**
     * After a commit: its steps become jobs. Its ticks are already in the tick set (the commit
     * wrote them), so they only wake this process's tick runner; that is also why a click or a
     * command never queues behind a backlog of ticks.
     */
    async schedule(pending: PendingStep[]): Promise<void> {
      const now = clock();
      for (const p of pending) {
        if (p.step === 'tick') for (const listener of tickListeners) listener(p.at);
        else await steps.add('step', { rolloutId: p.rolloutId, seq: p.seq, step: p.step }, { jobId: p.jobId, delay: Math.max(0, p.at - now) });
      }
    },
    /**
     * The reconciler's schedule: like schedule(), and a step whose job failed (attempts spent,
     * or interrupted by dying workers too often) is added again under the same id, fresh: its
     * attempts and its stalled count start over (a retry() of the failed job would keep the
     * stalled count and fail again at once). A job that is waiting or running is left alone,
     * so the step runs once; stale steps do nothing, so running one again is harmless. A tick
     * missing from the tick set is put back; one there (due, claimed, or waiting to retry) stays.
     */
    async reschedule(pending: PendingStep[]): Promise<number> {
      let revived = await ticks.ensure(pending);
      for (const p of pending) {
        if (p.step === 'tick') continue;
        const job = await steps.getJob(p.jobId);
        if (job && (await job.getState()) === 'failed') {
          // Another replica may have revived it already; removing its fresh copy and adding it
          // again is harmless, and a copy already running is locked and stays.
          const removed = await job.remove().then(() => true, () => false);
          if (removed) revived++;
        }
        await this.schedule([p]);
      }
      return revived;
    },
    /**
     * Queues a click or command. `heldForMs`: the job waits that long before a worker may take
     * it, unless the returned release() lets it go sooner. A gate click uses it to change its
     * own message after the click is safe in Redis and before the worker can act on it (or put
     * the gate back on a refusal); if the process dies in between, the job runs when the hold ends.
     */
    async input(job: InputJob, options: { heldForMs?: number } = {}): Promise<() => Promise<void>> {
      const held = options.heldForMs ? { delay: options.heldForMs } : {};
      const added = await steps.add('input', job, { jobId: safeId(`${job.rolloutId}.in.${job.inputId}`), attempts: 5, ...held });
      // Already let go (the hold ended, or a redelivered click found the job running): nothing to do.
      return async () => void (options.heldForMs ? await added.promote().catch(() => undefined) : undefined);
    },
    async drain(rolloutId: string, round: string | number): Promise<void> {
      await notify.add('drain', { rolloutId }, { jobId: safeId(`${rolloutId}.drain.${round}`) });
    },
    async close(): Promise<void> {
      await Promise.all([steps.close(), notify.close()]);
    },
  };
}

export type Queues = ReturnType<typeof createQueues>;
