// /metrics answers while Redis does not: a Redis that accepts connections and never answers
// used to hold every scrape until Prometheus gave up, so the process's own figures (CPU,
// memory, calls that failed) went missing exactly when they were needed.
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { createMetrics } from '../../jobs/metrics.js';
import { createQueues } from '../../jobs/queues.js';
import { createRolloutStore } from '../../jobs/store.js';
import { startUnresponsiveServer } from '../support/unresponsive-server.js';

const silent = await startUnresponsiveServer('silent');
const port = Number(new URL(silent.url).port);
const connections: Redis[] = [];
const connect = () => {
  const connection = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: null, lazyConnect: false });
  connection.on('error', () => undefined);
  connections.push(connection);
  return connection;
};
const queues = createQueues({ connection: connect(), prefix: 'metrics-down' });
const metrics = createMetrics({ store: createRolloutStore({ redis: connect(), prefix: 'metrics-down' }), queues });

afterAll(async () => {
  metrics.close();
  for (const connection of connections) connection.disconnect();
  await silent.close();
});

it('answers a scrape without the Redis-backed gauges while Redis hangs', async () => {
  const text = await metrics.registry.metrics();
  expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
  expect(text).toMatch(/^rollgate_rollouts_finished_total\{outcome="succeeded"\} 0$/m);
  // Left out of this scrape rather than reported as zero or stale.
  expect(text).not.toMatch(/^rollgate_rollouts_active\{/m);
  expect(text).not.toMatch(/^rollgate_queue_jobs\{/m);
});
