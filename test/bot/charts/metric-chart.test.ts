// The chart as bytes and as pixels: a real PNG of the expected size, decoded again to check that
// the lines, the red thresholds and the gaps are where the data says.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { renderMetricCharts, type MetricChartsInput } from '../../../bot/charts/metric-chart.js';
import { clockLabel, timeAxis, valueAxis } from '../../../bot/charts/scales.js';
import { largeRollout, realisticRollout, START } from './fixtures.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const size = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

async function pixels(png: Buffer) {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const { data } = ctx.getImageData(0, 0, image.width, image.height);
  /** How many pixels are within a small distance of the colour, in the given box. */
  return (hex: string, box = { x: 0, y: 0, w: image.width, h: image.height }) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
    let n = 0;
    for (let y = box.y; y < box.y + box.h; y++) {
      for (let x = box.x; x < box.x + box.w; x++) {
        const i = (y * image.width + x) * 4;
        if (Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) < 40) n++;
      }
    }
    return n;
  };
}

const RED = '#d62728';
const BLUE = '#1f77b4';

describe('renderMetricCharts', () => {
  it('draws one cluster and one metric as a 1200-wide PNG with its threshold in red', async () => {
    const input: MetricChartsInput = {
      title: 'checkout v1 → v2',
      metrics: [{ name: 'request-success-rate', unit: '%', min: 99 }],
      clusters: [{ name: 'member1', points: Array.from({ length: 10 }, (_, i) => ({ at: START + i * 60_000, values: { 'request-success-rate': 99.9 - i * 0.01 } })) }],
    };
    const png = renderMetricCharts(input);
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(size(png).width).toBe(1200);
    expect(size(png).height).toBeGreaterThanOrEqual(400);
    expect(size(png).height).toBeLessThan(600);
    expect(png.length).toBeGreaterThan(10_000);
    const count = await pixels(png);
    expect(count(RED)).toBeGreaterThan(300); // the dashed threshold and its label
    expect(count(BLUE)).toBeGreaterThan(1000); // member1's line
  });

  it('lays 6 clusters x 8 metrics out as a grid of 2 columns, 4 rows', async () => {
    const png = renderMetricCharts(largeRollout(6, 8));
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    const { width, height } = size(png);
    expect(width).toBe(1200);
    expect(height).toBeGreaterThanOrEqual(4 * 400);
    expect(height).toBeLessThan(4 * 400 + 200);
    expect(png.length).toBeGreaterThan(100_000);
    const count = await pixels(png);
    // Every one of the 6 cluster colours shows in the last panel (bottom right).
    const lastPanel = { x: 620, y: height - 400, w: 560, h: 380 };
    for (const colour of ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#17becf', '#8c564b']) expect(count(colour, lastPanel)).toBeGreaterThan(50);
  });

  it('rings values outside a threshold and breaks the line where a value is missing', async () => {
    const at = (i: number) => START + i * 60_000;
    const line = (values: (number | null)[]): MetricChartsInput => ({
      title: 'gaps',
      metrics: [{ name: 'request-duration', unit: 'ms', max: 500 }],
      clusters: [{ name: 'member1', points: values.map((v, i) => ({ at: at(i), values: { 'request-duration': v } })) }],
    });
    const whole = await pixels(renderMetricCharts(line([100, 100, 100, 100, 100, 100])));
    const gap = await pixels(renderMetricCharts(line([100, 100, null, null, 100, 100])));
    expect(gap(BLUE)).toBeLessThan(whole(BLUE) * 0.8);
    const calm = await pixels(renderMetricCharts(line([100, 120, 110, 100])));
    const breach = await pixels(renderMetricCharts(line([100, 120, 700, 100])));
    expect(breach(RED)).toBeGreaterThan(calm(RED) + 30);
  });

  it('draws a panel with no data, no clusters, or non-finite values without throwing', () => {
    const empty = renderMetricCharts({ title: 'nothing yet', metrics: [{ name: 'errors', max: 1 }], clusters: [] });
    expect(size(empty)).toMatchObject({ width: 1200 });
    const nulls = renderMetricCharts({
      title: 'no values',
      metrics: [{ name: 'a' }, { name: 'b', min: 1 }, { name: 'c', max: 5 }],
      clusters: [{ name: 'x', points: [{ at: START, values: { a: null, b: Number.NaN, c: Number.POSITIVE_INFINITY } }] }],
    });
    expect(size(nulls).height).toBeGreaterThanOrEqual(800); // 3 metrics: 2 rows
  });

  it('writes the realistic rollout chart to /tmp/chart.png for a person to look at', () => {
    const png = renderMetricCharts(realisticRollout());
    writeFileSync('/tmp/chart.png', png);
    expect(size(png)).toEqual({ width: 1200, height: expect.any(Number) });
  });
});

describe('axes', () => {
  it('keeps every value and threshold in range, from 0 for durations, at most 100 for percentages', () => {
    const duration = valueAxis([110, 262], [500], 'ms');
    expect(duration.lo).toBe(0);
    expect(duration.hi).toBeGreaterThanOrEqual(500);
    const success = valueAxis([85, 99.95], [99], '%');
    expect(success.lo).toBeLessThanOrEqual(85);
    expect(success.hi).toBe(100);
    expect(success.ticks.every((t) => t <= 100)).toBe(true);
    const tight = valueAxis([99.85, 99.95], [99], '%');
    expect(tight.lo).toBeLessThanOrEqual(99);
    expect(tight.ticks).toContain(99);
    expect(tight.label(99)).toBe('99.00');
    const flat = valueAxis([0, 0], []);
    expect(flat.hi).toBeGreaterThan(flat.lo);
  });

  it('labels time in UTC and says so on every label, with seconds only when ticks are under a minute apart', () => {
    expect(clockLabel(Date.UTC(2026, 0, 1, 9, 5, 7), false)).toBe('09:05');
    const minutes = timeAxis([START, START + 9 * 60_000], 8);
    expect(minutes.ticks.map(minutes.label)).toContain('14:04 UTC');
    expect(minutes.ticks.map(minutes.label).every((l) => l.endsWith(' UTC'))).toBe(true);
    const demo = timeAxis([START, START + 45_000], 8);
    expect(demo.ticks.map(demo.label)[0]).toMatch(/^14:02:\d\d UTC$/);
    const single = timeAxis([START], 8);
    expect(single.hi).toBeGreaterThan(single.lo);
  });
});
