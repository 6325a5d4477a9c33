// Aggregation operators: sum, avg, min, max, count, group, stddev, stdvar, topk, bottomk, quantile.
import type { Labels, Sample, Value } from './ast.js';
import { dropName, pickLabels, PromQLExecutionError, signature } from './labels.js';

function quantile(q: number, values: number[]): number {
  if (values.length === 0) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const v = [...values].sort((a, b) => a - b);
  const rank = q * (v.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, v.length - 1);
  return v[lo]! + (v[hi]! - v[lo]!) * (rank - lo);
}

export function aggregate(op: string, param: Value | undefined, grouping: string[], without: boolean, samples: Sample[]): Value {
  const groups = new Map<string, { labels: Labels; samples: Sample[] }>();
  for (const s of samples) {
    const labels = without ? dropName(pickLabels(s.labels, grouping, false)) : pickLabels(s.labels, grouping, true);
    const key = signature(labels);
    const g = groups.get(key) ?? { labels, samples: [] };
    g.samples.push(s);
    groups.set(key, g);
  }
  const k = param?.type === 'scalar' ? param.value : NaN;
  const out: Sample[] = [];
  for (const g of groups.values()) {
    const values = g.samples.map((s) => s.value);
    const sum = values.reduce((a, b) => a + b, 0);
    const mean = sum / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    switch (op) {
      case 'sum':
        out.push({ labels: g.labels, value: sum });
        break;
      case 'avg':
        out.push({ labels: g.labels, value: mean });
        break;
      case 'min':
        out.push({ labels: g.labels, value: Math.min(...values) });
        break;
      case 'max':
        out.push({ labels: g.labels, value: Math.max(...values) });
        break;
      case 'count':
        out.push({ labels: g.labels, value: values.length });
        break;
      case 'group':
        out.push({ labels: g.labels, value: 1 });
        break;
      case 'stddev':
        out.push({ labels: g.labels, value: Math.sqrt(variance) });
        break;
      case 'stdvar':
        out.push({ labels: g.labels, value: variance });
        break;
      case 'quantile':
        out.push({ labels: g.labels, value: quantile(k, values) });
        break;
      case 'topk':
      case 'bottomk': {
        const sorted = [...g.samples].sort((a, b) => (op === 'topk' ? b.value - a.value : a.value - b.value));
        out.push(...sorted.slice(0, Math.max(0, Math.floor(k))));
        break;
      }
      default:
        throw new PromQLExecutionError(`aggregation ${op} is not supported`);
    }
  }
  return { type: 'vector', samples: out };
}
