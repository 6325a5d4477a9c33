// Mann-Whitney U test (as Kayenta uses to compare canary and baseline), two-sided, with the
// normal approximation and tie correction, and the rank-biserial correlation as effect size.
import type { EffectSize } from '../model.js';

export interface MannWhitney {
  u: number;
  p: number;
  /** Rank-biserial correlation in [-1, 1]: positive when the first sample tends to be larger. */
  effect: number;
  n1: number;
  n2: number;
}

/** erfc via Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7), enough for a p-value shown to people. */
function erfc(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const value = poly * Math.exp(-x * x);
  return x >= 0 ? value : 2 - value;
}

export function mannWhitney(first: number[], second: number[]): MannWhitney | undefined {
  const n1 = first.length;
  const n2 = second.length;
  if (n1 === 0 || n2 === 0) return undefined;
  const all = [...first.map((v) => ({ v, g: 1 })), ...second.map((v) => ({ v, g: 2 }))].sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && (all[j + 1] as { v: number }).v === (all[i] as { v: number }).v) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = rank;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  const r1 = all.reduce((sum, item, i) => (item.g === 1 ? sum + (ranks[i] as number) : sum), 0);
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const z = variance > 0 ? (Math.abs(u1 - mean) - 0.5) / Math.sqrt(variance) : 0;
  const p = variance > 0 ? Math.min(1, erfc(Math.max(0, z) / Math.SQRT2)) : 1;
  return { u: u1, p, effect: (2 * u1) / (n1 * n2) - 1, n1, n2 };
}

/** The effect's size class, with the usual thresholds for the rank-biserial correlation. */
export function effectSize(effect: number): EffectSize {
  const size = Math.abs(effect);
  return size >= 0.5 ? 'large' : size >= 0.3 ? 'medium' : size >= 0.1 ? 'small' : 'negligible';
}
