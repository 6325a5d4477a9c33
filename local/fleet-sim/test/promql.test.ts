// The PromQL subset on fixed series: parsing (and its errors), matching, aggregation, binary
// operators and histogram_quantile, table-driven with a fixed evaluation time.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../src/promql/evaluator.js';
import { parsePromQL } from '../src/promql/parser.js';
import { bucketFractions, type SyntheticSeries } from '../src/promql/series.js';
import { bucketQuantile } from '../src/promql/evaluator.js';
import { formatSampleValue } from '../src/promql/prometheus-api.js';

const T = 1_700_000_000;
const counter = (labels: Record<string, string>, rate: number): SyntheticSeries => ({ labels, counter: true, rate, valueAt: (t) => rate * (t - (T - 600)) });

const SERIES: SyntheticSeries[] = [
  counter({ __name__: 'http_requests_total', namespace: 'default', pod: 'web-abc-1', code: '200' }, 9),
  counter({ __name__: 'http_requests_total', namespace: 'default', pod: 'web-abc-1', code: '500' }, 1),
  counter({ __name__: 'http_requests_total', namespace: 'default', pod: 'web-canary-1', code: '200' }, 4),
  counter({ __name__: 'http_requests_total', namespace: 'other', pod: 'web-abc-2', code: '200' }, 100),
  ...[
    ['0.1', 5],
    ['0.5', 9],
    ['1', 10],
    ['+Inf', 10],
  ].map(([le, rate]) => counter({ __name__: 'lat_bucket', pod: 'web-abc-1', le: le as string }, rate as number)),
];

function run(query: string) {
  return evaluate(parsePromQL(query), { series: SERIES, t: T });
}
function values(query: string): number[] {
  const v = run(query);
  if (v.type === 'scalar') return [v.value];
  if (v.type !== 'vector') throw new Error(`not a vector: ${v.type}`);
  return v.samples.map((s) => s.value).sort((a, b) => a - b);
}

describe('PromQL subset', () => {
  it.each([
    ['1 + 2 * 3', [7]],
    ['(1 + 2) * 3', [9]],
    ['2 ^ 3 ^ 2', [512]],
    ['-3 + 1', [-2]],
    ['10 / 4 # a comment', [2.5]],
    ['sum(rate(http_requests_total{namespace="default"}[1m]))', [14]],
    ['sum(rate(http_requests_total{namespace="default",code!~"5.."}[5m])) / sum(rate(http_requests_total{namespace="default"}[5m])) * 100', [(13 / 14) * 100]],
    ['sum by (pod) (rate(http_requests_total{namespace="default"}[30s]))', [4, 10]],
    ['sum(rate(http_requests_total{namespace="default"}[30s])) by (pod)', [4, 10]],
    ['sum without (code) (rate(http_requests_total[1m]))', [4, 10, 100]],
    ['count(http_requests_total{pod=~"web-abc-.*"})', [3]],
    ['max(rate(http_requests_total[1m]))', [100]],
    ['avg(rate(http_requests_total{namespace="default"}[1m]))', [14 / 3]],
    ['min by (namespace) (rate(http_requests_total[1m]))', [1, 100]],
    ['increase(http_requests_total{code="500"}[5m])', [300]],
    ['irate(http_requests_total{code="500"}[1m])', [1]],
    ['rate(http_requests_total{pod=~"web-canary.*"}[1m]) * 2 > 5', [8]],
    ['rate(http_requests_total{pod=~"web-canary.*"}[1m]) > bool 5', [0]],
    ['rate(http_requests_total{code="200",namespace="default"}[1m]) / on (pod) rate(http_requests_total{code="200",namespace="default"}[1m])', [1, 1]],
    ['sum(rate(http_requests_total{pod="nope"}[1m]))', []],
    ['histogram_quantile(0.5, sum by (le) (rate(lat_bucket[1m])))', [0.1]],
    ['histogram_quantile(0.9, sum by (le) (rate(lat_bucket[1m]))) * 1000', [500]],
    ['histogram_quantile(0.99, rate(lat_bucket[1m]))', [0.95]],
    ['scalar(sum(rate(http_requests_total{code="500"}[1m])))', [1]],
    ['absent(http_requests_total{pod="nope"})', [1]],
    ['vector(1) + 1', [2]],
  ])('%s', (query, expected) => {
    const got = values(query);
    expect(got).toHaveLength(expected.length);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
  });

  it('keeps labels the way Prometheus does', () => {
    const v = run('rate(http_requests_total{code="500"}[1m])');
    expect(v.type === 'vector' && v.samples[0]!.labels).toEqual({ namespace: 'default', pod: 'web-abc-1', code: '500' });
    const raw = run('http_requests_total{code="500"}');
    expect(raw.type === 'vector' && raw.samples[0]!.labels['__name__']).toBe('http_requests_total');
    const agg = run('sum by (pod) (rate(http_requests_total{code="500"}[1m]))');
    expect(agg.type === 'vector' && agg.samples[0]!.labels).toEqual({ pod: 'web-abc-1' });
  });

  it.each([
    ['sum(rate(x[1m])', /^1:16: parse error: unexpected end of input/],
    ['rate(x)', /expected type range vector in call to function "rate", got instant vector/],
    ['sum(x[1m])', /expected type instant vector in aggregation expression, got range vector/],
    ['x{a="b"', /parse error: unexpected end of input in label matching/],
    ['x{a=b}', /^1:5: parse error: unexpected "b" in label matching, expected string/],
    ['foo(x)', /unknown function with name "foo"/],
    ['1 > 2', /comparisons between scalars must use BOOL modifier/],
    ['{a=""}', /vector selector must contain at least one non-empty matcher/],
    ['', /no expression found in input/],
    ['x )', /unexpected "\)"/],
  ])('rejects %j', (query, message) => {
    expect(() => parsePromQL(query)).toThrow(message);
  });

  it('interpolates histogram_quantile exactly as Prometheus does', () => {
    expect(bucketQuantile(0.5, [{ le: 1, count: 2 }, { le: 2, count: 4 }, { le: Infinity, count: 4 }])).toBe(1);
    expect(bucketQuantile(0.75, [{ le: 1, count: 2 }, { le: 2, count: 4 }, { le: Infinity, count: 4 }])).toBe(1.5);
    expect(bucketQuantile(1, [{ le: 1, count: 2 }, { le: Infinity, count: 4 }])).toBe(1);
    expect(bucketQuantile(0.5, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }])).toBeNaN();
    expect(bucketQuantile(0.5, [{ le: 1, count: 1 }])).toBeNaN();
  });

  it('shapes latency buckets so p99 interpolates back to the target', () => {
    const bounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Infinity];
    for (const p99 of [0.12, 0.9, 0.03]) {
      const fr = bucketFractions(bounds, p99);
      expect(bucketQuantile(0.99, bounds.map((le, i) => ({ le, count: fr[i]! * 100 })))).toBeCloseTo(p99, 9);
      fr.slice(1).forEach((f, i) => expect(f).toBeGreaterThanOrEqual(fr[i]!));
    }
  });

  it('formats sample values as Go does', () => {
    expect([99.9, 120, 1e-7, 1e21, NaN, Infinity, -Infinity].map(formatSampleValue)).toEqual(['99.9', '120', '0.0000001', '1000000000000000000000', 'NaN', '+Inf', '-Inf']);
  });
});
