// The end-of-rollout chart marks a traffic-weighted canary's weight changes.
import { describe, expect, it } from 'vitest';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { renderMetricCharts, type MetricChartsInput } from '../../../bot/charts/metric-chart.js';
import { WEIGHT_MARK_COLOR } from '../../../bot/charts/panel.js';
import { weightMarks } from '../../../bot/charts/rollout-chart.js';
import type { Rollout } from '../../../rollout/model.js';
import { newRollout } from '../../../rollout/plan.js';
import { testConfig } from '../../fixtures/config.js';
import { START } from './fixtures.js';

async function countColour(png: Buffer, hex: string): Promise<number> {
  const image = await loadImage(png);
  const ctx = createCanvas(image.width, image.height).getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  let n = 0;
  for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) < 40) n++;
  return n;
}

describe('weight changes on the chart', () => {
  it('one mark per change: "20 %" when every weighted cluster moved together, named clusters otherwise', () => {
    const app = testConfig().apps[0]!;
    const base = newRollout({ id: 'x-1', app, version: 'v2', requester: 'U0DEV', nowMs: START });
    const weights = (list: [number, number][]) => ({ weights: list.map(([at, weight]) => ({ at: START + at, weight })) });
    const rollout: Rollout = {
      ...base,
      cluster: {
        member1: { ...base.cluster['member1']!, ...weights([[0, 10], [60_000, 20], [120_000, 30]]) },
        member2: { ...base.cluster['member2']!, ...weights([[0, 10], [60_000, 20]]) },
        member3: base.cluster['member3']!,
      },
    };
    expect(weightMarks(rollout)).toEqual([
      { at: START, label: '10 %' },
      { at: START + 60_000, label: '20 %' },
      { at: START + 120_000, label: 'member1 30 %' },
    ]);
  });

  it('draws the marks across the panels', async () => {
    const input: MetricChartsInput = {
      title: 'checkout v1 → v2',
      metrics: [{ name: 'request-success-rate', unit: '%', min: 99 }],
      clusters: [{ name: 'member1', points: Array.from({ length: 6 }, (_, i) => ({ at: START + i * 60_000, values: { 'request-success-rate': 99.9 } })) }],
    };
    const plain = await countColour(renderMetricCharts(input), WEIGHT_MARK_COLOR);
    const marked = await countColour(renderMetricCharts({ ...input, marks: [{ at: START + 60_000, label: '20 %' }, { at: START + 120_000, label: '30 %' }] }), WEIGHT_MARK_COLOR);
    expect(plain).toBe(0);
    expect(marked).toBeGreaterThan(100); // two dotted lines and their labels
  });
});
