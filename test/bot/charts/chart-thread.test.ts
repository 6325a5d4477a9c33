// The end-of-rollout chart is drawn on a thread of its own (bot/charts/chart-thread.ts), so a
// process's clicks and ticks never wait for Skia. The built module is the one under test: run
// from TypeScript sources there is no thread script (`npm test` builds first).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { renderMetricCharts, type MetricChartsInput } from '../../../bot/charts/metric-chart.js';
import { realisticRollout } from './fixtures.js';

const BUILT = fileURLToPath(new URL('../../../dist/bot/charts/chart-thread.js', import.meta.url));
const built = async (): Promise<typeof import('../../../bot/charts/chart-thread.js')> => import(BUILT);

it.skipIf(!existsSync(BUILT))('draws on its thread the same PNG the main thread would, and survives a chart it cannot draw', async () => {
  const { drawCharts } = await built();
  const input = realisticRollout();
  const png = await drawCharts(input);
  expect(png.equals(renderMetricCharts(input))).toBe(true);
  // An input the drawing code cannot take fails that chart only, with the reason.
  await expect(drawCharts({ title: 'broken' } as unknown as MetricChartsInput)).rejects.toThrow(/chart not drawn: /);
  // The next chart is drawn as usual, and two at once come back each to its caller.
  const other = { ...input, title: 'another rollout' };
  const [again, second] = await Promise.all([drawCharts(input), drawCharts(other)]);
  expect(again.equals(png)).toBe(true);
  expect(second.equals(renderMetricCharts(other))).toBe(true);
});

it.skipIf(!existsSync(BUILT))('does not keep a process alive once its chart is drawn', () => {
  // A process that drew a chart and has nothing else to do ends by itself (`rollgate demo
  // --script` hung at its end when the thread was unref'd before its listeners ref'd it again).
  const script = `const { drawCharts } = await import(${JSON.stringify(pathToFileURL(BUILT).href)});
const png = await drawCharts({ title: 'nothing yet', metrics: [{ name: 'errors', max: 1 }], clusters: [] });
console.log('drawn', png.length > 0);`;
  // The timeout is a hang guard, not a speed bound.
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
  expect(run.stdout.trim(), run.stderr).toBe('drawn true');
  expect(run.status).toBe(0);
});
