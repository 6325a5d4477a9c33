// Instant-query evaluation of the parsed subset over synthetic series, following the semantics
// of prometheus/promql/engine.go (label handling, vector matching, histogram_quantile).
import { aggregate } from './aggregate.js';
import type { Expr, Labels, Matcher, RangeSeries, Sample, Value } from './ast.js';
import { binaryOperation } from './binary.js';
import { dropName, pickLabels, signature } from './labels.js';
import type { SyntheticSeries } from './series.js';

export { PromQLExecutionError } from './labels.js';
import { PromQLExecutionError } from './labels.js';

export interface EvalContext {
  series: SyntheticSeries[];
  /** Evaluation time, unix seconds. */
  t: number;
}

const SCRAPE_SECONDS = 15;

function matches(labels: Labels, m: Matcher): boolean {
  const v = labels[m.name] ?? '';
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return new RegExp(`^(?:${m.value})$`).test(v);
    case '!~':
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

function select(e: Extract<Expr, { type: 'selector' }>, ctx: EvalContext): SyntheticSeries[] {
  return ctx.series.filter((s) => e.matchers.every((m) => matches(s.labels, m)));
}

function rangeOf(e: Extract<Expr, { type: 'selector' }>, ctx: EvalContext): RangeSeries[] {
  const end = ctx.t - (e.offsetMs ?? 0) / 1000;
  const seconds = e.rangeMs! / 1000;
  return select(e, ctx).map((s) => {
    const points: [number, number][] = [];
    for (let pt = end - Math.floor(seconds / SCRAPE_SECONDS) * SCRAPE_SECONDS; pt <= end + 1e-9; pt += SCRAPE_SECONDS) {
      if (pt > end - seconds) points.push([pt, s.valueAt(pt)]);
    }
    return { labels: s.labels, counter: s.counter, ratePerSecond: s.rate, points };
  });
}

export function bucketQuantile(q: number, buckets: { le: number; count: number }[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const b = [...buckets].sort((x, y) => x.le - y.le);
  if (b.length < 2 || b[b.length - 1]!.le !== Infinity) return NaN;
  for (let i = 1; i < b.length; i++) if (b[i]!.count < b[i - 1]!.count) b[i]!.count = b[i - 1]!.count;
  const total = b[b.length - 1]!.count;
  if (total === 0 || Number.isNaN(total)) return NaN;
  let rank = q * total;
  const idx = b.findIndex((x) => x.count >= rank);
  if (idx === b.length - 1) return b[b.length - 2]!.le;
  if (idx === 0 && b[0]!.le <= 0) return b[0]!.le;
  let start = 0;
  let count = b[idx]!.count;
  if (idx > 0) {
    start = b[idx - 1]!.le;
    count -= b[idx - 1]!.count;
    rank -= b[idx - 1]!.count;
  }
  return start + (b[idx]!.le - start) * (rank / count);
}

function histogramQuantile(q: number, samples: Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: { le: number; count: number }[] }>();
  for (const s of samples) {
    const le = s.labels['le'];
    if (le === undefined) continue;
    const labels = dropName(pickLabels(s.labels, ['le'], false));
    const key = signature(labels);
    const g = groups.get(key) ?? { labels, buckets: [] };
    g.buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: s.value });
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}

function vec(v: Value): Sample[] {
  if (v.type !== 'vector') throw new PromQLExecutionError(`expected instant vector, got ${v.type}`);
  return v.samples;
}
function scalar(v: Value): number {
  if (v.type !== 'scalar') throw new PromQLExecutionError(`expected scalar, got ${v.type}`);
  return v.value;
}

