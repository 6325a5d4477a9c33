// Judging a canary against the stable pods of the same cluster in the same interval:
// `maxIncrease: 10%` (relative) or `maxDecrease: 1pt` / `maxIncrease: 50` (absolute).

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

/** Undefined when the canary is within what the rule allows; else why not, in words. */
export function baselineBreach(canary: number, baseline: number, rule: BaselineRule): string | undefined {
  const allowed = (a: Allowance) => (a.relative ? (Math.abs(baseline) * a.amount) / 100 : a.amount);
  const show = (a: Allowance) => (a.relative ? `${a.amount}%` : `${a.amount}`);
  if (rule.maxIncrease && canary > baseline + allowed(rule.maxIncrease)) {
    return `${formatDelta(canary, baseline)} above the baseline (allowed +${show(rule.maxIncrease)})`;
  }
  if (rule.maxDecrease && canary < baseline - allowed(rule.maxDecrease)) {
    return `${formatDelta(canary, baseline)} below the baseline (allowed -${show(rule.maxDecrease)})`;
  }
  return undefined;
}

function formatDelta(canary: number, baseline: number): string {
  const diff = canary - baseline;
  const pct = baseline !== 0 ? ` (${((diff / Math.abs(baseline)) * 100).toFixed(1)}%)` : '';
  return `${Math.abs(diff).toFixed(2)}${pct}`;
}
