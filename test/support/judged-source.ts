// A metrics source whose measurements are judged as the tick step judges them
// (rollout/verdict.ts), for tests that assert pass/fail of what an adapter measured.
import type { AppConfig, MetricConfig } from '../../rollout/config.js';
import type { MetricSample, Rollout } from '../../rollout/model.js';
import type { MetricsSource } from '../../rollout/metrics/source.js';
import { judgeMeasurements } from '../../rollout/verdict.js';

export function judged(source: MetricsSource): { measure(rollout: Rollout, app: AppConfig, cluster: string, metrics: MetricConfig[]): Promise<MetricSample[]> } {
  return { measure: async (rollout, app, cluster, metrics) => judgeMeasurements(await source.measure(rollout, app, cluster, metrics), metrics) };
}
