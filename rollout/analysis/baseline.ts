// Judging a canary against the stable pods of the same cluster in the same interval:
// `maxIncrease: 10%` (relative) or `maxDecrease: 1pt` / `maxIncrease: 50` (absolute).

import type { BaselineFinding } from '../model.js';

export interface Allowance {
  amount: number;
  relative: boolean;
}

/** "10%" -> 10 % of the baseline; "1pt" or "50" -> that much in the metric's own unit. */
export function parseAllowance(text: string): Allowance | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(%|pt)?\s*$/.exec(text);
  if (!match) return undefined;
  return { amount: Number(match[1]), relative: match[2] === '%' };
}

export interface BaselineRule {
  maxIncrease?: Allowance;
  maxDecrease?: Allowance;
}

/** Undefined when the canary is within what the rule allows; else by how much it is outside, as facts. */
export function baselineBreach(canary: number, baseline: number, rule: BaselineRule): Extract<BaselineFinding, { said: 'outside' }> | undefined {
  const allowed = (a: Allowance) => (a.relative ? (Math.abs(baseline) * a.amount) / 100 : a.amount);
  if (rule.maxIncrease && canary > baseline + allowed(rule.maxIncrease)) {
    return { said: 'outside', direction: 'above', canary, baseline, allowed: rule.maxIncrease };
  }
  if (rule.maxDecrease && canary < baseline - allowed(rule.maxDecrease)) {
    return { said: 'outside', direction: 'below', canary, baseline, allowed: rule.maxDecrease };
  }
  return undefined;
}
