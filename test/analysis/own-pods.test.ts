// A canary is judged on its own pods only (issue 8, item 2): a good version started right
// after a rolled-back bad one, and the same version rolled out a second time, against a real
// Prometheus scraping what the simulated fleet's pods serve. Canaries are written by the real
// Karmada and direct fleets; the pods are read back from the members over HTTPS.
import { KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFleetSimulator, type FleetSimulator } from '@rollgate/fleet-sim';
import type { AppConfig } from '../../rollout/config.js';
import { connectCluster, type ClusterApi } from '../../rollout/kube/cluster-api.js';
import { createDirectFleet } from '../../rollout/kube/direct-fleet.js';
import type { Fleet } from '../../rollout/kube/fleet.js';
import { createKarmadaFleet } from '../../rollout/kube/karmada-fleet.js';
import { readNewVersionPods } from '../../rollout/kube/new-version-pods.js';
import { createPrometheusSource } from '../../rollout/metrics/prometheus.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { judged } from '../support/judged-source.js';
import { startPodMetricsExporter, type Latencies, type PodMetricsExporter, type PodTraffic } from '../support/pod-metrics-exporter.js';
import { prometheusAvailable, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';

const FAST: Latencies = [{ seconds: 0.02, share: 1 }];
/** Served by pods doing well: 2 % 5xx, so 98 % success. */
const GOOD = 0.02;
/** Served by a canary in trouble: half its answers 5xx. */
const FAILING = 0.5;

describe.skipIf(!prometheusAvailable).each(['karmada', 'direct'] as const)('a canary judged on its own pods (%s mode)', (mode) => {
  let sim: FleetSimulator;
  let fleet: Fleet;
  let member1: ClusterApi;
  let exporter: PodMetricsExporter;
  let prometheus: RunningPrometheus;
  let app: AppConfig;
  let source: ReturnType<typeof judged>;
  /** What each pod serves, by pod name; pods not listed serve GOOD. */
  const errorShare = new Map<string, number>();

  beforeAll(async () => {
    sim = createFleetSimulator({ mode, readyDelayMs: 50, rolloutStepMs: 20 });
    await sim.listen(0);
    const kubeconfig = new KubeConfig();
    kubeconfig.loadFromString(sim.kubeconfig());
    const members = Object.fromEntries(['member1', 'member2', 'member3'].map((c) => [c, connectCluster({ kubeconfig, context: c, cluster: c })]));
    member1 = members.member1 as ClusterApi;
    fleet = mode === 'karmada' ? createKarmadaFleet({ karmada: connectCluster({ kubeconfig, context: 'karmada-apiserver', cluster: 'karmada' }) }) : createDirectFleet({ clusters: members });
    exporter = await startPodMetricsExporter([]);
    prometheus = await startPrometheus({ targets: [exporter.target] });
    const config = testConfig((doc) => {
      doc.fleet.mode = mode;
      for (const cluster of doc.fleet.clusters) cluster.prometheus = { url: prometheus.url };
      doc.apps[0].strategy = 'canary-first';
      // A short interval: the test does not wait a minute; the window is still widened to 30 s.
      doc.apps[0].analysis = { interval: '1s', metrics: [{ name: 'request-success-rate', min: 95 }] };
    });
    app = config.apps[0] as AppConfig;
    source = judged(createPrometheusSource({ clusters: config.fleet.clusters, members, mode }));
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await exporter?.close();
    await sim?.close();
  });

  /** The exporter serves every live pod of member1, as a pod monitor would scrape them. */
  async function exportLivePods(): Promise<V1Pod[]> {
    const pods = (await member1.listPods(app.namespace, 'app=http-probe-app')).filter((p) => !p.metadata?.deletionTimestamp);
    const traffic = (p: V1Pod): PodTraffic => {
      const name = p.metadata?.name as string;
      return { namespace: app.namespace, pod: name, workload: name.split('-').slice(0, -2).join('-'), requestsPerSecond: 50, errorShare: errorShare.get(name) ?? GOOD, latencies: FAST };
    };
    exporter.setPods(pods.map(traffic));
    return pods;
  }

  /** Deploys a canary of `version` to member1 and waits until it is ready, as the rollout's steps do. */
  async function canaryOf(id: string, version: string): Promise<Rollout> {
    const rollout = newRollout({ id, app, version, requester: 'U0DEV', nowMs: 0 });
    await fleet.setCanaries(rollout, app, ['member1']);
    for (;;) {
      if ((await fleet.checkReady(rollout, app)).ready) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const member = rollout.cluster.member1 as Rollout['cluster'][string];
    return { ...rollout, phase: 'analysing', cluster: { ...rollout.cluster, member1: { ...member, canary: 'deployed', readyAt: Date.now() } } };
  }

  /** Rolls the canary back and waits until its pods are gone from member1. */
  async function rollBack(rollout: Rollout, names: string[]): Promise<void> {
    await fleet.setCanaries(rollout, app, []);
    for (;;) {
      const live = (await member1.listPods(app.namespace, 'app=http-probe-app')).map((p) => p.metadata?.name as string);
      if (!live.some((name) => names.includes(name))) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await exportLivePods();
  }

  const canaryPodNames = (pods: V1Pod[]) => pods.map((p) => p.metadata?.name as string).filter((n) => n.startsWith('http-probe-app-canary'));
  const regexOf = (names: string[]) => names.join('|');

  /** Until Prometheus holds `scrapes` samples of each of these pods since `sinceMs` (or in the last 30 s). */
  const scraped = (names: string[], scrapes: number, sinceMs?: number) =>
    prometheus.until(`${scrapes} scrapes of ${names.join(', ')}`, () => {
      const seconds = sinceMs === undefined ? 30 : Math.max(1, Math.floor((Date.now() - sinceMs) / 1000));
      return `min(count_over_time(http_requests_total{code="200",pod=~"${regexOf(names)}"}[${seconds}s])) and count(count_over_time(http_requests_total{code="200",pod=~"${regexOf(names)}"}[${seconds}s])) == ${names.length}`;
    }, (n) => n >= scrapes);

  async function successRate(rollout: Rollout) {
    const [sample] = await source.measure(rollout, app, 'member1', app.analysis.metrics);
    return sample;
  }

  it('a good version started right after a rolled-back bad one is judged on its own pods only', async () => {
    const bad = await canaryOf('r-bad', 'v2-bad');
    const badPods = canaryPodNames(await exportLivePods());
    expect(badPods.length).toBeGreaterThan(0);
    for (const name of badPods) errorShare.set(name, FAILING);
    await exportLivePods();
    await scraped(badPods, 3);
    expect(await successRate(bad)).toMatchObject({ passed: false });

    // Rolled back, and the good version started at once: well within 30 s of the bad pods' last samples.
    await rollBack(bad, badPods);
    const good = await canaryOf('r-good', 'v2');
    const goodPods = canaryPodNames(await exportLivePods());
    expect(goodPods.some((name) => badPods.includes(name))).toBe(false);
    await scraped(goodPods, 3, good.cluster.member1?.readyAt);
    // The bad pods still have samples in a 30 s window: an analysis by name prefix would see them.
    await prometheus.until('the bad pods within 30 s', `count(count_over_time(http_requests_total{pod=~"${regexOf(badPods)}"}[30s]))`, (n) => n > 0);

    const sample = await successRate(good);
    expect(sample?.error).toBeUndefined();
    expect(sample?.value).toBeCloseTo(100 * (1 - GOOD), 6);
    expect(sample?.passed).toBe(true);

    // Once member1 is promoted, the base's pods running v2 count as the new version; its old ones do not.
    await fleet.setPromoted(good, app, ['member1']);
    const promoted: Rollout = { ...good, cluster: { ...good.cluster, member1: { ...(good.cluster.member1 as Rollout['cluster'][string]), promoted: true } } };
    for (;;) {
      const workloads = await readNewVersionPods(member1, promoted, app, 'member1', mode);
      const base = workloads.find((w) => w.workload === 'http-probe-app');
      const live = (await member1.listPods(app.namespace, 'app=http-probe-app')).filter((p) => !p.metadata?.name?.startsWith('http-probe-app-canary') && !p.metadata?.deletionTimestamp);
      if (base && base.pods.length === 2 && live.length === 2) {
        expect(base.hashes).toHaveLength(1);
        expect(base.pods.map((p) => p.metadata?.name).sort()).toEqual(live.map((p) => p.metadata?.name).sort());
        expect(base.pods.every((p) => p.spec?.containers[0]?.env?.find((e) => e.name === 'ROLLOUT_LABEL')?.value === 'v2')).toBe(true);
        expect(workloads.find((w) => w.workload !== 'http-probe-app')?.pods.map((p) => p.metadata?.name).sort()).toEqual([...goodPods].sort());
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await fleet.setPromoted(good, app, []);
    await fleet.setCanaries(good, app, []);
  });

  it('the same version rolled out again is judged only on samples since its pods were ready', async () => {
    // v2 runs into trouble (a dependency, say) and is rolled back; v2 is then started again.
    const first = await canaryOf('r-first', 'v2');
    const firstPods = canaryPodNames(await exportLivePods());
    for (const name of firstPods) errorShare.set(name, FAILING);
    await exportLivePods();
    await scraped(firstPods, 3);
    await rollBack(first, firstPods);

    const again = await canaryOf('r-again', 'v2');
    const againPods = canaryPodNames(await exportLivePods());
    // Same version, same pod template: the same ReplicaSet hash, new pods.
    const hash = (name: string) => name.split('-').at(-2);
    expect(new Set([...firstPods, ...againPods].map(hash)).size).toBe(1);
    expect(againPods.some((name) => firstPods.includes(name))).toBe(false);
    await scraped(againPods, 3, again.cluster.member1?.readyAt);

    const sample = await successRate(again);
    expect(sample?.error).toBeUndefined();
    expect(sample?.value).toBeCloseTo(100 * (1 - GOOD), 6);
    expect(sample?.passed).toBe(true);
    await fleet.setCanaries(again, app, []);
  });
});
