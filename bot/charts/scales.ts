// Axis ranges and tick labels for the metric charts: pure arithmetic, no drawing.

export interface Axis {
  lo: number;
  hi: number;
  ticks: number[];
  label: (value: number) => string;
}

/** Round a raw step to 1, 2, 2.5 or 5 times a power of ten, so tick labels stay short. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const mantissa = raw / power;
  const nice = mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 2.5 ? 2.5 : mantissa <= 5 ? 5 : 10;
  return nice * power;
}

function decimalsOf(step: number): number {
  const text = step.toPrecision(6).replace(/0+$/, '');
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/**
 * The y axis of one metric: every value and every threshold is inside it, so an SRE sees how
 * far the canary is from failing. Never below 0 for non-negative data, never above 100 for a
 * percentage.
 */
export function valueAxis(values: number[], thresholds: number[], unit?: string, targetTicks = 5): Axis {
  const all = [...values, ...thresholds].filter(Number.isFinite);
  let lo = all.length > 0 ? Math.min(...all) : 0;
  let hi = all.length > 0 ? Math.max(...all) : 1;
  const allPositive = lo >= 0;
  if (lo === hi) {
    const spread = lo === 0 ? 1 : Math.abs(lo) * 0.05;
    lo -= spread;
    hi += spread;
  }
  const margin = (hi - lo) * 0.08;
  lo -= margin;
  hi += margin;
  if (allPositive && lo < 0) lo = 0;
  const capAt100 = unit === '%' && all.every((v) => v <= 100);
  if (capAt100 && hi > 100) hi = 100;
  const step = niceStep((hi - lo) / targetTicks);
  const decimals = decimalsOf(step);
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= last + step / 2; v += step) ticks.push(Number(v.toFixed(decimals)));
  const shown = capAt100 ? ticks.filter((t) => t <= 100) : ticks;
  const top = capAt100 ? Math.min(last, 100) : last;
  const label = (v: number) => (Math.abs(v) >= 10_000 ? compact.format(v) : v.toFixed(decimals));
  return { lo: first, hi: top, ticks: shown, label };
}

const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

const pad2 = (n: number) => String(n).padStart(2, '0');

/** HH:MM in UTC, or HH:MM:SS when the ticks are less than a minute apart (short demo rollouts). */
export function clockLabel(ms: number, withSeconds: boolean): string {
  const d = new Date(ms);
  const hm = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
  return withSeconds ? `${hm}:${pad2(d.getUTCSeconds())}` : hm;
}

/**
 * The x axis: the rollout's first to last tick, labelled on round UTC times that say so
 * ("14:05 UTC"). A PNG cannot show each reader their own time zone, as Slack's <!date^…>
 * does in text, so the chart names its zone on every label rather than leave it to guess.
 */
export function timeAxis(times: number[], maxTicks: number): Axis {
  let lo = times.length > 0 ? Math.min(...times) : 0;
  let hi = times.length > 0 ? Math.max(...times) : 60_000;
  if (hi - lo < 1000) {
    lo -= 30_000;
    hi += 30_000;
  }
  // A little room at both ends so the first and last markers are not cut by the axes.
  const margin = (hi - lo) * 0.02;
  lo -= margin;
  hi += margin;
  const stepS = TIME_STEPS_S.find((s) => (hi - lo) / (s * 1000) <= Math.max(1, maxTicks)) ?? 86400;
  const step = stepS * 1000;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
  return { lo, hi, ticks, label: (t) => `${clockLabel(t, stepS < 60)} UTC` };
}
