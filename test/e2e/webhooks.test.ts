// Flagger-compatible webhooks end to end: rollgate (a real process) calls the load-tester
// stand-in over HTTP with Flagger's payload; the stand-in fails or holds on the wire.
import { afterEach, expect, it } from 'vitest';
import { createLoadTester, type LoadTester } from '@rollgate/fleet-sim';
import { startStack, waitFor, type Stack } from './stack.js';
import { say } from './conversation.js';

let stack: Stack | undefined;
let tester: LoadTester | undefined;
afterEach(async () => {
  await stack?.stop();
  await tester?.close();
  stack = undefined;
  tester = undefined;
});

const APPROVE = 'rollout_approve';

async function withLoadTester(webhooks: (url: string) => unknown[], fleetMode: 'karmada' | 'direct' = 'karmada'): Promise<{ s: Stack; lt: LoadTester }> {
  tester = createLoadTester();
  const url = await tester.listen(0);
  stack = await startStack({
    fleetMode,
    mutateConfig: (doc) => {
      doc.apps[0].analysis.webhooks = webhooks(url);
    },
  });
  return { s: stack, lt: tester };
}

async function started(s: Stack): Promise<string> {
  await s.command('U0DEV', 'start http-probe-app v2');
  const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')));
  return /Rollout (\S+):/.exec(root.text)?.[1] as string;
}

const gateOpen = (lt: LoadTester, path: string) => fetch(`${lt.url()}${path}`, { method: 'POST', body: JSON.stringify({ name: 'http-probe-app', namespace: 'default' }) });

it.each(['karmada', 'direct'] as const)("%s mode: calls a rollout hook per cluster with Flagger's payload every interval; failing on the wire, it is a failed check that rolls back", async (mode) => {
  const { s, lt } = await withLoadTester((url) => [{ name: 'load-test', url: `${url}/`, timeout: '5s', retries: 1, metadata: { cmd: 'hey -z 1m -q 10 -c 2 http://http-probe-app-canary.default:8080/' } }], mode);
  const id = await started(s);
  const first = await waitFor('the first summary', () => s.thread(id).find((r) => r.text.startsWith('Analysis #1')), 40_000);
  expect(JSON.stringify(first.blocks)).toContain('webhook *load-test* (rollout, member1): HTTP 202');
  const call = lt.calls().find((c) => c.path === '/' && c.payload?.metadata?.cluster === 'member2');
  expect(call?.payload).toEqual({
    name: 'http-probe-app',
    namespace: 'default',
    phase: 'Progressing',
    checksum: expect.stringMatching(/^[0-9a-f]{16}$/),
    metadata: { cluster: 'member2', cmd: 'hey -z 1m -q 10 -c 2 http://http-probe-app-canary.default:8080/' },
  });
  // From now on the load tester answers 500 (twice per call: the retry, too).
  lt.setFault({ path: '/', status: 500, body: 'hey: connection refused' });
  const notice = await waitFor('the automatic rollback', () => s.channel().find((m) => m.text.includes('rolled back automatically')), 40_000);
  expect(notice.text).toMatch(/webhook:load-test failed in member\d: 2 of 2 allowed failed checks/);
  expect(JSON.stringify(notice.blocks)).toMatch(/webhook \*load-test\* \(rollout, member\d\): HTTP 500: hey: connection refused · 2 of 2 attempts · timeout 5 s/);
  const failing = s.thread(id).find((r) => r.text.startsWith('Analysis #') && r.text.includes('failed'));
  expect(JSON.stringify(failing?.blocks)).toContain(':x: webhook *load-test*');
  const canaries = () => ['member1', 'member2', 'member3'].flatMap((m) => s.fleet.state().members[m]!.deployments.filter((d: any) => d.metadata.name.includes('canary')));
  await waitFor('no canary left in any member', () => canaries().length === 0, 20_000);
});

it('a pre-rollout hook that does not answer in time is a failed check, and nothing else is measured that interval', async () => {
  const { s, lt } = await withLoadTester((url) => [{ name: 'acceptance', type: 'pre-rollout', url: `${url}/`, timeout: '300ms', metadata: { type: 'bash', cmd: 'curl -s http://http-probe-app-canary/ | grep ok' } }]);
  lt.setFault({ path: '/', hang: true });
  const id = await started(s);
  const notice = await waitFor('the automatic rollback', () => s.channel().find((m) => m.text.includes('rolled back automatically')), 40_000);
  expect(notice.text).toMatch(/webhook:acceptance failed in member\d/);
  const summary = JSON.stringify(s.thread(id).find((r) => r.text.startsWith('Analysis #1'))?.blocks);
  expect(summary).toContain('webhook *acceptance* (pre-rollout, member1): timed out after 0.3 s');
  expect(summary).not.toContain('request-success-rate');
});

