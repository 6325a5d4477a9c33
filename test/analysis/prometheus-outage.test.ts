// A Prometheus outage (refused, 5xx, timed out, no such host) holds the analysis and says so;
// it never judges the canary. "No data" from a Prometheus that answers stays a failed check.
// Real HTTP throughout: the simulated fleet's Prometheus API with its faults, a closed port.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heldMessage, resumedMessage } from '../../bot/blocks/messages.js';
import { performStep } from '../../jobs/perform-step.js';
import { freePort } from '@rollgate/demo';
import { createFleetSimulator, type FleetSimulator } from '@rollgate/fleet-sim';
import type { AppConfig } from '../../rollout/config.js';
import type { Effect, RolloutEvent } from '../../rollout/events.js';
import { connectCluster } from '../../rollout/kube/cluster-api.js';
import { createKarmadaFleet } from '../../rollout/kube/karmada-fleet.js';
import type { Fleet } from '../../rollout/kube/fleet.js';
import { transition } from '../../rollout/machine.js';
import { createPrometheusSource } from '../../rollout/metrics/prometheus.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';

const ANSWERS = { name: 'answers', min: 1, query: '1' };
const NOTHING = { name: 'nothing', min: 1, query: 'sum(no_such_metric{namespace="{{namespace}}"})' };

let sim: FleetSimulator;
let fleet: Fleet;

beforeAll(async () => {
  sim = createFleetSimulator({ readyDelayMs: 50, rolloutStepMs: 20 });
  await sim.listen(0);
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromString(sim.kubeconfig());
  fleet = createKarmadaFleet({ karmada: connectCluster({ kubeconfig, context: 'karmada-apiserver', cluster: 'karmada' }) });
});
afterAll(async () => sim?.close());

function setup(metrics: Record<string, unknown>[], member1Url?: string) {
  const config = testConfig((doc) => {
    for (const cluster of doc.fleet.clusters) cluster.prometheus = { url: cluster.name === 'member1' && member1Url ? member1Url : sim.prometheusUrl(cluster.name), timeout: '5s' };
    doc.apps[0].strategy = 'canary-first';
    doc.apps[0].analysis.metrics = metrics;
  });
  const app = config.apps[0] as AppConfig;
  const metricsSource = createPrometheusSource({ clusters: config.fleet.clusters, ca: sim.caCertificate() });
  const rollout = newRollout({ id: 'r-outage', app, version: 'v2', requester: 'U0DEV', nowMs: 0 });
  const analysing: Rollout = { ...rollout, phase: 'analysing', cluster: { ...rollout.cluster, member1: { ...(rollout.cluster.member1 as Rollout['cluster'][string]), canary: 'deployed' } } };
  const tick = async (r: Rollout) => performStep('tick', r, app, { fleet, metrics: metricsSource });
  return { app, analysing, tick };
}

function apply(rollout: Rollout, event: RolloutEvent, nowMs: number): { rollout: Rollout; effects: Effect[] } {
  const result = transition(rollout, event, nowMs);
  if (!result.ok) throw new Error(JSON.stringify(result.refusal));
  return result;
}

const notices = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'notify' ? [e.notice] : []));

describe('a Prometheus outage holds the analysis instead of judging the canary', () => {
  it.each([
    ['answers HTTP 503', () => sim.setFault({ type: 'prometheus', cluster: 'member1', mode: 'error' }), /Prometheus error: injected fault/],
    ['times out', () => sim.setFault({ type: 'prometheus', cluster: 'member1', mode: 'timeout', timeoutMs: 120_000 }), /timed out after 5000 ms/],
  ])('Prometheus %s: held with a notice, no failed check, and it resumes by itself when Prometheus answers', async (_name, fault, reason) => {
    const { analysing, tick } = setup([ANSWERS]);
    const record = fault();
    let event: RolloutEvent;
    try {
      event = await tick(analysing);
    } finally {
      sim.clearFaults(record.id);
    }
    expect(event).toMatchObject({ type: 'StepHeld', step: 'tick', problem: { said: 'cannot-measure', down: [{ cluster: 'member1', metric: 'answers', error: expect.stringMatching(reason) }] } });
    const held = apply(analysing, event, 1_000);
    expect(held.rollout.held).toMatchObject({ step: 'tick', since: 1_000 });
    expect(held.rollout.cluster.member1?.failedChecks).toBe(0);
    expect(held.rollout.tick).toBe(0);
    expect(held.rollout.ticksInStage).toBe(0);
    expect(held.effects).toContainEqual({ type: 'step', step: 'tick', at: 1_000 + analysing.settings.retryMs });
    const notice = notices(held.effects).find((n) => n.kind === 'held');
    expect(notice).toMatchObject({ kind: 'held', step: 'tick' });
    const text = heldMessage(held.rollout, notice as { reason: string }, 'tick').text;
    expect(text).toMatch(/is \*held\*: analysis cannot measure \(member1 answers: .*\); this interval is neither passed nor failed/);
    expect(text).toContain('the analysis resumes by itself when it answers');

    // Prometheus answers again: the interval counts, and the channel hears that analysis resumed.
    const answered = await tick(held.rollout);
    expect(answered).toMatchObject({ type: 'AnalysisTicked' });
    const resumed = apply(held.rollout, answered, 11_000);
    expect(resumed.rollout.held).toBeUndefined();
    expect(resumed.rollout.ticksInStage).toBe(1);
    expect(resumed.rollout.cluster.member1?.failedChecks).toBe(0);
    expect(notices(resumed.effects)).toContainEqual({ kind: 'resumed', step: 'tick' });
    expect(resumedMessage(resumed.rollout, 'tick').text).toContain('the analysis of rollout `r-outage` resumes');
  });

  it('a Prometheus that refuses connections or whose host does not resolve holds too', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    for (const url of [closed, 'http://prometheus.invalid:9090']) {
      const { analysing, tick } = setup([ANSWERS], url);
      const event = await tick(analysing);
      expect(event, url).toMatchObject({ type: 'StepHeld', step: 'tick', problem: { said: 'cannot-measure', down: [{ cluster: 'member1', metric: 'answers', error: expect.stringContaining('Prometheus unreachable') }] } });
    }
  });

  it('a live Prometheus answering "no data" is still a failed check, not a hold', async () => {
    const { analysing, tick } = setup([NOTHING]);
    const event = await tick(analysing);
    expect(event.type).toBe('AnalysisTicked');
    const judged = apply(analysing, event, 1_000);
    expect(judged.rollout.held).toBeUndefined();
    expect(judged.rollout.cluster.member1).toMatchObject({ failedChecks: 1, lastVerdict: 'failed' });
  });

  it('an outage of a dry-run metric alone neither holds nor fails', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { analysing, tick: tickDown } = setup([{ ...ANSWERS, name: 'shown-only', dryRun: true }], closed);
    const event = await tickDown(analysing);
    expect(event.type).toBe('AnalysisTicked');
    expect(apply(analysing, event, 1_000).rollout.cluster.member1?.failedChecks).toBe(0);
  });
});
