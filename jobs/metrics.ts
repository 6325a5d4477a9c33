// Prometheus metrics: rollouts by phase, queue depth, gate wait, step durations, errors.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Observer } from './ports.js';
import type { Queues } from './queues.js';
import type { RolloutStore } from './store.js';

export function createMetrics(options: { store: RolloutStore; queues: Queues }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rollgate_process_' });
  new Gauge({
    name: 'rollgate_rollouts',
    help: 'Active rollouts by phase',
    labelNames: ['phase'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const rollout of await options.store.activeRollouts()) this.inc({ phase: rollout.phase });
    },
  });
  new Gauge({
    name: 'rollgate_queue_jobs',
    help: 'Jobs in the queues by state',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of [options.queues.steps, options.queues.notify]) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
        for (const [state, n] of Object.entries(counts)) this.set({ queue: queue.name, state }, n);
      }
    },
  });
  const stepSeconds = new Histogram({ name: 'rollgate_step_duration_seconds', help: 'Rollout step durations', labelNames: ['step'], registers: [registry] });
  const gateWaitSeconds = new Histogram({ name: 'rollgate_gate_wait_seconds', help: 'Time from a gate opening to its decision', buckets: [10, 60, 300, 900, 3600, 14400, 86400], registers: [registry] });
  const callErrors = new Counter({ name: 'rollgate_call_errors_total', help: 'Failed calls to Slack, Kubernetes and Prometheus', labelNames: ['target'], registers: [registry] });
  const observer: Observer = {
    stepDone: (step, seconds) => stepSeconds.observe({ step }, seconds),
    callFailed: (target) => callErrors.inc({ target }),
    gateDecided: (seconds) => gateWaitSeconds.observe(seconds),
  };
  return { registry, observer };
}
