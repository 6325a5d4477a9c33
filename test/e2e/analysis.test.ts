// Analysis end to end: pod signals read from the clusters, a canary judged against its
// baseline, and dry-run metrics that never decide.
import { afterEach, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

it('rolls back on canary pods that restart (OOM-killed), read from pod status without Prometheus', async () => {
  stack = await startStack({
    mutateConfig: (doc) => {
      doc.apps[0].analysis.metrics = [
        { name: 'request-success-rate', min: 99 },
        { name: 'pod-restarts', max: 0 },
        { name: 'oom-kills', max: 0 },
        { name: 'pods-not-ready', max: 0 },
      ];
    },
  });
  const s = stack;
  s.fleet.setFault({ type: 'restarts', pods: 'http-probe-app-canary-.*', oomKilled: true });
  await s.command('U0DEV', 'start http-probe-app v2');
  const message = await waitFor('the automatic rollback', () => s.channel().find((m) => m.text.includes('rolled back automatically')), 40_000);
  expect(message.text).toMatch(/pod-restarts, oom-kills failed in member\d/);
  const root = s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-'))!;
  const summary = JSON.stringify(s.message(root.ts)?.replies.find((r) => r.text.startsWith('Analysis #1'))?.blocks);
  expect(summary).toMatch(/:x: pod-restarts `[1-9]\d*` \(max 0\)/);
  expect(summary).toMatch(/:white_check_mark: pods-not-ready `0` \(max 0\)/);
  expect(summary).toContain('pods ready 1/1');
});

it('judges a canary against its baseline: a slow version fails maxIncrease, a dry-run metric is shown but never decides', async () => {
  stack = await startStack({
    mutateConfig: (doc) => {
      doc.apps[0].analysis.metrics = [
        { name: 'request-duration', maxIncrease: '10%' },
        { name: 'request-success-rate', min: 99.99, dryRun: true },
      ];
    },
  });
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2-slow');
  const message = await waitFor('the automatic rollback', () => s.channel().find((m) => m.text.includes('rolled back automatically')), 40_000);
  expect(message.text).toContain('request-duration failed');
  expect(message.text).not.toContain('request-success-rate');
  const root = s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-'))!;
  const summary = JSON.stringify(s.message(root.ts)?.replies.find((r) => r.text.startsWith('Analysis #1'))?.blocks);
  expect(summary).toMatch(/request-duration `\d+ ms` · baseline `1\d\d ms` \(\d+\.\d+ \(\d+\.\d%\) above the baseline \(allowed \+10%\)\)/);
  expect(summary).toContain('_dry run_');
});

it('keeps analysing while a gate waits: Prometheus answering "no data" then rolls back, and the gate closes', async () => {
  stack = await startStack();
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')));
  const id = /Rollout (\S+):/.exec(root.text)?.[1] as string;
  const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
  // A live Prometheus with no series for the canary: a failed check (an outage would hold instead).
  s.fleet.setFault({ type: 'prometheus', cluster: 'member2', mode: 'empty' });
  const message = await waitFor('the automatic rollback', () => s.channel().find((m) => m.text.includes('rolled back automatically')), 40_000);
  expect(message.text).toContain('failed in member2');
  expect(JSON.stringify(message.blocks)).toContain('no data');
  await waitFor('the gate closed', () => s.message(gate.ts)?.text.includes('Gate closed'));
  expect(JSON.stringify(s.message(gate.ts)?.blocks)).not.toContain('rollout_approve');
});

it('holds while Prometheus is down, says so in the channel, and resumes by itself: no rollback', async () => {
  stack = await startStack();
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')));
  const id = /Rollout (\S+):/.exec(root.text)?.[1] as string;
  await waitFor('the first analysis', () => s.thread(id).find((m) => m.text.startsWith('Analysis #1')), 40_000);
  const fault = s.fleet.setFault({ type: 'prometheus', cluster: 'member2', mode: 'error' });
  const held = await waitFor('the held notice', () => s.channel().find((m) => m.text.includes('is *held*')), 40_000);
  expect(held.text).toMatch(/analysis cannot measure \(member2 request-success-rate: Prometheus error: .*\); this interval is neither passed nor failed/);
  s.fleet.clearFaults(fault.id);
  await waitFor('the resumed notice', () => s.thread(id).find((m) => m.text.includes('the analysis of rollout')), 40_000);
  await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
  expect(s.channel().some((m) => m.text.includes('rolled back automatically'))).toBe(false);
  // The intervals while Prometheus was down were neither passed nor failed: no summary shows a failed check.
  expect(s.thread(id).filter((m) => m.text.startsWith('Analysis #')).every((m) => !JSON.stringify(m.blocks).includes(':x:'))).toBe(true);
}, 180_000);
