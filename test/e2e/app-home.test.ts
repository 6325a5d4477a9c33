// The App Home tab end to end: the emulator sends app_home_opened (a signed JSON Events API
// request), rollgate answers with views.publish: the gates waiting for that person, with
// working buttons (block_actions from a view: no message, no response_url), and the active
// rollouts. approvals.notify: dm sends each approver a direct message when a gate opens.
import { afterEach, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

it('publishes the Home tab with the active rollouts when a person opens it', async () => {
  stack = await startStack();
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')));
  const id = /Rollout (\S+):/.exec(root.text)![1]!;
  const reply = await s.slack.homeOpened({ user: 'U0LEAD' });
  expect(reply.status).toBe(200);
  const view = await waitFor('the published Home view', () => s.slack.state().views.U0LEAD as { type: string; blocks: unknown[] } | undefined);
  expect(view.type).toBe('home');
  expect(JSON.stringify(view.blocks)).toContain(id);
  expect(s.slack.state().views.U0DEV).toBeUndefined(); // published for the person who opened it
});

type HomeView = { type: string; blocks: { type: string; block_id?: string; text?: { text: string }; elements?: { action_id?: string; value?: string }[] }[] };
const homeOf = (s: Stack, user: string) => s.slack.state().views[user] as HomeView | undefined;
const homeText = (s: Stack, user: string) => JSON.stringify(homeOf(s, user)?.blocks ?? []);

it('lists the gates waiting for each person with working buttons, and DMs the approvers when a gate opens', async () => {
  stack = await startStack({ mutateConfig: (doc) => Object.assign(doc.apps[0].approvals, { notify: 'dm' }) });
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const queued = await waitFor('the queued answer', () => s.slack.state().ephemerals.find((e) => e.user === 'U0DEV' && e.text.includes('is queued')));
  const id = /Rollout `([^`]+)`/.exec(queued.text)![1]!;
  const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);

  // approvals.notify: dm — the approvers (U0LEAD, and @sre: U0SRE, U0LEAD), not the requester, once each.
  const dms = await waitFor('two DMs', () => {
    const found = s.slack.state().messages.filter((m) => m.channel.startsWith('D') && m.text.includes(id));
    return found.length >= 2 && found;
  });
  expect(dms.map((m) => m.channel).sort()).toEqual(['D0LEAD', 'D0SRE']);
  expect(s.slack.state().ims.map((im) => im.user).sort()).toEqual(['U0LEAD', 'U0SRE']);
  const permalink = `${s.slack.url}/archives/C0ROLLOUTS/p${gate.ts.replace('.', '')}`;
  for (const dm of dms) {
    expect(JSON.stringify(dm.blocks)).toContain(permalink);
    expect(JSON.stringify(dm.blocks)).not.toContain('"actions"');
  }

  // The Home tab: the gate for an approver, nothing for the requester or a non-approver.
  await s.slack.homeOpened({ user: 'U0LEAD' });
  await waitFor('the lead sees the gate', () => homeText(s, 'U0LEAD').includes('Gates waiting for you (1)'));
  expect(homeText(s, 'U0LEAD')).toContain(`"value":"{\\"r\\":\\"${id}\\",\\"s\\":1}"`);
  await s.slack.homeOpened({ user: 'U0DEV' });
  await s.slack.homeOpened({ user: 'U0GUEST' });
  await waitFor('the others see none', () => homeText(s, 'U0DEV').includes('Gates waiting for you (0)') && homeText(s, 'U0GUEST').includes('Gates waiting for you (0)'));
  expect(homeText(s, 'U0GUEST')).toContain(id); // the rollout itself is listed for everyone

  // A double click on Home approves once; the second is refused in the lead's DMs.
  const [first, second] = await Promise.all([
    s.slack.clickView({ user: 'U0LEAD', action_id: 'rollout_approve' }),
    s.slack.clickView({ user: 'U0LEAD', action_id: 'rollout_approve' }),
  ]);
  expect(first.status).toBe(200);
  expect(second.status).toBe(200);
  await waitFor('the gate message approved', () => s.message(gate.ts)?.text.includes('approved by <@U0LEAD>'));
  await waitFor('the refusal in DMs', () => s.slack.state().messages.find((m) => m.channel === 'D0LEAD' && m.text.includes('already approved')));
  await waitFor('Home says it is being applied', () => homeText(s, 'U0LEAD').includes('is being applied'));
  await s.command('U0LEAD', `audit ${id}`);
  const audit = await waitFor('the audit', () => s.slack.state().ephemerals.find((e) => e.user === 'U0LEAD' && e.text.startsWith('*Audit')));
  expect(audit.text.match(/GateApproved/g)).toHaveLength(1);
  expect(audit.text).toMatch(/approve → refused: gate-decided/);
  // Exactly one DM per approver for this gate (the gate was posted once).
  expect(s.slack.state().messages.filter((m) => m.channel === 'D0SRE' && m.text.includes('A gate is waiting'))).toHaveLength(1);

  // Reopened later, Home shows the next gate.
  await s.slack.homeOpened({ user: 'U0LEAD' });
  await waitFor('the next gate on Home', () => homeText(s, 'U0LEAD').includes('member2'), 60_000);
});