function callFunction(e: Extract<Expr, { type: 'call' }>, ctx: EvalContext): Value {
  const arg = (k: number) => evaluate(e.args[k]!, ctx);
  const map = (fn: (x: number) => number): Value => ({ type: 'vector', samples: vec(arg(0)).map((s) => ({ labels: dropName(s.labels), value: fn(s.value) })) });
  const overRange = (fn: (r: RangeSeries, seconds: number) => number | undefined): Value => {
    const sel = e.args[0] as Extract<Expr, { type: 'selector' }>;
    const seconds = sel.rangeMs! / 1000;
    const samples: Sample[] = [];
    for (const r of rangeOf(sel, ctx)) {
      const value = fn(r, seconds);
      if (value !== undefined && r.points.length > 0) samples.push({ labels: dropName(r.labels), value });
    }
    return { type: 'vector', samples };
  };
  const values = (r: RangeSeries) => r.points.map(([, v]) => v);
  switch (e.func) {
    case 'rate':
    case 'irate':
      return overRange((r) => (r.counter ? r.ratePerSecond : 0));
    case 'increase':
      return overRange((r, seconds) => (r.counter ? r.ratePerSecond * seconds : 0));
    case 'delta':
      return overRange((r) => values(r).at(-1)! - values(r)[0]!);
    case 'avg_over_time':
      return overRange((r) => values(r).reduce((a, b) => a + b, 0) / r.points.length);
    case 'sum_over_time':
      return overRange((r) => values(r).reduce((a, b) => a + b, 0));
    case 'min_over_time':
      return overRange((r) => Math.min(...values(r)));
    case 'max_over_time':
      return overRange((r) => Math.max(...values(r)));
    case 'count_over_time':
      return overRange((r) => r.points.length);
    case 'last_over_time':
      return overRange((r) => values(r).at(-1));
    case 'histogram_quantile':
      return { type: 'vector', samples: histogramQuantile(scalar(arg(0)), vec(arg(1))) };
    case 'abs':
      return map(Math.abs);
    case 'ceil':
      return map(Math.ceil);
    case 'floor':
      return map(Math.floor);
    case 'sqrt':
      return map(Math.sqrt);
    case 'exp':
      return map(Math.exp);
    case 'ln':
      return map(Math.log);
    case 'log10':
      return map(Math.log10);
    case 'round': {
      const to = e.args[1] ? scalar(arg(1)) : 1;
      return map((x) => Math.floor(x / to + 0.5) * to);
    }
    case 'clamp':
      return map((x) => Math.max(scalar(arg(1)), Math.min(scalar(arg(2)), x)));
    case 'clamp_min':
      return map((x) => Math.max(scalar(arg(1)), x));
    case 'clamp_max':
      return map((x) => Math.min(scalar(arg(1)), x));
    case 'absent': {
      if (vec(arg(0)).length > 0) return { type: 'vector', samples: [] };
      const a = e.args[0]!;
      const labels: Labels = {};
      if (a.type === 'selector') for (const m of a.matchers) if (m.op === '=' && m.name !== '__name__') labels[m.name] = m.value;
      return { type: 'vector', samples: [{ labels, value: 1 }] };
    }
    case 'scalar': {
      const v = vec(arg(0));
      return { type: 'scalar', value: v.length === 1 ? v[0]!.value : NaN };
    }
    case 'vector':
      return { type: 'vector', samples: [{ labels: {}, value: scalar(arg(0)) }] };
    case 'time':
      return { type: 'scalar', value: ctx.t };
    default:
      throw new PromQLExecutionError(`function ${e.func} is not supported`);
  }
}

export function evaluate(e: Expr, ctx: EvalContext): Value {
  switch (e.type) {
    case 'number':
      return { type: 'scalar', value: e.value };
    case 'string':
      return { type: 'string', value: e.value };
    case 'paren':
      return evaluate(e.expr, ctx);
    case 'selector':
      if (e.rangeMs !== undefined) return { type: 'matrix', series: rangeOf(e, ctx) };
      return { type: 'vector', samples: select(e, ctx).map((s) => ({ labels: { ...s.labels }, value: s.valueAt(ctx.t - (e.offsetMs ?? 0) / 1000) })) };
    case 'unary': {
      const v = evaluate(e.expr, ctx);
      if (e.op === '+') return v;
      if (v.type === 'scalar') return { type: 'scalar', value: -v.value };
      return { type: 'vector', samples: vec(v).map((s) => ({ labels: dropName(s.labels), value: -s.value })) };
    }
    case 'call':
      return callFunction(e, ctx);
    case 'aggregate': {
      const param = e.param ? evaluate(e.param, ctx) : undefined;
      return aggregate(e.op, param, e.grouping, e.without, vec(evaluate(e.expr, ctx)));
    }
    case 'binary':
      return binaryOperation(e.op, evaluate(e.lhs, ctx), evaluate(e.rhs, ctx), e.bool, e.matching);
  }
}
