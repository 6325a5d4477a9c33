// A metric's recent values as a unicode sparkline, drawn beside its value in each summary.
//
// Fixed width: the last SPARKLINE_WIDTH intervals only, so the line never grows past what a
// summary line holds (it wrapped after about 13 intervals when it grew without end).
//
// Scaled against the metric's threshold, not only its own values: the passing side of the
// threshold and the failing side get separate bars, so a value that crosses the threshold
// never shares a bar with one that passes, and a fall towards the threshold always shows
// (99.9 → 95 against min 99 used to be drawn flat, a change under 5 % of the value).
//
//   min only (success rate):  failing ▁▂ | passing ▃▄▅▆▇█  (the threshold at ▃, the best value at █)
//   max only (duration):      passing ▁▂▃▄▅▆ | failing ▇█  (the best value at ▁, the threshold at ▆)
//   min and max:              failing ▁ | passing ▂▃▄▅▆▇ | failing █
//   no threshold (dry run):   the values' own range; differences under 0.5 % drawn flat (noise)
export const SPARKLINE_WIDTH = 12;

const BARS = '▁▂▃▄▅▆▇█';
const TOP = BARS.length - 1;
/** Without a threshold, a spread under this share of the value is noise, drawn flat. */
const NOISE = 0.005;

export interface SparklineRange {
  min?: number | undefined;
  max?: number | undefined;
}

type Band = { lo: number; hi: number; from: number; to: number };

/** Where `v` falls between lo and hi, as a bar between `from` and `to` (a single value: `anchor`). */
function place(v: number, band: Band, anchor: 'from' | 'to'): number {
  if (band.hi <= band.lo) return band[anchor];
  const share = Math.min(1, Math.max(0, (v - band.lo) / (band.hi - band.lo)));
  return Math.round(band.from + share * (band.to - band.from));
}

function levelWithThresholds(v: number, known: number[], { min, max }: SparklineRange): number {
  const lowest = Math.min(...known);
  const highest = Math.max(...known);
  if (min !== undefined && v < min) {
    // Failing low: the nearer the threshold, the higher, but never as high as a passing value.
    const to = max !== undefined ? 0 : 1;
    return place(v, { lo: lowest, hi: min, from: 0, to }, 'from');
  }
  if (max !== undefined && v > max) {
    const from = min !== undefined ? TOP : TOP - 1;
    return place(v, { lo: max, hi: highest, from, to: TOP }, 'to');
  }
  // Passing: from the threshold to the far end of the values (or between both thresholds).
  const from = min !== undefined ? (max !== undefined ? 1 : 2) : 0;
  const to = max !== undefined ? (min !== undefined ? TOP - 1 : TOP - 2) : TOP;
  const passing = known.filter((k) => (min === undefined || k >= min) && (max === undefined || k <= max));
  const lo = min ?? Math.min(...passing);
  const hi = max ?? Math.max(...passing);
  return place(v, { lo, hi, from, to }, min !== undefined ? 'from' : 'to');
}

function levelWithoutThresholds(v: number, known: number[]): number {
  const lo = Math.min(...known);
  const hi = Math.max(...known);
  const flat = hi - lo <= NOISE * Math.max(Math.abs(hi), Math.abs(lo));
  return flat ? 3 : place(v, { lo, hi, from: 0, to: TOP }, 'from');
}

/**
 * The last SPARKLINE_WIDTH values as bars, scaled against the metric's range (see above);
 * an interval without a value shows as a space.
 */
export function sparkline(values: (number | null | undefined)[], range: SparklineRange = {}, width = SPARKLINE_WIDTH): string {
  const shown = values.slice(-width);
  const known = shown.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (known.length === 0) return '';
  const thresholds = range.min !== undefined || range.max !== undefined;
  return shown
    .map((v) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) return ' ';
      return BARS[thresholds ? levelWithThresholds(v, known, range) : levelWithoutThresholds(v, known)];
    })
    .join('');
}
