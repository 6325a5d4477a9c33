// The port analysis reads metrics through: one cluster, one tick, every metric of the app.
// Adapters only measure; rollout/verdict.ts decides what passes (judgeMeasurements).
import type { AppConfig, MetricConfig } from '../config.js';
import type { Rollout } from '../model.js';

/** The stable pods' side of a metric with a baseline rule. */
export type BaselineMeasurement =
  /** `error`/`outage`: the baseline query got no value (an outage holds the interval, as for the canary). */
  | { value: number | null; canaryPoints: number[]; baselinePoints: number[]; error?: string; outage?: boolean }
  /** No baseline to compare with: the base already runs the new version in this cluster. */
  | { skipped: 'promoted' };

/** What an adapter saw for one metric of the new version's pods, nothing judged. */
export interface Measurement {
  metric: string;
  value: number | null;
  /** Why there is no value (no data, Prometheus refused, pods unreadable). */
  error?: string;
  /** The measuring system itself did not answer (refused, timed out, 5xx): not a verdict on the canary. */
  outage?: boolean;
  /** Set for metrics with maxIncrease/maxDecrease. */
  baseline?: BaselineMeasurement;
}

export interface MetricsSource {
  /** One measurement per metric, in order; a metric that cannot be measured has no value and says why. */
  measure(rollout: Rollout, app: AppConfig, cluster: string, metrics: MetricConfig[]): Promise<Measurement[]>;
}
