// Links out of Slack: templates checked in the config with the path of a mistake, filled per
// rollout (end = now while it runs), and shown on the root, each gate and the rollback notice
// within Block Kit's limits (posted through the emulator, which validates as Slack does).
import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateMessage, rolledBackMessage, rootMessage } from '../../bot/blocks/messages.js';
import type { SlackEmulator } from '@rollgate/slack-emulator';
import { validateConfig } from '../../rollout/config.js';
import type { Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { configDocument, testConfig } from '../fixtures/config.js';
import { startValidatingSlack } from '../support/validating-slack.js';

const T0 = Date.UTC(2026, 11, 3, 12);
const GRAFANA = { text: 'Grafana', url: 'https://grafana.local/d/x?var-app={{app}}&var-cluster={{ cluster }}&from={{start}}&to={{end}}' };
const LOGS = { text: 'Logs', url: 'https://logs.local/search?q=version%3D{{version}}%20rollout%3D{{rolloutId}}' };

function problems(links: unknown): string[] {
  const doc = configDocument();
  doc.apps[0].links = links;
  const parsed = validateConfig(doc);
  return parsed.ok ? [] : parsed.problems.map((p) => `${p.path}: ${p.message}`);
}

function rolloutWithLinks(links = [GRAFANA, LOGS]): Rollout {
  const config = testConfig((doc) => (doc.apps[0].links = links));
  return newRollout({ id: 'http-probe-app-1', app: config.apps[0]!, version: 'v2', requester: 'U0DEV', nowMs: T0 });
}

describe('links in the config', () => {
  it('accepts templates with the documented variables', () => {
    expect(problems([GRAFANA, LOGS])).toEqual([]);
  });
  it.each([
    [[GRAFANA, { text: 'Service', url: 'https://svc.local/{{service}}' }], 'apps[0].links[1].url: unknown variable {{service}}; the variables are {{app}}, {{cluster}}, {{version}}, {{rolloutId}}, {{start}}, {{end}}'],
    [[{ text: 'Broken', url: 'https://x.local/{{app}' }], 'apps[0].links[0].url: a {{ without its }}'],
    [[{ text: 'Not a URL', url: 'grafana/d/x' }], 'apps[0].links[0].url: must be an http(s) URL'],
    [Array.from({ length: 6 }, () => GRAFANA), 'apps[0].links: at most 5 links'],
  ])('refuses a bad template, naming its path (%#)', (links, expected) => {
    expect(problems(links).join('\n')).toContain(expected);
  });
});

describe('links in messages', () => {
  let slack: SlackEmulator;
  let client: WebClient;
  beforeAll(async () => {
    ({ slack, client } = await startValidatingSlack());
  });
  afterAll(() => slack.close());
  const posts = async (blocks: unknown[]) => (await client.chat.postMessage({ channel: 'C0ROLLOUTS', text: 'x', blocks: blocks as never })).ok;

  it('the root message links to the whole fleet from the start until now while running', async () => {
    const rollout = rolloutWithLinks();
    const root = rootMessage(rollout, T0 + 300_000);
    const text = JSON.stringify(root.blocks);
    expect(text).toContain(`<https://grafana.local/d/x?var-app=http-probe-app&amp;var-cluster=member1%2Cmember2%2Cmember3&amp;from=${T0}&amp;to=${T0 + 300_000}|Grafana>`);
    expect(text).toContain('<https://logs.local/search?q=version%3Dv2%20rollout%3Dhttp-probe-app-1|Logs>');
    expect(await posts(root.blocks)).toBe(true);
  });

  it('a gate links to its own clusters, open and decided', async () => {
    const rollout = rolloutWithLinks();
    const open: Rollout = { ...rollout, gates: rollout.gates.map((g, i) => (i === 0 ? { ...g, state: 'open', openedAt: T0 } : g)) };
    const where = open.gates[0]!.clusters.join('%2C');
    const gate = gateMessage(open, 1, T0 + 60_000);
    expect(JSON.stringify(gate.blocks)).toContain(`var-cluster=${where}&amp;from=${T0}&amp;to=${T0 + 60_000}|Grafana>`);
    expect(await posts(gate.blocks)).toBe(true);
    const decided: Rollout = { ...open, gates: open.gates.map((g, i) => (i === 0 ? { ...g, state: 'approved', decidedBy: 'U0LEAD', decidedAt: T0 + 90_000 } : g)) };
    expect(JSON.stringify(gateMessage(decided, 1, T0 + 120_000).blocks)).toContain(`var-cluster=${where}&amp;`);
  });

  it('the rollback notice links to the failing clusters, ending when the rollout ended', async () => {
    const rollout = rolloutWithLinks();
    const sample = { metric: 'request-success-rate', value: 80, min: 99, passed: false, dryRun: false };
    const rolled: Rollout = {
      ...rollout,
      phase: 'rolled-back',
      outcome: { kind: 'rolled-back', at: T0 + 600_000, trigger: 'analysis', reason: 'request-success-rate failed in member1', cause: { cluster: 'member1', failing: [sample], failedChecks: 2, alsoFailing: [{ cluster: 'member3', failing: [sample], failedChecks: 1 }] } },
    };
    const notice = rolledBackMessage(rolled);
    expect(JSON.stringify(notice.blocks)).toContain(`var-cluster=member1%2Cmember3&amp;from=${T0}&amp;to=${T0 + 600_000}|Grafana>`);
    expect(await posts(notice.blocks)).toBe(true);
  });

  it('an app without links shows no link line', () => {
    const config = testConfig();
    const rollout = newRollout({ id: 'http-probe-app-1', app: config.apps[0]!, version: 'v2', requester: 'U0DEV', nowMs: T0 });
    expect(JSON.stringify(rootMessage(rollout, T0).blocks)).not.toContain(':link:');
  });
});
