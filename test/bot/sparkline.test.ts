// What a reader sees beside a metric in a summary: the last 12 intervals as bars, scaled so
// that the threshold is in the picture (a fall towards it, or across it, always shows).
import { describe, expect, it } from 'vitest';
import { sparkline, SPARKLINE_WIDTH } from '../../bot/blocks/sparkline.js';
import { summaryMessage } from '../../bot/blocks/messages.js';
import { metricPassed } from '../../rollout/verdict.js';
import type { MetricSample } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';

type Case = [what: string, values: (number | null)[], range: { min?: number; max?: number }, seen: string];

const cases: Case[] = [
  // Success rate against min 99: the passing side is ▃..█ (the threshold at ▃), failing ▁▂.
  ['a fall from 99.9 to 95 against min 99 is a fall, not a flat line', [99.9, 99.8, 99.5, 97, 95], { min: 99 }, '█▇▆▂▁'],
  ['a fall towards min 99 that stays above it goes down to near the threshold bar', [99.9, 99.5, 99.1, 99], { min: 99 }, '█▆▄▃'],
  ['noise far above min 99 is drawn flat at the top', [99.91, 99.93, 99.92], { min: 99 }, '███'],
  ['a value just under min 99 never looks like a passing one', [99.4, 99.2, 98.99], { min: 99 }, '█▆▁'],
  ['every interval failing stays on the failing bars', [90, 80, 95], { min: 99 }, '▂▁▂'],
  // Duration against max 500: passing ▁..▆ (the threshold at ▆), failing ▇█.
  ['a latency well under max 500 sits low; one over it tops the line', [110, 262, 480, 620], { max: 500 }, '▁▃▆█'],
  ['a latency just over max 500 is on the failing bars', [120, 130, 501], { max: 500 }, '▁▁█'],
  ['flat latencies under max 500 stay flat', [110, 112, 111], { max: 500 }, '▁▁▁'],
  // Both bounds: ▁ failing low, ▂..▇ passing, █ failing high.
  ['a value inside both bounds, then below, then above', [50, 10, 90, 120], { min: 20, max: 100 }, '▄▁▆█'],
  // No threshold (a dry-run metric without a range): the values' own range, noise flat.
  ['without a threshold a fall of 5 % shows', [99.9, 97, 95], {}, '█▄▁'],
  ['without a threshold noise under 0.5 % is flat', [99.91, 99.93, 99.92], {}, '▄▄▄'],
  ['an interval without data is a gap', [120, null, 480], {}, '▁ █'],
  ['nothing measured yet draws nothing', [null, null], { min: 99 }, ''],
];

describe('sparkline', () => {
  it.each(cases)('%s', (_what, values, range, seen) => {
    expect(sparkline(values, range)).toBe(seen);
  });

  it(`keeps a fixed width: the last ${SPARKLINE_WIDTH} intervals, however long the rollout`, () => {
    const long = Array.from({ length: 240 }, (_, i) => 99 + (i % 10) / 10);
    expect([...sparkline(long, { min: 99 })]).toHaveLength(SPARKLINE_WIDTH);
    // The newest intervals are the ones shown: a fall in the last one shows at the right end.
    expect(sparkline([...long, 90], { min: 99 }).at(-1)).toBe('▁');
    expect([...sparkline(long.slice(0, 5), { min: 99 })]).toHaveLength(5);
  });

  it('never draws a failing value with a bar a passing value can have (any range, any values)', () => {
    const passingBars = { min: '▃▄▅▆▇█', max: '▁▂▃▄▅▆', both: '▂▃▄▅▆▇' };
    const ranges: Record<'min' | 'max' | 'both', { min?: number; max?: number }> = { min: { min: 99 }, max: { max: 500 }, both: { min: 20, max: 100 } };
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (const kind of ['min', 'max', 'both'] as const) {
      const range = ranges[kind];
      const centre = range.max ?? range.min ?? 1;
      for (let run = 0; run < 200; run++) {
        const values = Array.from({ length: 12 }, () => centre * (0.8 + random() * 0.4));
        const bars = [...sparkline(values, range)];
        values.forEach((v, i) => expect(passingBars[kind].includes(bars[i]!), `${kind} ${v}`).toBe(metricPassed(v, range)));
      }
    }
  });

  it('is what a summary shows beside the metric, at most 12 bars after 30 intervals', () => {
    const rollout = newRollout({ id: 'http-probe-app-1', app: testConfig().apps[0]!, version: 'v2', requester: 'U0DEV', nowMs: 0 });
    const member1 = rollout.clusters[0]!;
    const values = [...Array.from({ length: 28 }, () => 99.9), 99.4, 95];
    rollout.cluster[member1] = { ...rollout.cluster[member1]!, history: values.map((v, i) => ({ at: i * 60_000, metrics: { 'request-success-rate': v } })) };
    const sample: MetricSample = { metric: 'request-success-rate', value: 95, min: 99, passed: false, dryRun: false };
    const message = summaryMessage(rollout, { tick: 30, stage: 0, results: [{ cluster: member1, metrics: [sample] }], failedChecks: { [member1]: 1 } }, 30 * 60_000);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('request-success-rate `95` (min 99)');
    expect(text).toContain('██████████▅▁');
  });
});
