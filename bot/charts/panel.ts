// One panel of the chart grid: a metric's value per cluster over time, its thresholds dashed
// in red, and every value outside a threshold ringed in red.
import type { SKRSContext2D } from '@napi-rs/canvas';
import { drawable, font } from './fonts.js';
import { valueAxis, type Axis } from './scales.js';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Series {
  color: string;
  points: { at: number; value: number | null }[];
}

export interface PanelMetric {
  name: string;
  unit?: string;
  min?: number;
  max?: number;
}

export const THRESHOLD_COLOR = '#d62728';
export const INK = '#1d1c1d';
export const MUTED = '#616061';
const GRID = '#ececec';
const AXIS = '#bdbdbd';
/** Above this many points per line, markers would blur into the line; only isolated points and breaches keep one. */
const MARKER_LIMIT = 40;
const TOP_INSET = 10;

const breaches = (metric: PanelMetric, v: number) => (metric.min !== undefined && v < metric.min) || (metric.max !== undefined && v > metric.max);

function drawTitle(ctx: SKRSContext2D, box: Rect, metric: PanelMetric): void {
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  ctx.fillStyle = INK;
  ctx.font = font(15, 600);
  const name = drawable(metric.name);
  ctx.fillText(name, box.x, box.y + 16);
  if (!metric.unit) return;
  const width = ctx.measureText(name).width;
  ctx.fillStyle = MUTED;
  ctx.font = font(13);
  ctx.fillText(` (${drawable(metric.unit)})`, box.x + width, box.y + 16);
}

function gridLine(ctx: SKRSContext2D, x1: number, y1: number, x2: number, y2: number): void {
  ctx.strokeStyle = GRID;
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}

function drawAxes(ctx: SKRSContext2D, plot: Rect, y: Axis, time: Axis, px: (t: number) => number, py: (v: number) => number): void {
  ctx.lineWidth = 1;
  ctx.font = font(12);
  ctx.fillStyle = MUTED;
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  for (const tick of y.ticks) {
    const at = Math.round(py(tick)) + 0.5;
    gridLine(ctx, plot.x, at, plot.x + plot.w, at);
    ctx.fillText(y.label(tick), plot.x - 8, at);
  }
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const tick of time.ticks) {
    const at = Math.round(px(tick)) + 0.5;
    gridLine(ctx, at, plot.y, at, plot.y + plot.h);
    ctx.fillText(time.label(tick), at, plot.y + plot.h + 7);
  }
  ctx.strokeStyle = AXIS;
  ctx.beginPath();
  ctx.moveTo(plot.x + 0.5, plot.y);
  ctx.lineTo(plot.x + 0.5, plot.y + plot.h + 0.5);
  ctx.lineTo(plot.x + plot.w, plot.y + plot.h + 0.5);
  ctx.stroke();
}

function drawThreshold(ctx: SKRSContext2D, plot: Rect, at: number): void {
  ctx.save();
  ctx.strokeStyle = THRESHOLD_COLOR;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([7, 5]);
  ctx.beginPath();
  ctx.moveTo(plot.x, at);
  ctx.lineTo(plot.x + plot.w, at);
  ctx.stroke();
  ctx.restore();
}

/**
 * The label sits on the failing side of its line (below a min, above a max), where healthy
 * lines are not, unless that side is off the plot; it is drawn last so no line covers it.
 */
function drawThresholdLabel(ctx: SKRSContext2D, plot: Rect, at: number, text: string, side: 'above' | 'below'): void {
  ctx.font = font(12, 600);
  const width = ctx.measureText(text).width;
  const above = side === 'above' ? at - 20 >= plot.y : at + 20 > plot.y + plot.h;
  const top = above ? at - 19 : at + 3;
  const left = plot.x + plot.w - width - 10;
  ctx.fillStyle = 'rgba(255,255,255,0.85)';
  ctx.fillRect(left - 4, top, width + 8, 16);
  ctx.fillStyle = THRESHOLD_COLOR;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(text, left, top + 2);
}

