// Naming decisions shared by the writers and by analysis (which pods run the new version).
import type { AppConfig } from '../config.js';
import type { Rollout } from '../model.js';
import { escapeRegex } from './objects.js';

/** A canary stage over several clusters uses the seed's region-wide canary (Demo 2); one cluster gets its own (Demo 1). */
export function usesRegionCanary(rollout: Rollout): boolean {
  return (rollout.stages[0]?.clusters.length ?? 0) > 1;
}

/** The `{{basePods}}` regex: the stable base Deployment's pods. */
export function basePodsPattern(app: AppConfig): string {
  return `${escapeRegex(app.deployment)}-[a-z0-9]+-[a-z0-9]+`;
}
