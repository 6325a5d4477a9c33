// Reasons for decisions (approvals.reasons), end to end through the emulator: a Rollback click
// opens a modal (views.open with the click's trigger_id) instead of deciding; an empty required
// reason is refused in the modal; the submitted reason shows in the gate message, the rollback
// notice and /rollout audit; a modal submitted after the gate was decided changes nothing and says so.
import { afterEach, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const modalOf = (s: Stack, user: string) => s.slack.state().modals[user] as { title: { text: string }; blocks: unknown[]; private_metadata: string } | undefined;

it('asks why before a rollback, refuses an empty reason, and a stale approval changes nothing', async () => {
  stack = await startStack({ mutateConfig: (doc) => Object.assign(doc.apps[0].approvals, { reasons: { rollback: 'required', approve: 'optional' } }) });
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const queued = await waitFor('the queued answer', () => s.slack.state().ephemerals.find((e) => e.user === 'U0DEV' && e.text.includes('is queued')));
  const id = /Rollout `([^`]+)`/.exec(queued.text)![1]!;
  const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
  // The Rollback button asks in its modal, so it has no confirm dialog of its own.
  const buttons = JSON.stringify(gate.blocks);
  expect(buttons).toContain('Rollback…');
  expect(buttons).not.toContain('"confirm"');

  // The approver opens the approve modal (optional reason) and leaves it open.
  await s.click('U0SRE', gate.ts, 'rollout_approve');
  await waitFor('the approve modal', () => modalOf(s, 'U0SRE')?.title.text === 'Approve?');

  // The lead clicks Rollback: a modal, and nothing decided yet.
  const click = await s.click('U0LEAD', gate.ts, 'rollout_rollback');
  expect(click.status).toBe(200);
  const modal = await waitFor('the rollback modal', () => modalOf(s, 'U0LEAD'));
  expect(modal.title.text).toBe('Roll back?');
  expect(JSON.stringify(modal.blocks)).toContain(id);
  expect(s.message(gate.ts)?.text.startsWith('Gate:')).toBe(true);
  expect(s.slack.calls('views.open').at(-1)?.args.trigger_id).toBe(click.triggerId);

  // Empty: Slack's own client refuses a required input; blank: rollgate refuses it in the modal.
  expect(await s.slack.submitView({ user: 'U0LEAD', values: {} })).toMatchObject({ outcome: 'not-sent' });
  const blank = await s.slack.submitView({ user: 'U0LEAD', values: { reason: '   ' } });
  expect(blank).toMatchObject({ outcome: 'errors', errors: { reason: expect.stringContaining('Say why you roll back') } });
  expect(modalOf(s, 'U0LEAD')).toBeDefined();
  expect(s.slack.state().modalErrors.U0LEAD?.reason).toContain('Say why');

  const sent = await s.slack.submitView({ user: 'U0LEAD', values: { reason: 'error rate <!channel> up in member1' } });
  expect(sent).toMatchObject({ outcome: 'closed' });
  const notice = await waitFor('the rollback notice', () => s.thread(id).find((m) => m.text.includes('was *rolled back*') || m.text.includes('was rolled back')));
  // Escaped: the reason mentions no one.
  expect(notice.text).toContain('“error rate &lt;!channel&gt; up in member1”');
  await waitFor('the gate shows who and why', () => s.message(gate.ts)?.text.includes('Rolled back by <@U0LEAD>') && JSON.stringify(s.message(gate.ts)?.blocks).includes('error rate &lt;!channel&gt; up in member1'));

  // The approver submits the modal still open: nothing changes, and the modal says why.
  const stale = await s.slack.submitView({ user: 'U0SRE', values: { reason: 'looks fine' } });
  expect(stale.outcome).toBe('updated');
  const updated = modalOf(s, 'U0SRE')!;
  expect(updated.title.text).toBe('Nothing changed');
  expect(JSON.stringify(updated.blocks)).toMatch(/already (rolled back|closed)/);
  await waitFor('rolled back', () => s.rootOf(id)?.text.includes('rolled back') || s.rootOf(id)?.text.includes('Rolled back'));

  await s.command('U0LEAD', `audit ${id}`);
  const audit = await waitFor('the audit', () => s.slack.state().ephemerals.find((e) => e.user === 'U0LEAD' && e.text.startsWith('*Audit')));
  expect(audit.text).toContain('RollbackRequested');
  expect(audit.text).toContain('reason: “error rate &lt;!channel&gt; up in member1”');
  expect(audit.text).toMatch(/<@U0SRE> approve → refused: (gate-decided|rollout-finished)/);
  expect(audit.text).not.toMatch(/GateApproved/);
});

it('an approval with a reason: the modal submission approves once, and the reason is in the gate and the audit', async () => {
  stack = await startStack({ mutateConfig: (doc) => Object.assign(doc.apps[0].approvals, { reasons: { rollback: 'off', approve: 'optional' } }) });
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const queued = await waitFor('the queued answer', () => s.slack.state().ephemerals.find((e) => e.user === 'U0DEV' && e.text.includes('is queued')));
  const id = /Rollout `([^`]+)`/.exec(queued.text)![1]!;
  const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
  // Rollback asks nothing here: the confirm dialog of the fast path stays.
  expect(JSON.stringify(gate.blocks)).toContain('"confirm"');
  await s.click('U0LEAD', gate.ts, 'rollout_approve');
  await waitFor('the approve modal', () => modalOf(s, 'U0LEAD'));
  expect(await s.slack.submitView({ user: 'U0LEAD', values: { reason: 'dashboards look good' } })).toMatchObject({ outcome: 'closed' });
  await waitFor('approved with its reason', () => s.message(gate.ts)?.text.includes('approved by <@U0LEAD>') && JSON.stringify(s.message(gate.ts)?.blocks).includes('“dashboards look good”'));
  await s.command('U0LEAD', `audit ${id}`);
  const audit = await waitFor('the audit', () => s.slack.state().ephemerals.find((e) => e.user === 'U0LEAD' && e.text.startsWith('*Audit')));
  expect(audit.text.match(/GateApproved/g)).toHaveLength(1);
  expect(audit.text).toContain('reason: “dashboards look good”');
});

it('over Socket Mode too: the modal opens, and the answer to its submission travels in the acknowledgment', async () => {
  stack = await startStack({ socketMode: true, mutateConfig: (doc) => Object.assign(doc.apps[0].approvals, { reasons: { rollback: 'required', approve: 'off' } }) });
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const queued = await waitFor('the queued answer', () => s.slack.state().ephemerals.find((e) => e.user === 'U0DEV' && e.text.includes('is queued')));
  const id = /Rollout `([^`]+)`/.exec(queued.text)![1]!;
  const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
  expect((await s.click('U0LEAD', gate.ts, 'rollout_rollback')).via).toBe('socket');
  await waitFor('the rollback modal', () => modalOf(s, 'U0LEAD'));
  const blank = await s.slack.submitView({ user: 'U0LEAD', values: { reason: ' ' } });
  expect(blank).toMatchObject({ via: 'socket', outcome: 'errors' });
  expect(await s.slack.submitView({ user: 'U0LEAD', values: { reason: 'canary pods crash-looping' } })).toMatchObject({ via: 'socket', outcome: 'closed' });
  await waitFor('rolled back with the reason', () => s.message(gate.ts)?.text.includes('Rolled back by <@U0LEAD>') && JSON.stringify(s.message(gate.ts)?.blocks).includes('canary pods crash-looping'));
});
