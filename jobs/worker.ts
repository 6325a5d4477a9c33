// The steps worker: runs rollout steps and applies clicks and commands, from the `steps`
// queue, and analysis ticks, from the tick set (jobs/tick-runner.ts), through the same path.
// A step for a rollout runs only under that rollout's lease, so a rollback never races a
// promotion that is still writing; a tick, which only measures, commits without it (a stale
// commit loses); a step scheduled at an older seq does nothing.
import { DelayedError, UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { z } from 'zod';
import type { Actor, RolloutEvent } from '../rollout/events.js';
import type { Rollout } from '../rollout/model.js';
import type { AppConfig } from '../rollout/config.js';
import { gateStageFor } from '../rollout/gate-rules.js';
import { withLease } from './lease.js';

/**
 * A step schedules the rollout's next one while it still holds the lease, so the next often
 * finds it held for the few milliseconds the first takes to let go: wait that long rather than
 * answer busy and retry 250 ms later (a quarter of starts paid that retry: start -> canary p99).
 */
const LEASE_WAIT_MS = 100;
import { startRollout } from './start-rollout.js';
import { performStep } from './perform-step.js';
import { NO_OBSERVER, type Answer, type WorkerPorts } from './ports.js';
import { inputJobSchema, STEPS_QUEUE, stepJobSchema, type InputJob, type Queues } from './queues.js';
import { createRolloutRunner } from './rollout-runner.js';
import { isProgrammingError, stepBackoff, toStepFailure } from './step-errors.js';
import type { RolloutStore } from './store.js';
import { startTickRunner, type TickResult, type TickRunner } from './tick-runner.js';

const KEEP_INPUT_IDS = 50;
/** Attempts of a step before a transient failure holds the rollout (the queue backs off 1 s, then 2 s). */
const QUICK_ATTEMPTS = 3;
/** A failed attempt that took this long (a call that timed out) holds at once: the channel is not kept silent for attempts × timeout. */
const SLOW_FAILURE_MS = 5_000;
/** A step job interrupted by dying workers is taken over this many times before BullMQ fails it (the reconciler then retries it). */
const MAX_STALLED = 5;
/** A step whose rollout is busy (another step holds its lease) is tried again this much later. */
const BUSY_RETRY_MS = 250;
/** What an optimistic tick answers when it must write to the fleet after all: run it under the lease. */
const NEEDS_LEASE = 'needs the lease';

/** The steps queue's worker and the tick runner of one process: closing it stops both and waits for their work in flight. */
export interface StepWorker {
  jobs: Worker;
  ticks: TickRunner;
  close(): Promise<void>;
}

export interface StepWorkerOptions extends WorkerPorts {
  connection: ConnectionOptions;
  prefix: string;
  store: RolloutStore;
  queues: Queues;
  concurrency?: number;
  /** How long a job may go without a heartbeat before another worker takes it over. */
  lockDurationMs?: number;
  tuning?: { readyPollMs?: number; slowFailureMs?: number };
}

function inputEvent(input: InputJob, rollout: Rollout, by: Actor): RolloutEvent {
  if (input.kind === 'pause') return { type: 'PauseRequested', by };
  if (input.kind === 'resume') return { type: 'ResumeRequested', by };
  if (input.kind === 'retry') return { type: 'RetryRequested', by };
  if (input.kind === 'operate') return { type: 'OperationRequested', op: input.op ?? 'canary', clusters: input.clusters ?? [], by };
  if (input.kind === 'increase') return { type: 'TrafficStepApproved', cluster: input.cluster ?? '', weight: input.weight ?? 0, by };
  const said = input.reason ? { reason: input.reason } : {};
  if (input.kind === 'approve') return { type: 'GateApproved', stage: input.stage ?? gateStageFor(rollout, input.cluster), by, ...(input.cluster ? { cluster: input.cluster } : {}), ...said };
  return { type: 'RollbackRequested', by, ...(input.stage !== undefined ? { stage: input.stage } : {}), ...(input.why ? { why: input.why } : {}), ...said };
}

/** Which clusters' approvers decide on this input: the gate's, or the operation's; none for the rest. */
function clustersConcerned(input: InputJob, rollout: Rollout): string[] | undefined {
  if (input.kind === 'approve') return rollout.gates[(input.stage ?? gateStageFor(rollout, input.cluster)) - 1]?.clusters;
  if (input.kind === 'operate') return input.clusters;
  if (input.kind === 'increase') return input.cluster ? [input.cluster] : undefined;
  return undefined;
}

export function createStepWorker(options: StepWorkerOptions): StepWorker {
  const { store, queues, config, clock, log } = options;
  const runner = createRolloutRunner({ store, queues, clock, drainer: options.drainer });
  const appOf = (name: string) => config.apps.find((a) => a.name === name);
  const observer = options.observer ?? NO_OBSERVER;
  // As long as a job's own lock: a killed worker's lease lapses when its job is taken over.
  const leaseMs = options.lockDurationMs ?? 30_000;

  async function runStep(job: Job, token: string | undefined): Promise<string> {
    const parsed = stepJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`step job ${job.id} has bad data: ${parsed.error.message}`);
    const leased = await runStepOnce(parsed.data, job.attemptsMade, 'lease');
    if (leased.busy) {
      // Another step of this rollout is writing; try again shortly without spending an attempt.
      await job.moveToDelayed(Date.now() + BUSY_RETRY_MS, token);
      throw new DelayedError();
    }
    return leased.value;
  }

  /** A tick from the tick set, as runStep runs a step job; the runner does with the tick what the queue would do with the job. */
  async function runTick(data: z.infer<typeof stepJobSchema>, attemptsMade: number): Promise<TickResult> {
    try {
      const optimistic = await runStepOnce(data, attemptsMade, 'optimistic');
      const leased = !optimistic.busy && optimistic.value === NEEDS_LEASE ? await runStepOnce(data, attemptsMade, 'lease') : optimistic;
      if (leased.busy) return { kind: 'later', inMs: BUSY_RETRY_MS, attempted: false };
      // Applied: the commit took the tick out of the set. Anything else (stale, refused) leaves it to remove.
      return leased.value === 'applied' ? { kind: 'committed' } : { kind: 'finished' };
    } catch (error) {
      if (error instanceof UnrecoverableError) {
        // As a failed job: the reconciler puts the tick back on its next round.
        log.error({ rollout: data.rolloutId, step: data.step, err: error.message }, 'tick failed for good, the reconciler re-queues it on its next round');
        return { kind: 'finished' };
      }
      // As a job's attempts would: 1 s, 2 s, 4 s (or Retry-After), then as fresh as the reconciler's
      // re-queue of a failed job: a tick that keeps failing (Redis restarting) is never left minutes apart.
      return { kind: 'later', inMs: stepBackoff((attemptsMade % QUICK_ATTEMPTS) + 1, undefined, error as Error), attempted: true };
    }
  }

  /**
   * One step: under its rollout's lease (`busy` when another step holds it), or, for an analysis
   * tick, `optimistic`ally: a tick that writes nothing to the fleet only measures, so it needs no
   * lease; its commit (compare-and-set on seq) loses to any step or click that changed the
   * rollout meanwhile, and the tick, stale then, does nothing. This holds because no commit
   * schedules a tick beside another step at the same seq (jobs/store.ts refuses such a commit): a
   * tick never overtakes a promotion or rollback of its own seq. A tick that must write
   * (re-applying traffic weights) answers NEEDS_LEASE and is run again under the lease.
   * Saves a tick the lease's four Redis commands, and a click's step never waits for a tick.
   * Throws what the step threw for a retry, UnrecoverableError when no retry will cure it.
   */
  async function runStepOnce(data: z.infer<typeof stepJobSchema>, attemptsMade: number, mode: 'lease' | 'optimistic'): Promise<Awaited<ReturnType<typeof withLease<string>>>> {
    let drainLater: (() => Promise<void>) | undefined;
    const step = async () => {
      const outcome = await runner.apply(data.rolloutId, async (rollout) => {
        if (rollout.seq !== data.seq) return `stale step ${data.step} (seq ${data.seq}, rollout at ${rollout.seq})`;
        if (mode === 'optimistic' && rollout.settings.traffic) return NEEDS_LEASE;
        const app = appOf(rollout.app);
        if (!app) return { event: { type: 'StepFailed', step: data.step, problem: { said: 'app-gone', app: rollout.app } } };
        return { event: await stepEvent(attemptsMade, data.step, rollout, app) };
      }, { deferDrain: true });
      if (outcome.kind === 'applied') {
        drainLater = outcome.drainLater;
        log.info({ rollout: data.rolloutId, step: data.step, phase: outcome.rollout.phase }, 'step done');
        await startSuccessor(outcome.rollout);
      }
      return outcome.kind === 'skipped' && outcome.reason === NEEDS_LEASE ? NEEDS_LEASE : outcome.kind;
    };
    try {
      if (mode === 'optimistic') return { busy: false, value: await step() };
      return await withLease(store, store.keys.exec(data.rolloutId), leaseMs, step, { waitMs: LEASE_WAIT_MS });
    } catch (error) {
      // Outside the step itself (reading or writing the rollout): a bug (a TypeError, stored data
      // that fails its schema) fails the job at once, loudly; anything else (Redis restarting, a
      // dropped connection) is retried. The reconciler re-queues a failed step later.
      if (!isProgrammingError(error)) throw error;
      const failure = toStepFailure(error);
      log.error({ rollout: data.rolloutId, step: data.step, code: failure.code, err: failure.message, stack: (error as Error)?.stack }, 'step job failed for good');
      throw new UnrecoverableError(failure.message);
    } finally {
      // The notices this step committed, posted once the rollout's lease is free: the next step
      // never waits for Slack. Posting them waits for no pacing slot; a drain job takes them then.
      await drainLater?.();
    }
  }

  async function stepEvent(attemptsMade: number, step: Parameters<typeof performStep>[0], ...rest: [Parameters<typeof performStep>[1], Parameters<typeof performStep>[2]]): Promise<RolloutEvent> {
    const started = performance.now();
    const startedAt = clock();
    try {
      const event = await performStep(step, ...rest, options);
      observer.stepDone(step, (performance.now() - started) / 1000);
      if (event.type === 'AnalysisTicked') {
        for (const sample of event.results.flatMap((r) => r.metrics)) if (sample.error) observer.callFailed('prometheus');
      }
      return event;
    } catch (error) {
      const failure = toStepFailure(error);
      if (failure.code === 'cluster-unavailable' || failure.code === 'cluster-refused') observer.callFailed('kubernetes');
      if (failure.code === 'bug') {
        // Not an outage: no retry will cure it. Fail the step where people see it.
        log.error({ rollout: rest[0].id, step, err: failure.message, stack: (error as Error)?.stack }, 'step hit an internal error');
        return { type: 'StepFailed', step, problem: { said: 'internal-error', message: failure.message } };
      }
      if (!failure.transient) return { type: 'StepFailed', step, problem: { said: 'refused', message: failure.message } };
      // Transient (429, 5xx, timeouts, resets): a couple of quick retries (after Retry-After when
      // given), then hold the rollout and say so in Slack; the held step retries on its own.
      // An attempt that itself took long (a timeout) holds at once.
      const slow = clock() - startedAt >= (options.tuning?.slowFailureMs ?? SLOW_FAILURE_MS);
      if (!slow && attemptsMade + 1 < QUICK_ATTEMPTS) {
        log.warn({ rollout: rest[0].id, step, err: failure.message, retryAfterMs: failure.retryAfterMs }, 'step failed, will retry');
        throw failure;
      }
      return { type: 'StepHeld', step, problem: { said: 'unreachable', ...(failure.cluster ? { cluster: failure.cluster } : {}), message: failure.message } };
    }
  }

  /** `start --supersede`: once the superseded rollout is rolled back, the new one starts from the beginning. */
  async function startSuccessor(rollout: Rollout): Promise<void> {
    const app = appOf(rollout.app);
    if (rollout.phase !== 'rolled-back' || !rollout.successor || !app) return;
    const started = await startRollout({ store, runner, clock, tuning: options.tuning ?? {} }, app, rollout.successor, { ignoreCooldown: true });
    const { version } = rollout.successor;
    const answer: Answer = started.kind === 'started' ? { said: 'successor-started', rollout: started.rollout.id, app: app.name, version } : { said: 'successor-not-started', app: app.name, version, outcome: started };
    await options.replies.reply(rollout.successor.notifyUrl, answer);
  }

  /** A click or command that could not be applied after all its attempts: tell the person, never drop it silently. */
  async function tellInputLost(job: Job, error: Error): Promise<void> {
    const input = inputJobSchema.safeParse(job.data);
    if (!input.success) return;
    await options.replies
      .reply(input.data.responseUrl, { said: 'input-lost', input: input.data.kind, rollout: input.data.rolloutId, error: error.message })
      .catch(() => undefined);
  }

  async function runInput(input: InputJob): Promise<string> {
    const outcome = await runner.apply(input.rolloutId, async (rollout) => {
      if (rollout.inputsApplied.includes(input.inputId)) return 'input already applied';
      const app = appOf(rollout.app);
      const isApprover = app ? await options.approvers.isApprover(app, input.user, clustersConcerned(input, rollout)) : false;
      const by = { user: input.user, isApprover };
      const event = await withPromotionHooks(inputEvent(input, rollout, by), rollout, app);
      const successor = input.successor ? { successor: input.successor } : {};
      return { event, amend: (next) => ({ ...next, ...successor, inputsApplied: [...next.inputsApplied, input.inputId].slice(-KEEP_INPUT_IDS) }) };
    });
    if (outcome.kind === 'applied' && input.kind === 'approve') {
      const gate = outcome.rollout.gates.find((g) => g.decidedBy === input.user && g.state === 'approved' && g.decidedAt === outcome.rollout.updatedAt);
      if (gate?.openedAt !== undefined && gate.decidedAt !== undefined) observer.gateDecided((gate.decidedAt - gate.openedAt) / 1000);
    }
    if (outcome.kind === 'refused') {
      // A rollback asked for again while one is under way: its step may be stuck (a job BullMQ
      // gave up on). Put it back on the queue now rather than at the reconciler's next round;
      // a step already waiting or running is left alone, so it still runs once.
      if (outcome.refusal.code === 'already-rolling-back') await queues.reschedule(await store.pending(input.rolloutId));
      const entry = { at: clock(), who: input.user, what: input.kind, outcome: `refused: ${outcome.refusal.code}`, refusal: outcome.refusal };
      await store.appendAudit(input.rolloutId, [entry]);
      // A gate click (it names the stage) may have shown "Approving…" at once: put the gate back as it is, then say why.
      const gate = input.stage !== undefined ? outcome.rollout.gates[input.stage - 1] : undefined;
      if (gate?.state === 'open' && (input.kind === 'approve' || input.kind === 'rollback')) await options.replies.restoreGate?.(input.responseUrl, outcome.rollout, input.stage as number);
      const answer = { said: 'refused', refusal: outcome.refusal } as const;
      if (input.replyInDm && !input.responseUrl) await options.replies.direct?.(input.user, answer);
      else await options.replies.reply(input.responseUrl, answer);
    } else if (outcome.kind === 'skipped' && outcome.reason.startsWith('no rollout')) {
      await options.replies.reply(input.responseUrl, { said: 'no-such-rollout', rollout: input.rolloutId });
    }
    return outcome.kind;
  }

  /**
   * An approval asks the gate's confirm-promotion webhooks first, and `/rollout promote` those of
   * the clusters it would promote (those of the rollout not promoted yet); the machine refuses
   * while one holds.
   */
  async function withPromotionHooks(event: RolloutEvent, rollout: Rollout, app: AppConfig | undefined): Promise<RolloutEvent> {
    if (!app || !options.webhooks) return event;
    if (event.type === 'OperationRequested' && event.op === 'promote' && (rollout.phase === 'analysing' || rollout.phase === 'awaiting-approval')) {
      const clusters = event.clusters.filter((c) => rollout.clusters.includes(c) && !rollout.cluster[c]?.promoted);
      if (clusters.length === 0) return event;
      const hooks = await options.webhooks.confirm(rollout, app, 'confirm-promotion', clusters);
      return hooks.length > 0 ? { ...event, hooks } : event;
    }
    if (event.type !== 'GateApproved' || rollout.gates[event.stage - 1]?.state !== 'open') return event;
    const hooks = await options.webhooks.confirm(rollout, app, 'confirm-promotion', rollout.gates[event.stage - 1]?.clusters ?? []);
    return hooks.length > 0 ? { ...event, hooks } : event;
  }

  const worker = new Worker(
    STEPS_QUEUE,
    async (job, token) => (job.name === 'input' ? runInput(inputJobSchema.parse(job.data)) : runStep(job, token)),
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 8,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: Math.max(1000, Math.floor((options.lockDurationMs ?? 30_000) / 2)),
      maxStalledCount: MAX_STALLED,
      settings: { backoffStrategy: stepBackoff },
    },
  );
  worker.on('failed', (job, error) => {
    const final = !job || job.attemptsMade >= (job.opts.attempts ?? 1) || error instanceof UnrecoverableError || error.name === 'UnrecoverableError';
    const outcome = !final ? 'will retry' : job?.name === 'step' ? 'the reconciler re-queues the step on its next round' : 'given up';
    log.error({ job: job?.id, err: error.message }, `job failed, ${outcome}`);
    if (final && job?.name === 'input') void tellInputLost(job, error);
  });
  worker.on('error', (error) => log.error({ err: error.message }, 'steps worker error'));

  const ticks = startTickRunner({
    ticks: queues.ticks,
    run: (tick, attempt) => runTick({ rolloutId: tick.rolloutId, seq: tick.seq, step: 'tick' }, attempt),
    onScheduled: queues.onTickScheduled,
    concurrency: options.concurrency ?? 8,
    // As a job's lock: a claimer killed mid-tick lets go when its lease on the rollout does.
    claimMs: leaseMs,
    clock,
    log,
    onStarted: (_tick, lateMs) => observer.tickStarted(lateMs / 1000),
  });
  return {
    jobs: worker,
    ticks,
    // SIGTERM: both stop taking work and finish what they run.
    close: async () => void (await Promise.all([ticks.close(), worker.close()])),
  };
}

