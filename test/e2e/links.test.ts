// Links out of Slack, end to end: an app's link templates filled in on the root message, the
// gate and the rollback notice that the emulator received.
import { afterEach, expect, it } from 'vitest';
import { startStack, waitFor, type Stack } from './stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const grafana = (blocks: unknown) => /<https:\/\/grafana\.local\/d\/x\?var-app=http-probe-app&amp;var-cluster=([^&]+)&amp;from=(\d+)&amp;to=(\d+)\|Grafana>/.exec(JSON.stringify(blocks));

it('shows the configured links on the root message, the gate and the rollback notice', async () => {
  stack = await startStack({
    mutateConfig: (doc) => {
      doc.apps[0].analysis.iterations = 1;
      doc.apps[0].links = [{ text: 'Grafana', url: 'https://grafana.local/d/x?var-app={{app}}&var-cluster={{cluster}}&from={{start}}&to={{end}}' }];
    },
  });
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')));
  const id = /Rollout (\S+):/.exec(root.text)?.[1] as string;
  const gate = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 40_000);
  const atGate = grafana(gate.blocks);
  expect(atGate?.[1]).toBe('member1');
  const rootLink = grafana(s.rootOf(id)?.blocks);
  expect(rootLink?.[1]).toBe('member1%2Cmember2%2Cmember3');
  expect(Number(rootLink?.[3])).toBeGreaterThanOrEqual(Number(rootLink?.[2]));

  await s.click('U0LEAD', gate.ts, 'rollout_rollback');
  const notice = await waitFor('the rollback notice', () => s.channel().find((m) => m.reply_broadcast && m.text.includes('was *rolled back*')), 30_000);
  const atEnd = grafana(notice.blocks);
  expect(atEnd?.[2]).toBe(rootLink?.[2]); // the same start everywhere
  expect(Number(atEnd?.[3])).toBeGreaterThanOrEqual(Number(atGate?.[3]));
  // The decided gate keeps its link.
  await waitFor('the gate decided', () => s.message(gate.ts)?.text.includes('Rolled back by'));
  expect(grafana(s.message(gate.ts)?.blocks)?.[1]).toBe('member1');
});
