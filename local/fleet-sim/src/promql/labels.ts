// Label-set helpers shared by the evaluator, aggregations and binary operators.
import type { Labels } from './ast.js';

export class PromQLExecutionError extends Error {}

export const dropName = ({ __name__: _n, ...rest }: Labels): Labels => rest;

export const signature = (labels: Labels): string => JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

/** keep=true: only `names`; keep=false: all but `names`. */
export function pickLabels(labels: Labels, names: string[], keep: boolean): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) if (names.includes(k) === keep) out[k] = v;
  return out;
}