function drawSeries(ctx: SKRSContext2D, metric: PanelMetric, line: Series, px: (t: number) => number, py: (v: number) => number): void {
  const { points } = line;
  ctx.strokeStyle = line.color;
  ctx.lineWidth = 2.25;
  ctx.lineJoin = 'round';
  ctx.lineCap = 'round';
  ctx.beginPath();
  let drawing = false;
  for (const point of points) {
    // A null is a missing value: the line breaks there instead of bridging the gap.
    if (point.value === null) drawing = false;
    else if (drawing) ctx.lineTo(px(point.at), py(point.value));
    else {
      ctx.moveTo(px(point.at), py(point.value));
      drawing = true;
    }
  }
  ctx.stroke();
  points.forEach((point, i) => {
    if (point.value === null) return;
    const isolated = (points[i - 1]?.value ?? null) === null && (points[i + 1]?.value ?? null) === null;
    const x = px(point.at);
    const y = py(point.value);
    if (points.length <= MARKER_LIMIT || isolated) {
      ctx.fillStyle = line.color;
      ctx.beginPath();
      ctx.arc(x, y, 3.25, 0, Math.PI * 2);
      ctx.fill();
    }
    if (breaches(metric, point.value)) {
      ctx.strokeStyle = THRESHOLD_COLOR;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(x, y, 6, 0, Math.PI * 2);
      ctx.stroke();
    }
  });
}

/** Weight changes of a traffic-weighted canary: a dotted violet line across the plot, labelled at its top. */
export const WEIGHT_MARK_COLOR = '#8e44ad';

function drawMarks(ctx: SKRSContext2D, plot: Rect, marks: { at: number; label: string }[], px: (t: number) => number): void {
  ctx.save();
  ctx.strokeStyle = WEIGHT_MARK_COLOR;
  ctx.fillStyle = WEIGHT_MARK_COLOR;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([2, 4]);
  ctx.font = font(11, 600);
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  for (const mark of marks) {
    const x = px(mark.at);
    if (x < plot.x || x > plot.x + plot.w) continue;
    ctx.beginPath();
    ctx.moveTo(x, plot.y);
    ctx.lineTo(x, plot.y + plot.h);
    ctx.stroke();
    ctx.fillText(mark.label, x + 3, plot.y + 2);
  }
  ctx.restore();
}

export function drawPanel(ctx: SKRSContext2D, box: Rect, metric: PanelMetric, series: Series[], time: Axis, marks: { at: number; label: string }[] = []): void {
  drawTitle(ctx, box, metric);
  const values = series.flatMap((s) => s.points.map((p) => p.value)).filter((v): v is number => v !== null);
  const thresholds = [metric.min, metric.max].filter((v): v is number => v !== undefined);
  const y = valueAxis(values, thresholds, metric.unit);
  ctx.font = font(12);
  const labelWidth = Math.max(...y.ticks.map((t) => ctx.measureText(y.label(t)).width));
  const plot: Rect = { x: box.x + labelWidth + 12, y: box.y + 32, w: box.w - labelWidth - 12 - 16, h: box.h - 32 - 28 };
  const px = (t: number) => plot.x + ((t - time.lo) / (time.hi - time.lo)) * plot.w;
  // Values stop a little below the top so a line at the axis maximum (100 %) stays clear of the title.
  const py = (v: number) => plot.y + plot.h - ((v - y.lo) / (y.hi - y.lo)) * (plot.h - TOP_INSET);
  drawAxes(ctx, plot, y, time, px, py);
  for (const value of thresholds) drawThreshold(ctx, plot, py(value));
  drawMarks(ctx, plot, marks, px);
  for (const line of series) drawSeries(ctx, metric, line, px, py);
  if (metric.min !== undefined) drawThresholdLabel(ctx, plot, py(metric.min), `min ${metric.min}`, 'below');
  if (metric.max !== undefined) drawThresholdLabel(ctx, plot, py(metric.max), `max ${metric.max}`, 'above');
  if (values.length === 0) {
    ctx.fillStyle = MUTED;
    ctx.font = font(14);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText('no data', plot.x + plot.w / 2, plot.y + plot.h / 2);
  }
}
