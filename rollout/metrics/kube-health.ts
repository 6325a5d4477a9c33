// Kubernetes-native signals of the new version's pods (the canary's, plus the base's once
// promoted), read from pod status in each cluster, no Prometheus needed (the resize seed's
// safety monitor): restarts, OOM kills, pods not ready.
import type { V1Pod } from '@kubernetes/client-node';
import type { AppConfig, MetricConfig } from '../config.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import { FleetError } from '../kube/fleet.js';
import { podReady, readNewVersionPods, type FleetMode } from '../kube/new-version-pods.js';
import type { Measurement, MetricsSource } from './source.js';

export const KUBE_HEALTH_METRICS = ['pod-restarts', 'oom-kills', 'pods-not-ready'] as const;

const COUNTERS: Record<string, (pods: V1Pod[]) => number> = {
  'pod-restarts': (pods) => pods.flatMap((p) => p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0),
  'oom-kills': (pods) =>
    pods.flatMap((p) => p.status?.containerStatuses ?? []).filter((c) => c.lastState?.terminated?.reason === 'OOMKilled' || c.state?.terminated?.reason === 'OOMKilled').length,
  'pods-not-ready': (pods) => pods.filter((p) => !podReady(p)).length,
};

/** `members`: the clusters whose API rollgate can read (direct mode: all; Karmada mode: those with a context). */
export function createKubeHealthSource(options: { members: Record<string, ClusterApi>; mode?: FleetMode }): MetricsSource {
  return {
    async measure(rollout, app, cluster, metrics) {
      const api = options.members[cluster];
      let pods: V1Pod[] | undefined;
      let error: string | undefined;
      let outage = false;
      if (!api) error = `no kubeconfig context for ${cluster}, so its pods cannot be read (set fleet.clusters[].context)`;
      else {
        try {
          pods = (await readNewVersionPods(api, rollout, app, cluster, options.mode)).flatMap((w) => w.pods);
        } catch (cause) {
          error = `could not read pods: ${cause instanceof Error ? cause.message : String(cause)}`;
          // The cluster's API not answering is an outage of the measuring system, not a verdict on the canary.
          outage = cause instanceof FleetError && cause.transient;
        }
      }
      return metrics.map((metric: MetricConfig): Measurement => {
        const count = COUNTERS[metric.name];
        const value = pods && count ? count(pods) : null;
        return value === null ? { metric: metric.name, value, error: error ?? `unknown metric ${metric.name}`, ...(outage ? { outage: true } : {}) } : { metric: metric.name, value };
      });
    },
  };
}

/** Sends each metric to the source that measures it: Kubernetes for pod signals, Prometheus for the rest. */
export function routeMetrics(sources: { prometheus: MetricsSource; kube: MetricsSource }): MetricsSource {
  const isKube = (m: MetricConfig) => !m.query && (KUBE_HEALTH_METRICS as readonly string[]).includes(m.name);
  return {
    async measure(rollout, app, cluster, metrics) {
      const kube = metrics.filter(isKube);
      const prometheus = metrics.filter((m) => !isKube(m));
      const [fromKube, fromPrometheus] = await Promise.all([
        kube.length ? sources.kube.measure(rollout, app, cluster, kube) : [],
        prometheus.length ? sources.prometheus.measure(rollout, app, cluster, prometheus) : [],
      ]);
      const byName = new Map([...fromKube, ...fromPrometheus].map((s) => [s.metric, s]));
      return metrics.map((m) => byName.get(m.name) as Measurement);
    },
  };
}