it('confirm-promotion holds the gate: Approve is refused with the hook name until the hook answers 2xx', async () => {
  const { s, lt } = await withLoadTester((url) => [{ name: 'qa-signoff', type: 'confirm-promotion', url: `${url}/gate/check` }]);
  const id = await started(s);
  const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
  await s.click('U0LEAD', gate.ts, APPROVE);
  const refusal = await waitFor('the refusal', () => s.slack.state().ephemerals.find((e) => e.user === 'U0LEAD' && e.text.includes('held by')), 30_000);
  expect(refusal.text).toContain('confirm-promotion webhook "qa-signoff" for member1 (HTTP 403: Forbidden');
  expect(JSON.stringify(s.message(gate.ts)?.blocks)).toContain(APPROVE);
  expect(lt.calls().filter((c) => c.path === '/gate/check').map((c) => c.payload?.metadata?.cluster)).toContain('member1');
  // While the gate waits, each interval's summary says what holds it.
  const waiting = await waitFor('a summary while the gate waits', () => s.thread(id).find((r) => r.ts > gate.ts && r.text.startsWith('Analysis #')), 30_000);
  expect(JSON.stringify(waiting.blocks)).toContain('webhook *qa-signoff* (confirm-promotion, member1): HTTP 403: Forbidden');
  // `/rollout promote` is approving by another door: held the same way, for the clusters it names.
  const promoteRefusal = await say(s, 'U0LEAD', `promote ${id} member2`, 'held by');
  expect(promoteRefusal).toContain('confirm-promotion webhook "qa-signoff" for member2 (HTTP 403: Forbidden');
  expect(promoteRefusal).toContain('Promote again once it answers 2xx');
  expect(lt.calls().filter((c) => c.path === '/gate/check').map((c) => c.payload?.metadata?.cluster)).toContain('member2');
  const audit = await say(s, 'U0LEAD', `audit ${id}`, `Audit of \`${id}\``);
  expect(audit).toContain('refused: held-by-webhook');
  expect(audit).not.toContain('OperationApplied');
  expect((await gateOpen(lt, '/gate/open')).status).toBe(202);
  await s.click('U0LEAD', gate.ts, APPROVE);
  await waitFor('the approval', () => s.message(gate.ts)?.text.includes('approved by'), 30_000);
  await waitFor('member1 promoted', () => s.roots().find((m) => m.text.includes(`Rollout ${id}`) && m.text.includes('member2')), 30_000);
});

it('a rollback hook answering 2xx rolls back, and the channel notice names it; event hooks hear every notice without holding the outbox', async () => {
  const { s, lt } = await withLoadTester((url) => [
    { name: 'manual-rollback', type: 'rollback', url: `${url}/rollback/check` },
    { name: 'audit-sink', type: 'event', url: `${url}/events`, timeout: '30s' },
  ]);
  // The event receiver never answers: notices must flow regardless.
  lt.setFault({ path: '/events', hang: true });
  const id = await started(s);
  await waitFor('the first summary', () => s.thread(id).find((r) => r.text.startsWith('Analysis #1')), 40_000);
  expect(s.channel().some((m) => m.text.includes('rolled back'))).toBe(false);
  await gateOpen(lt, '/rollback/open');
  const notice = await waitFor('the rollback notice', () => s.channel().find((m) => m.text.includes('rolled back automatically')), 40_000);
  expect(notice.text).toMatch(/the rollback webhook "manual-rollback" answered HTTP 200 in member\d/);
  const events = await waitFor('the rolled-back event', () => {
    const all = lt.calls().filter((c) => c.path === '/events');
    return all.some((c) => c.payload?.metadata?.notice === 'rolled-back') && all;
  }, 20_000);
  expect(events.find((c) => c.payload?.metadata?.notice === 'root')?.payload?.metadata).toMatchObject({ eventType: 'Normal', rollout: id, eventMessage: expect.stringContaining(`Rollout ${id}`) });
  expect(events.find((c) => c.payload?.metadata?.notice === 'rolled-back')?.payload).toMatchObject({
    name: 'http-probe-app',
    namespace: 'default',
    phase: 'Failed',
    metadata: { eventType: 'Warning', eventMessage: expect.stringContaining('manual-rollback'), timestamp: expect.stringMatching(/^\d{13}$/) },
  });
  expect(events.some((c) => c.payload?.metadata?.notice === 'summary')).toBe(true);
});

it('confirm-rollout holds the start and says so until it answers 2xx; post-rollout hears the outcome', async () => {
  const { s, lt } = await withLoadTester((url) => [
    { name: 'change-window', type: 'confirm-rollout', url: `${url}/gate/check` },
    { name: 'notify-qa', type: 'post-rollout', url: `${url}/`, metadata: { cmd: 'echo done' } },
  ]);
  const id = await started(s);
  const waiting = await waitFor('the waiting notice', () => s.channel().find((m) => m.text.includes('waits for the confirm-rollout webhook')), 30_000);
  expect(waiting.text).toContain('*change-window* (HTTP 403: Forbidden');
  await waitFor('the root message saying so', () => s.rootOf(id)?.text.includes('Waiting for the confirm-rollout webhook'), 30_000);
  const canaries = () => ['member1', 'member2', 'member3'].flatMap((m) => s.fleet.state().members[m]!.deployments.filter((d: any) => d.metadata.name.includes('canary')));
  expect(canaries()).toEqual([]);
  // Asked again every interval; audited once.
  await waitFor('three confirm-rollout calls', () => lt.calls().filter((c) => c.path === '/gate/check').length >= 3, 30_000);
  const audit = await say(s, 'U0DEV', `audit ${id}`, `Audit of \`${id}\``);
  expect(audit.match(/StartHeldByWebhook/g)).toHaveLength(1);
  expect(audit).toContain('waiting for the confirm-rollout webhook change-window');
  await gateOpen(lt, '/gate/open');
  const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
  await s.command('U0LEAD', `rollback ${id}`);
  const closing = await waitFor('the rollback notice', () => s.channel().find((m) => /was \*rolled back\*/.test(m.text)), 30_000);
  const post = lt.calls().find((c) => c.path === '/' && c.payload?.phase === 'Failed');
  expect(post?.payload).toMatchObject({ name: 'http-probe-app', namespace: 'default', metadata: { cmd: 'echo done' } });
  expect(post?.payload?.metadata?.cluster).toBeUndefined();
  expect(gate).toBeDefined();
  expect(JSON.stringify(closing.blocks)).toContain('webhook *notify-qa* (post-rollout): HTTP 202');
});
