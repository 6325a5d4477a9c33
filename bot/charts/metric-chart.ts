// The end-of-rollout chart: one panel per metric, one line per cluster, thresholds drawn, as a
// PNG rendered in-process (Skia through @napi-rs/canvas, no browser). Pure: data in, bytes out.
import type { SKRSContext2D } from '@napi-rs/canvas';
import { drawable, ensureChartFont, font } from './fonts.js';
import { drawPanel, INK, MUTED, THRESHOLD_COLOR, type Rect, type Series } from './panel.js';
import { clockLabel, timeAxis } from './scales.js';
import { skia } from './skia.js';

export interface MetricChartsInput {
  title: string;
  metrics: { name: string; unit?: string; min?: number; max?: number }[];
  clusters: { name: string; points: { at: number; values: Record<string, number | null> }[] }[];
  /** Moments to mark on every panel (a traffic-weighted canary's weight changes: "20 %"). */
  marks?: { at: number; label: string }[];
}

const WIDTH = 1200;
const ROW_HEIGHT = 400;
const MARGIN = 28;
const GAP = 40;
const PANEL_GAP = 24;
/** Distinct on white and none of them red, which is kept for thresholds and breaches. */
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];

interface LegendItem {
  text: string;
  draw: (ctx: SKRSContext2D, x: number, y: number) => void;
}

const swatch = (color: string) => (ctx: SKRSContext2D, x: number, y: number) => {
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  ctx.moveTo(x, y);
  ctx.lineTo(x + 22, y);
  ctx.stroke();
  ctx.beginPath();
  ctx.arc(x + 11, y, 3.25, 0, Math.PI * 2);
  ctx.fill();
};

function legendItems(clusters: MetricChartsInput['clusters']): LegendItem[] {
  const items: LegendItem[] = clusters.map((c, i) => ({ text: drawable(c.name), draw: swatch(COLORS[i % COLORS.length]!) }));
  items.push({
    text: 'threshold',
    draw: (ctx, x, y) => {
      ctx.save();
      ctx.strokeStyle = THRESHOLD_COLOR;
      ctx.lineWidth = 1.5;
      ctx.setLineDash([7, 5]);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + 22, y);
      ctx.stroke();
      ctx.restore();
    },
  });
  items.push({
    text: 'outside threshold',
    draw: (ctx, x, y) => {
      ctx.strokeStyle = THRESHOLD_COLOR;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x + 11, y, 6, 0, Math.PI * 2);
      ctx.stroke();
    },
  });
  return items;
}

/** Lays the legend out in rows that fit the width; returns each item's position. */
function layoutLegend(ctx: SKRSContext2D, items: LegendItem[], width: number): { item: LegendItem; x: number; row: number }[] {
  ctx.font = font(13);
  const placed: { item: LegendItem; x: number; row: number }[] = [];
  let x = 0;
  let row = 0;
  for (const item of items) {
    const w = 30 + ctx.measureText(item.text).width + 22;
    if (x > 0 && x + w > width) {
      x = 0;
      row += 1;
    }
    placed.push({ item, x, row });
    x += w;
  }
  return placed;
}

function timeRange(times: number[]): string {
  if (times.length === 0) return 'no analysis ticks';
  const first = Math.min(...times);
  const last = Math.max(...times);
  const seconds = last - first < 120_000;
  const ticks = new Set(times).size;
  return `${clockLabel(first, seconds)}–${clockLabel(last, seconds)} UTC · ${ticks} interval${ticks === 1 ? '' : 's'}`;
}

const finite = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function renderMetricCharts(input: MetricChartsInput): Buffer {
  ensureChartFont();
  const { createCanvas } = skia();
  const inner = WIDTH - 2 * MARGIN;
  const legend = layoutLegend(createCanvas(1, 1).getContext('2d'), legendItems(input.clusters), inner);
  const legendRows = (legend.at(-1)?.row ?? 0) + 1;
  const headerHeight = MARGIN + 26 + legendRows * 22 + 18;
  const columns = input.metrics.length > 1 ? 2 : 1;
  const rows = Math.max(1, Math.ceil(input.metrics.length / columns));
  // Each row is a panel and the gap below it; the last row needs no gap.
  const height = headerHeight + rows * ROW_HEIGHT - PANEL_GAP + MARGIN / 2;

  const canvas = createCanvas(WIDTH, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, WIDTH, height);

  const times = [...input.clusters.flatMap((c) => c.points.map((p) => p.at)), ...(input.marks ?? []).map((m) => m.at)];
  ctx.textBaseline = 'alphabetic';
  ctx.fillStyle = INK;
  ctx.font = font(20, 600);
  ctx.textAlign = 'left';
  ctx.fillText(drawable(input.title), MARGIN, MARGIN + 16);
  ctx.fillStyle = MUTED;
  ctx.font = font(13);
  ctx.textAlign = 'right';
  ctx.fillText(timeRange(times), WIDTH - MARGIN, MARGIN + 16);

  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  for (const { item, x, row } of legend) {
    const y = MARGIN + 26 + row * 22 + 11;
    item.draw(ctx, MARGIN + x, y);
    ctx.fillStyle = INK;
    ctx.font = font(13);
    ctx.textBaseline = 'middle';
    ctx.fillText(item.text, MARGIN + x + 30, y);
  }

  const panelWidth = (inner - GAP * (columns - 1)) / columns;
  // About 110 px per time label ("14:05:30 UTC" at 12 px), so neighbours never touch.
  const time = timeAxis(times, Math.floor((panelWidth - 60) / 110));
  input.metrics.forEach((metric, i) => {
    const box: Rect = {
      x: MARGIN + (i % columns) * (panelWidth + GAP),
      y: headerHeight + Math.floor(i / columns) * ROW_HEIGHT,
      w: panelWidth,
      h: ROW_HEIGHT - PANEL_GAP,
    };
    const series: Series[] = input.clusters.map((cluster, c) => ({
      color: COLORS[c % COLORS.length]!,
      points: [...cluster.points].sort((a, b) => a.at - b.at).map((p) => ({ at: p.at, value: finite(p.values[metric.name]) })),
    }));
    drawPanel(ctx, box, metric, series, time, input.marks);
  });
  return canvas.toBuffer('image/png');
}
