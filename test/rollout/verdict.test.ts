// The adapters only measure; rollout/verdict.ts decides each metric's pass/fail from what was
// measured and how the metric is configured (range, baseline rule, dry run).
import { describe, expect, it } from 'vitest';
import type { MetricConfig } from '../../rollout/config.js';
import type { Measurement } from '../../rollout/metrics/source.js';
import { judgeMeasurement, judgeMeasurements } from '../../rollout/verdict.js';

const metric = (fields: Partial<MetricConfig>): MetricConfig => ({ name: 'request-success-rate', dryRun: false, ...fields }) as MetricConfig;
const seen = (fields: Partial<Measurement>): Measurement => ({ metric: 'request-success-rate', value: 99.5, ...fields });
const points = (n: number, value: number) => Array.from({ length: n }, (_, i) => value + (i % 3) * 0.01);

describe('judgeMeasurement', () => {
  it.each<[string, Measurement, MetricConfig, Record<string, unknown>]>([
    ['in range passes', seen({}), metric({ min: 99 }), { value: 99.5, min: 99, passed: true, dryRun: false }],
    ['below min fails', seen({ value: 95 }), metric({ min: 99 }), { value: 95, passed: false }],
    ['above max fails', seen({ metric: 'request-duration', value: 600 }), metric({ name: 'request-duration', max: 500 }), { passed: false, max: 500 }],
    ['no value fails, keeping why', seen({ value: null, error: 'no data: the query returned no series' }), metric({ min: 99 }), { passed: false, error: 'no data: the query returned no series' }],
    ['an outage is kept for the hold', seen({ value: null, error: 'Prometheus unreachable: ECONNREFUSED', outage: true }), metric({ min: 99 }), { passed: false, outage: true }],
    ['a dry run is judged but marked', seen({ value: 90 }), metric({ min: 99, dryRun: true }), { passed: false, dryRun: true }],
    [
      'within the baseline rule passes',
      seen({ baseline: { value: 99.4, canaryPoints: [], baselinePoints: [] } }),
      metric({ maxDecrease: '1pt' }),
      { passed: true, baseline: 99.4 },
    ],
    [
      'below the baseline by more than allowed fails, saying by how much',
      seen({ value: 97, baseline: { value: 99.5, canaryPoints: [], baselinePoints: [] } }),
      metric({ maxDecrease: '1pt' }),
      { passed: false, baseline: 99.5, baselineNote: '2.50 (-2.5%) below the baseline (allowed -1)' },
    ],
    [
      'no baseline value: judged on the range alone',
      seen({ baseline: { value: null, canaryPoints: [], baselinePoints: [] } }),
      metric({ min: 99, maxDecrease: '1pt' }),
      { passed: true, baselineNote: 'baseline: no data' },
    ],
    [
      'the baseline query not answered holds like the canary’s',
      seen({ baseline: { value: null, canaryPoints: [], baselinePoints: [], error: 'Prometheus error: HTTP 503', outage: true } }),
      metric({ maxDecrease: '1pt' }),
      { passed: false, outage: true, error: 'baseline: Prometheus error: HTTP 503' },
    ],
    ['promoted: no baseline to compare with', seen({ baseline: { skipped: 'promoted' } }), metric({ min: 99, maxDecrease: '1pt' }), { passed: true, baselineNote: 'no baseline: the base runs the new version here' }],
  ])('%s', (_what, measured, config, expected) => {
    expect(judgeMeasurement(measured, config)).toMatchObject(expected);
  });

  it('compares the interval’s points (Mann-Whitney) where both sides have enough, without deciding by it', () => {
    const judged = judgeMeasurement(seen({ baseline: { value: 99.5, canaryPoints: points(8, 99.5), baselinePoints: points(8, 99.6) } }), metric({ maxDecrease: '1pt' }));
    expect(judged.passed).toBe(true);
    expect(judged.comparison?.words).toMatch(/^Mann-Whitney p=/);
  });

  it('judges a source’s measurements by name, in order', () => {
    const metrics = [metric({ min: 99 }), metric({ name: 'request-duration', max: 500 })];
    const judged = judgeMeasurements([seen({}), seen({ metric: 'request-duration', value: 700 })], metrics);
    expect(judged.map((s) => [s.metric, s.passed])).toEqual([
      ['request-success-rate', true],
      ['request-duration', false],
    ]);
  });
});
