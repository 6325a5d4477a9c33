// The port analysis reads metrics through: one cluster, one tick, every metric of the app.
import type { AppConfig, MetricConfig } from '../config.js';
import type { MetricSample, Rollout } from '../model.js';

export interface MetricsSource {
  /** One sample per metric, in order; a metric that cannot be measured is a failed sample with the reason. */
  measure(rollout: Rollout, app: AppConfig, cluster: string, metrics: MetricConfig[]): Promise<MetricSample[]>;
}
