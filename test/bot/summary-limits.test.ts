// Summaries and root messages stay within Block Kit's limits whatever the size of the fleet,
// checked by posting them through the Slack emulator, which validates as Slack does.
import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateMessage, rootMessage, summaryMessage } from '../../bot/blocks/messages.js';
import type { SlackEmulator } from '@rollgate/slack-emulator';
import type { ClusterTick, Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { testConfig } from '../fixtures/config.js';
import { startValidatingSlack } from '../support/validating-slack.js';

let slack: SlackEmulator;
let client: WebClient;
beforeAll(async () => {
  ({ slack, client } = await startValidatingSlack());
});
afterAll(() => slack.close());

function fleetOf(clusters: number, metrics: number): { rollout: Rollout; results: ClusterTick[] } {
  const names = Array.from({ length: clusters }, (_, i) => `cluster-${i + 1}-eu-west-production`);
  const config = testConfig((doc) => {
    doc.fleet.clusters = names.map((name) => ({ name, context: name, prometheus: { url: `http://prom.${name}:9090` } }));
    doc.apps[0].clusters = names;
    doc.apps[0].analysis.metrics = Array.from({ length: metrics }, (_, i) => ({ name: `custom-metric-number-${i}`, query: 'up', min: 0, max: 100, maxIncrease: '10%' }));
  });
  const rollout = newRollout({ id: 'http-probe-app-1', app: config.apps[0]!, version: 'v2', requester: 'U0DEV', nowMs: Date.UTC(2026, 10, 21) });
  for (const name of names) {
    rollout.cluster[name]!.history = Array.from({ length: 30 }, (_, t) => ({ at: t, metrics: Object.fromEntries(Array.from({ length: metrics }, (_, m) => [`custom-metric-number-${m}`, 50 + Math.sin(t + m) * 40])) }));
  }
  const results = names.map((cluster, c) => ({
    cluster,
    podsReady: { ready: 1, total: 1 },
    metrics: Array.from({ length: metrics }, (_, m) => ({
      metric: `custom-metric-number-${m}`,
      value: c === 0 ? null : c % 2 === 0 ? 50 : 123.456,
      min: 0,
      max: 100,
      passed: c !== 0 && c % 2 === 0,
      dryRun: false,
      baseline: 99.5,
      baselineNote: '23.96 (24.1%) above the baseline (allowed +10%)',
      comparison: { p: 0.0012, effect: 0.93, words: 'Mann-Whitney p=0.0012, effect +0.93 (large)' },
      ...(c === 0 ? { error: 'Prometheus unreachable: connect ECONNREFUSED 10.0.0.1:9090 '.repeat(3) } : {}),
    })),
  }));
  return { rollout, results };
}

const failedChecks = (results: ClusterTick[]) => Object.fromEntries(results.map((r) => [r.cluster, 1]));

describe('Block Kit limits', () => {
  it.each([
    [6, 8],
    [60, 8],
    [3, 40],
  ])('a summary of %i clusters x %i metrics posts', async (clusters, metrics) => {
    const { rollout, results } = fleetOf(clusters, metrics);
    const message = summaryMessage(rollout, { tick: 30, stage: 0, results, failedChecks: failedChecks(results) }, Date.now());
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    const answer = await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: message.text, blocks: message.blocks as never });
    expect(answer.ok).toBe(true);
    const text = JSON.stringify(message.blocks);
    expect(text).toContain(`cluster-${clusters}-eu-west-production`);
    if (clusters > 8) expect(text).toContain('29 clusters passed* every metric');
  });

  it('the 6 x 8 summary shows every value, baseline, verdict and trend', () => {
    const { rollout, results } = fleetOf(6, 8);
    const text = JSON.stringify(summaryMessage(rollout, { tick: 30, stage: 0, results, failedChecks: failedChecks(results) }, Date.now()).blocks);
    expect(text.match(/custom-metric-number-7/g)?.length).toBe(6);
    expect(text).toContain('baseline `99.50`');
    expect(text).toContain('Mann-Whitney p=0.0012');
    expect(text).toMatch(/[▁▂▃▄▅▆▇█]{10}/);
    expect(text).toContain('pods ready 1/1');
  });

  it('a summary updated in place while a gate waits posts too, saying how long it is unchanged', async () => {
    const { rollout, results } = fleetOf(60, 8);
    const open = { ...rollout, phase: 'awaiting-approval' as const, gates: rollout.gates.map((g, i) => (i === 0 ? { ...g, state: 'open' as const, openedAt: 10 } : g)) };
    const message = summaryMessage(open, { tick: 30, stage: 0, results, failedChecks: failedChecks(results), repeat: true }, Date.now());
    expect(JSON.stringify(message.blocks)).toContain('19 intervals unchanged while the gate waits');
    expect((await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: message.text, blocks: message.blocks as never })).ok).toBe(true);
  });

  it('sparklines keep their width after a 4-hour gate (240 intervals of history)', async () => {
    const { rollout, results } = fleetOf(6, 8);
    for (const state of Object.values(rollout.cluster)) {
      state.history = Array.from({ length: 240 }, (_, t) => ({ at: t, metrics: Object.fromEntries(Array.from({ length: 8 }, (_, m) => [`custom-metric-number-${m}`, 50 + Math.sin(t + m) * 40])) }));
    }
    const message = summaryMessage(rollout, { tick: 240, stage: 0, results, failedChecks: failedChecks(results) }, Date.now());
    const lines = (JSON.stringify(message.blocks).match(/[▁▂▃▄▅▆▇█ ]*[▁▂▃▄▅▆▇█][▁▂▃▄▅▆▇█ ]*/g) ?? []).map((l) => l.trim());
    expect(lines.length).toBeGreaterThanOrEqual(40);
    expect(Math.max(...lines.map((l) => [...l].length))).toBe(12);
    expect((await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: message.text, blocks: message.blocks as never })).ok).toBe(true);
  });

  it('a gate that mentions 300 approver users and 50 groups posts', async () => {
    const { rollout } = fleetOf(6, 2);
    const many = { ...rollout, settings: { ...rollout.settings, approvers: { users: Array.from({ length: 300 }, (_, i) => `U0APPROVER${i}`), groups: Array.from({ length: 50 }, (_, i) => `S0GROUP${i}`) } } };
    const open = { ...many, gates: many.gates.map((g, i) => (i === 0 ? { ...g, state: 'open' as const, openedAt: 10 } : g)) };
    const message = gateMessage(open, 1, Date.now());
    expect(message.text).toContain('<@U0APPROVER0>');
    expect(message.text).toContain('<@U0APPROVER29>, and 320 more: please approve');
    expect((await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: message.text, blocks: message.blocks as never })).ok).toBe(true);
  });

  it('a root message of 60 clusters posts', async () => {
    const { rollout } = fleetOf(60, 2);
    const message = rootMessage(rollout, Date.now());
    expect((await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: message.text, blocks: message.blocks as never })).ok).toBe(true);
  });
});
