// The chart thread's body (bot/charts/chart-thread.ts): draws what it is sent, answers with
// the PNG or the error's message.
import { parentPort } from 'node:worker_threads';
import { renderMetricCharts, type MetricChartsInput } from './metric-chart.js';

parentPort?.on('message', ({ id, input }: { id: number; input: MetricChartsInput }) => {
  try {
    const png = renderMetricCharts(input);
    parentPort?.postMessage({ id, png });
  } catch (error) {
    parentPort?.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
