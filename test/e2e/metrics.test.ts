// rollgate's own /metrics, scraped from the real process after real rollouts: conventional
// names (no double prefix), build info, rollouts by outcome, gate decisions, and the HTTP calls
// it made to Slack, Kubernetes and Prometheus by result.
import { afterEach, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** `name{labels} value` lines of the exposition, as a map from `name{labels}` to the value. */
async function scrape(port: number): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

async function started(s: Stack, version: string): Promise<string> {
  await s.command('U0DEV', `start http-probe-app ${version}`);
  const answer = await waitFor('the queued answer', () => s.slack.state().ephemerals.find((e) => e.text.includes(`http-probe-app ${version} is queued`)));
  return /Rollout `([^`]+)`/.exec(answer.text)![1]!;
}

it('counts rollouts by outcome, gate decisions and calls by result, under conventional names', async () => {
  stack = await startStack();
  const s = stack;
  const before = await scrape(s.port);
  expect(before.get('rollgate_rollouts_finished_total{outcome="rolled_back_automatically"}')).toBe(0);

  // A bad version: rolled back automatically by its failing success rate.
  const bad = await started(s, 'v2-bad');
  await waitFor('the automatic rollback', () => s.rootOf(bad)?.text.includes('Rolled back'), 60_000);
  // A good one: member1 approved, then a person rolls back at member2's gate.
  const good = await started(s, 'v2');
  const first = await waitFor('the member1 gate', () => s.openGate(good, 'member1'), 40_000);
  await s.click('U0LEAD', first.ts, 'rollout_approve');
  const second = await waitFor('the member2 gate', () => s.openGate(good, 'member2'), 40_000);
  await s.click('U0LEAD', second.ts, 'rollout_rollback');
  await waitFor('the rollback by a person', () => s.rootOf(good)?.text.includes('Rolled back'), 40_000);

  const after = await scrape(s.port);
  const names = [...after.keys()].map((key) => key.replace(/\{.*$/, ''));
  expect(names.filter((name) => name.includes('process_process') || name.startsWith('rollgate_process_'))).toEqual([]);
  expect(after.get('process_cpu_seconds_total')).toBeGreaterThan(0);
  expect([...after.keys()].find((key) => key.startsWith('rollgate_build_info{version="0.1.0",nodejs_version="v'))).toBeDefined();
  expect(Object.fromEntries(['succeeded', 'rolled_back_automatically', 'rolled_back_by_person', 'aborted', 'failed'].map((o) => [o, after.get(`rollgate_rollouts_finished_total{outcome="${o}"}`)]))).toEqual({
    succeeded: 0,
    rolled_back_automatically: 1,
    rolled_back_by_person: 1,
    aborted: 0,
    failed: 0,
  });
  expect(after.get('rollgate_gate_decisions_total{decision="approved"}')).toBe(1);
  expect(after.get('rollgate_gate_decisions_total{decision="rolled_back"}')).toBe(1);
  for (const target of ['slack', 'kubernetes', 'prometheus']) {
    expect(after.get(`rollgate_calls_total{target="${target}",result="ok"}`), target).toBeGreaterThan(0);
  }
  // The simulated Kubernetes answers 404 to reads of objects that do not exist yet (create-or-replace reads first).
  expect(after.get('rollgate_calls_total{target="kubernetes",result="client_error"}')).toBeGreaterThan(0);
  expect(after.get('rollgate_calls_total{target="slack",result="network_error"}')).toBe(0);
  expect(after.get('rollgate_step_duration_seconds_count{step="deploy-canary"}')).toBeGreaterThan(0);
  expect(after.get('rollgate_rollouts_active{phase="analysing"}') ?? 0).toBe(0);
});
