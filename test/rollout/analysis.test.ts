import { describe, expect, it } from 'vitest';
import { baselineBreach, parseAllowance } from '../../rollout/analysis/baseline.js';
import { effectSize, mannWhitney } from '../../rollout/analysis/mann-whitney.js';
import { baselineWords } from '../../bot/blocks/reason-words.js';

describe('Mann-Whitney U', () => {
  it('matches the textbook result for separated samples', () => {
    // scipy.stats.mannwhitneyu([1..5], [6..10], method='asymptotic') -> U=0, p=0.01219
    const result = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])!;
    expect(result.u).toBe(0);
    expect(result.p).toBeCloseTo(0.0122, 3);
    expect(result.effect).toBe(-1);
    expect(effectSize(result.effect)).toBe('large');
  });

  it('finds no difference between samples from the same values, ties included', () => {
    const result = mannWhitney([120, 121, 119, 120, 122, 120], [120, 119, 121, 120, 122, 120])!;
    expect(result.p).toBeGreaterThan(0.8);
    expect(Math.abs(result.effect)).toBeLessThan(0.1);
  });

  it('has no verdict for an empty side', () => {
    expect(mannWhitney([], [1, 2])).toBeUndefined();
  });
});

describe('baseline rule', () => {
  const tenPercent = { maxIncrease: parseAllowance('10%')! };
  it.each([
    ['flags a canary 20 % slower than its base', 144, 120, tenPercent, 'above the baseline'],
    ['passes one 2 % slower', 122.4, 120, tenPercent, undefined],
    ['flags a success rate 1.4 points lower with maxDecrease 1pt', 98.5, 99.9, { maxDecrease: parseAllowance('1pt')! }, 'below the baseline'],
    ['passes 0.5 points lower', 99.4, 99.9, { maxDecrease: parseAllowance('1pt')! }, undefined],
    ['uses absolute units without a suffix', 175, 120, { maxIncrease: parseAllowance('50')! }, 'allowed +50'],
  ] as const)('%s', (_name, canary, baseline, rule, expected) => {
    const breach = baselineBreach(canary, baseline, rule);
    if (expected === undefined) expect(breach).toBeUndefined();
    else expect(baselineWords(breach!)).toContain(expected);
  });

  it('rejects allowances it cannot read', () => {
    expect(parseAllowance('ten percent')).toBeUndefined();
    expect(parseAllowance('10 %')).toEqual({ amount: 10, relative: true });
  });
});
