// Binary operators: arithmetic, comparison (filtering or `bool`) and set operators, with
// one-to-one vector matching on all labels, on(...) or ignoring(...).
import type { Labels, Sample, Value } from './ast.js';
import { dropName, pickLabels, PromQLExecutionError, signature } from './labels.js';

const COMPARISON = new Set(['==', '!=', '<=', '<', '>=', '>']);

function arith(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
    case '^':
      return a ** b;
    case '==':
      return Number(a === b);
    case '!=':
      return Number(a !== b);
    case '<':
      return Number(a < b);
    case '<=':
      return Number(a <= b);
    case '>':
      return Number(a > b);
    case '>=':
      return Number(a >= b);
  }
  throw new PromQLExecutionError(`operator ${op} is not supported`);
}

type Matching = { on: boolean; labels: string[] } | undefined;

function matchKey(labels: Labels, matching: Matching): string {
  if (!matching) return signature(dropName(labels));
  return signature(matching.on ? pickLabels(labels, matching.labels, true) : dropName(pickLabels(labels, matching.labels, false)));
}

function resultLabels(labels: Labels, op: string, bool: boolean, matching: Matching): Labels {
  let out = COMPARISON.has(op) && !bool ? { ...labels } : dropName(labels);
  if (matching) out = matching.on ? pickLabels(out, matching.labels, true) : pickLabels(out, matching.labels, false);
  return out;
}

function vectorVector(op: string, lhs: Sample[], rhs: Sample[], bool: boolean, matching: Matching): Sample[] {
  const rightByKey = new Map<string, Sample>();
  for (const s of rhs) {
    const key = matchKey(s.labels, matching);
    if (rightByKey.has(key) && op !== 'and' && op !== 'unless' && op !== 'or') {
      throw new PromQLExecutionError('found duplicate series for the match group on the right hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side');
    }
    rightByKey.set(key, s);
  }
  if (op === 'and') return lhs.filter((s) => rightByKey.has(matchKey(s.labels, matching)));
  if (op === 'unless') return lhs.filter((s) => !rightByKey.has(matchKey(s.labels, matching)));
  if (op === 'or') {
    const left = new Set(lhs.map((s) => matchKey(s.labels, matching)));
    return [...lhs, ...rhs.filter((s) => !left.has(matchKey(s.labels, matching)))];
  }
  const seen = new Set<string>();
  const out: Sample[] = [];
  for (const l of lhs) {
    const key = matchKey(l.labels, matching);
    const r = rightByKey.get(key);
    if (!r) continue;
    if (seen.has(key)) {
      throw new PromQLExecutionError('found duplicate series for the match group on the left hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side');
    }
    seen.add(key);
    const v = arith(op, l.value, r.value);
    if (COMPARISON.has(op) && !bool) {
      if (v === 1) out.push({ labels: resultLabels(l.labels, op, bool, matching), value: l.value });
    } else out.push({ labels: resultLabels(l.labels, op, bool, matching), value: v });
  }
  return out;
}

export function binaryOperation(op: string, lhs: Value, rhs: Value, bool: boolean, matching: Matching): Value {
  if (lhs.type === 'scalar' && rhs.type === 'scalar') return { type: 'scalar', value: arith(op, lhs.value, rhs.value) };
  if (lhs.type === 'vector' && rhs.type === 'vector') return { type: 'vector', samples: vectorVector(op, lhs.samples, rhs.samples, bool, matching) };
  const vectorLeft = lhs.type === 'vector';
  const samples = (vectorLeft ? lhs : rhs) as Extract<Value, { type: 'vector' }>;
  const k = ((vectorLeft ? rhs : lhs) as Extract<Value, { type: 'scalar' }>).value;
  const out: Sample[] = [];
  for (const s of samples.samples) {
    const v = vectorLeft ? arith(op, s.value, k) : arith(op, k, s.value);
    if (COMPARISON.has(op) && !bool) {
      if (v === 1) out.push({ labels: { ...s.labels }, value: s.value });
    } else out.push({ labels: dropName(s.labels), value: v });
  }
  return { type: 'vector', samples: out };
}
