// The port analysis reads metrics through: one cluster, one tick, every metric of the app.
import type { AppConfig } from '../config.js';
import type { MetricSample, Rollout } from '../model.js';

export interface MetricsSource {
  measure(rollout: Rollout, app: AppConfig, cluster: string): Promise<MetricSample[]>;
}
