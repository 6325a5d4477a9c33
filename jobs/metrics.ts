// rollgate's own Prometheus metrics (catalogue: README, "Metrics"). Conventional names: the
// standard process_* and nodejs_* collectors unprefixed, rollgate's own under rollgate_, units
// in the names, counters ending in _total.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CALL_RESULTS, createCallCounter, type CallTarget } from './call-counter.js';
import type { Observer } from './ports.js';
import type { Queues } from './queues.js';
import { FINISH_OUTCOMES, GATE_DECISIONS, type RolloutChanges } from './rollout-changes.js';
import type { RolloutStore } from './store.js';

const CALL_TARGETS: CallTarget[] = ['slack', 'kubernetes', 'prometheus'];

/** rollgate's version, from the package.json it ships in (source and dist/ alike). */
function packageVersion(from: string = import.meta.dirname): string {
  for (let dir = from; dirname(dir) !== dir; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version ?? 'unknown');
  }
  return 'unknown';
}

/** A scrape must answer while Redis does not: a gauge read from Redis gives up after this long and is left out of that scrape. */
const REDIS_READ_MS = 1_000;

async function withinBound<T>(work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const giveUp = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, REDIS_READ_MS, undefined)));
  try {
    return await Promise.race([work.catch(() => undefined), giveUp]);
  } finally {
    clearTimeout(timer);
  }
}

export function createMetrics(options: { store: RolloutStore; queues: Queues; clock?: () => number }) {
  const clock = options.clock ?? Date.now;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({ name: 'rollgate_build_info', help: 'Always 1; the labels say which rollgate and Node.js run', labelNames: ['version', 'nodejs_version'], registers: [registry] }).set({ version: packageVersion(), nodejs_version: process.version }, 1);
  new Gauge({
    name: 'rollgate_rollouts_active',
    help: 'Rollouts not finished yet, by phase',
    labelNames: ['phase'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const rollout of (await withinBound(options.store.activeRollouts())) ?? []) this.inc({ phase: rollout.phase });
    },
  });
  new Gauge({
    name: 'rollgate_queue_jobs',
    help: 'Jobs in the queues by state; queue="ticks" is the tick set: waiting = due and not claimed, delayed = due later or claimed',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const queues = [options.queues.steps, options.queues.notify];
      const [counts, ticks] = await Promise.all([
        withinBound(Promise.all(queues.map((queue) => queue.getJobCounts('waiting', 'active', 'delayed', 'failed')))),
        withinBound(options.queues.ticks.counts(clock())),
      ]);
      for (const [i, queue] of queues.entries()) for (const [state, n] of Object.entries(counts?.[i] ?? {})) this.set({ queue: queue.name, state }, n);
      if (ticks) {
        this.set({ queue: 'ticks', state: 'waiting' }, ticks.due);
        this.set({ queue: 'ticks', state: 'delayed' }, ticks.later);
      }
    },
  });
  const finished = new Counter({ name: 'rollgate_rollouts_finished_total', help: 'Rollouts finished, by outcome', labelNames: ['outcome'], registers: [registry] });
  const decisions = new Counter({ name: 'rollgate_gate_decisions_total', help: 'Gates decided or closed, by how: approved, rolled_back (the Rollback button or command), expired (timeout), closed (the rollout ended otherwise)', labelNames: ['decision'], registers: [registry] });
  const calls = new Counter({ name: 'rollgate_calls_total', help: 'HTTP calls to Slack, Kubernetes and Prometheus, by result (HTTP status class, rate_limited for 429, network_error when no response)', labelNames: ['target', 'result'], registers: [registry] });
  const stepSeconds = new Histogram({ name: 'rollgate_step_duration_seconds', help: 'Rollout step durations', labelNames: ['step'], registers: [registry] });
  const tickLateSeconds = new Histogram({ name: 'rollgate_tick_lateness_seconds', help: 'How long after its due time an analysis tick started', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] });
  const gateWaitSeconds = new Histogram({ name: 'rollgate_gate_wait_seconds', help: 'Time from a gate opening to its approval', buckets: [10, 60, 300, 900, 3600, 14400, 86400], registers: [registry] });
  const failures = new Counter({ name: 'rollgate_dependency_failures_total', help: 'Steps, metric queries and Slack posts that failed because Kubernetes, Prometheus or Slack did', labelNames: ['target'], registers: [registry] });
  // Every series exists from the start at 0, so rate() and dashboards see the first increase.
  for (const outcome of FINISH_OUTCOMES) finished.inc({ outcome }, 0);
  for (const decision of GATE_DECISIONS) decisions.inc({ decision }, 0);
  for (const target of CALL_TARGETS) {
    failures.inc({ target }, 0);
    for (const result of CALL_RESULTS) calls.inc({ target, result }, 0);
  }
  const callCounter = createCallCounter((target, result) => calls.inc({ target, result }));

  const observer: Observer = {
    stepDone: (step, seconds) => stepSeconds.observe({ step }, seconds),
    callFailed: (target) => failures.inc({ target }),
    gateDecided: (seconds) => gateWaitSeconds.observe(seconds),
    tickStarted: (seconds) => tickLateSeconds.observe(seconds),
  };
  return {
    registry,
    observer,
    /** For jobs/rollout-changes.ts's observeCommits. */
    rolloutChanged(changes: RolloutChanges): void {
      if (changes.finished) finished.inc({ outcome: changes.finished });
      for (const decision of changes.gates) decisions.inc({ decision });
    },
    /** Counts HTTP calls under these URLs as calls to `target`. */
    watchCalls: callCounter.watch,
    close: callCounter.close,
  };
}
