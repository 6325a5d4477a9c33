// Webhooks in the pure domain: config, what each hook's answer does to a rollout, and the
// caller's retry policy (with an injected POST and sleep: no network, no waiting).
import { describe, expect, it } from 'vitest';
import type { Effect, RolloutEvent } from '../../rollout/events.js';
import { transition } from '../../rollout/machine.js';
import type { ClusterTick, Rollout } from '../../rollout/model.js';
import { newRollout } from '../../rollout/plan.js';
import { validateConfig } from '../../rollout/config.js';
import type { HookCall } from '../../rollout/webhooks/hook-call.js';
import { appHooks } from '../../rollout/webhooks/hook-config.js';
import { hookSample, trafficIncreaseConfirmed } from '../../rollout/webhooks/hook-verdicts.js';
import { createWebhookCaller, type PostAnswer } from '../../rollout/webhooks/http-caller.js';
import { configDocument, testConfig } from '../fixtures/config.js';
import { refusalWords } from '../../bot/blocks/refusal-words.js';
import { noteWords } from '../../bot/blocks/note-words.js';
import { applied } from '../support/applied.js';

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
const MIN = 60_000;
const lead = { user: 'U0LEAD', isApprover: true };

function start(overrides: { autoPromote?: boolean } = {}): Rollout {
  const app = testConfig().apps[0]!;
  return newRollout({ id: 'http-probe-app-1', app, version: 'v2', requester: 'U0DEV', nowMs: T0, ...overrides });
}

const apply = (rollout: Rollout, event: RolloutEvent, now = T0) => applied(rollout, event, now);

const call = (type: HookCall['type'], status: number | undefined, cluster?: string, name = `${type}-hook`): HookCall => ({
  name,
  type,
  ...(cluster ? { cluster } : {}),
  ...(status !== undefined ? { status } : { reason: 'timed out after 60 s' }),
  ok: status !== undefined && status >= 200 && status <= 202,
  attempts: 1,
  retries: 0,
  timeoutMs: 60_000,
});

const metrics = [{ metric: 'request-success-rate', value: 99.9, min: 99, passed: true, dryRun: false }];
const tick = (cluster: string, ...hooks: HookCall[]): ClusterTick => ({ cluster, metrics: [...hooks.map(hookSample), ...metrics] });

function analysing(overrides: { autoPromote?: boolean } = {}): Rollout {
  let r = apply(start(overrides), { type: 'RolloutStarted', fromVersion: 'v1' }).rollout;
  r = apply(r, { type: 'CanaryDeployed' }).rollout;
  return apply(r, { type: 'ReadinessChecked', ready: true }).rollout;
}

const steps = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'step' ? [`${e.step}@${e.at - T0}`] : []));
const notices = (effects: Effect[]) => effects.flatMap((e) => (e.type === 'notify' ? [e.notice.kind] : []));

describe('config', () => {
  const withHooks = (webhooks: unknown) => {
    const doc = configDocument();
    doc.apps[0].analysis.webhooks = webhooks;
    return validateConfig(doc);
  };

  it("takes Flagger's hooks with Flagger's defaults: no type is a rollout hook, 10 s timeout, no retries", () => {
    const parsed = withHooks([{ name: 'load-test', url: 'http://loadtester.test/', metadata: { cmd: 'hey -z 1m http://checkout-canary.test:8080/' } }]);
    expect(parsed.ok && parsed.config.apps[0]!.analysis.webhooks).toEqual([
      { name: 'load-test', type: 'rollout', url: 'http://loadtester.test/', timeout: 10_000, retries: 0, muteAlert: false, disableTLS: false, metadata: { cmd: 'hey -z 1m http://checkout-canary.test:8080/' } },
    ]);
  });

  it("turns Kurator's {command, timeoutSeconds} into one rollout hook per command aimed at the app's test loader", () => {
    const parsed = withHooks({ command: ['hey -z 1m -q 10 -c 2 http://backend-canary.webapp:9898/'], timeoutSeconds: 60 });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(appHooks(parsed.config.apps[0]!)).toEqual([
      expect.objectContaining({ name: 'generated-testload-0', type: 'rollout', url: 'http://http-probe-app-testloader.default/', timeout: 60_000, metadata: { type: 'cmd', cmd: 'hey -z 1m -q 10 -c 2 http://backend-canary.webapp:9898/' } }),
    ]);
  });

  it.each([
    [[{ name: 'x', type: 'pre-deploy', url: 'http://a/' }], 'apps[0].analysis.webhooks', 'type is one of confirm-rollout'],
    [[{ name: 'x', url: 'http://a/{{pod}}' }], 'apps[0].analysis.webhooks', 'unknown variable {{pod}}'],
    [[{ name: 'x', url: 'ftp://a/' }], 'apps[0].analysis.webhooks', 'http:// or https://'],
    [[{ name: 'x', url: 'http://a/', timeout: 'soon' }], 'apps[0].analysis.webhooks', '"soon" is not a timeout'],
    [[{ name: 'x', url: 'http://a/' }, { name: 'x', url: 'http://b/' }], 'apps[0].analysis.webhooks[1].name', 'named twice'],
    [{ command: [] }, 'apps[0].analysis.webhooks.command', 'at least one command'],
    ['hey -z 1m', 'apps[0].analysis.webhooks', 'Flagger hooks'],
  ])('refuses %j with its path', (webhooks, path, message) => {
    const parsed = withHooks(webhooks);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.find((p) => p.path.startsWith(path) && p.message.includes(message)), JSON.stringify(parsed.problems)).toBeDefined();
  });
});

describe('rollout and pre-rollout hooks are checks', () => {
  it('a failing rollout hook is a failed check of its cluster and does not advance the stage', () => {
    const r = analysing();
    const out = apply(r, { type: 'AnalysisTicked', results: [tick('member1', call('rollout', 500, 'member1')), tick('member2'), tick('member3')] }, T0 + MIN);
    expect(out.rollout.cluster.member1).toMatchObject({ failedChecks: 1, lastVerdict: 'failed' });
    expect(out.rollout.cluster.member2).toMatchObject({ failedChecks: 0, lastVerdict: 'passed' });
    expect(out.rollout.ticksInStage).toBe(0);
  });

  it('a rollout hook that times out twice reaches failureLimit 2 and rolls back, naming the hook', () => {
    let r = analysing();
    const failing = () => [tick('member1', call('rollout', undefined, 'member1', 'load-test')), tick('member2'), tick('member3')];
    r = apply(r, { type: 'AnalysisTicked', results: failing() }, T0 + MIN).rollout;
    const out = apply(r, { type: 'AnalysisTicked', results: failing() }, T0 + 2 * MIN);
    expect(out.rollout.phase).toBe('rolling-back');
    expect(out.rollout.pendingOutcome).toMatchObject({ trigger: 'analysis', reason: 'webhook:load-test failed in member1: 2 of 2 allowed failed checks' });
    expect(out.rollout.pendingOutcome?.cause?.failing[0]?.hook).toMatchObject({ name: 'load-test', reason: 'timed out after 60 s' });
  });

  it('a hook failure counts as a failed check even with consecutiveErrorLimit (it is not a measurement error)', () => {
    const app = testConfig((doc) => (doc.apps[0].analysis.consecutiveErrorLimit = 5)).apps[0]!;
    let r = newRollout({ id: 'x-1', app, version: 'v2', requester: 'U0DEV', nowMs: T0 });
    r = apply(apply(apply(r, { type: 'RolloutStarted', fromVersion: 'v1' }).rollout, { type: 'CanaryDeployed' }).rollout, { type: 'ReadinessChecked', ready: true }).rollout;
    const out = apply(r, { type: 'AnalysisTicked', results: [tick('member1', call('rollout', undefined, 'member1')), tick('member2'), tick('member3')] });
    expect(out.rollout.cluster.member1).toMatchObject({ failedChecks: 1, consecutiveErrors: 0 });
  });

  it('pre-rollout passing once is remembered per cluster, so the edge stops calling it there', () => {
    const r = analysing();
    const out = apply(r, { type: 'AnalysisTicked', results: [tick('member1', call('pre-rollout', 200, 'member1')), { cluster: 'member2', metrics: [hookSample(call('pre-rollout', 503, 'member2'))] }, tick('member3')] });
    expect(out.rollout.cluster.member1?.preRolloutPassed).toBe(true);
    expect(out.rollout.cluster.member2?.preRolloutPassed).toBeUndefined();
    expect(out.rollout.cluster.member2?.failedChecks).toBe(1);
    expect(out.rollout.cluster.member3?.preRolloutPassed).toBeUndefined();
  });
});

describe('rollback hook', () => {
  it('answering 2xx rolls everything back at once, named in the outcome; not answering 2xx is no signal', () => {
    const r = analysing();
    const quiet = apply(r, { type: 'AnalysisTicked', results: r.clusters.map((c) => tick(c, call('rollback', 403, c, 'stop'))) }, T0 + MIN);
    expect(quiet.rollout.phase).toBe('analysing');
    expect(quiet.rollout.cluster.member1?.failedChecks).toBe(0);
    const out = apply(quiet.rollout, { type: 'AnalysisTicked', results: [tick('member1', call('rollback', 403, 'member1', 'stop')), tick('member2', call('rollback', 200, 'member2', 'stop')), tick('member3')] }, T0 + 2 * MIN);
    expect(out.rollout.phase).toBe('rolling-back');
    expect(out.rollout.pendingOutcome).toMatchObject({ trigger: 'webhook', reason: 'the rollback webhook "stop" answered HTTP 200 in member2' });
    expect(notices(out.effects)[0]).toBe('summary');
    expect(steps(out.effects)).toEqual([`rollback@${2 * MIN}`]);
  });

  it('also rolls back while a gate waits, and closes the gate', () => {
    let r = analysing();
    r = apply(r, { type: 'AnalysisTicked', results: r.clusters.map((c) => tick(c)) }, T0 + MIN).rollout;
    r = apply(r, { type: 'AnalysisTicked', results: r.clusters.map((c) => tick(c)) }, T0 + 2 * MIN).rollout;
    expect(r.phase).toBe('awaiting-approval');
    const out = apply(r, { type: 'AnalysisTicked', results: [tick('member1', call('rollback', 200, 'member1', 'stop'))] }, T0 + 3 * MIN);
    expect(out.rollout.phase).toBe('rolling-back');
    expect(out.rollout.gates[0]).toMatchObject({ state: 'closed', closedReason: 'the rollback webhook "stop" answered HTTP 200 in member1' });
  });
});

describe('confirm-promotion', () => {
  const atGate = () => {
    let r = analysing();
    r = apply(r, { type: 'AnalysisTicked', results: r.clusters.map((c) => tick(c)) }, T0 + MIN).rollout;
    return apply(r, { type: 'AnalysisTicked', results: r.clusters.map((c) => tick(c)) }, T0 + 2 * MIN).rollout;
  };

  it('refuses Approve with the hook name while it does not answer 2xx; the gate stays open', () => {
    const r = atGate();
    const result = transition(r, { type: 'GateApproved', stage: 1, by: lead, hooks: [call('confirm-promotion', 403, 'member1', 'qa-signoff')] }, T0 + 3 * MIN);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.refusal.code).toBe('held-by-webhook');
    expect(refusalWords(result.refusal)).toContain('confirm-promotion webhook "qa-signoff" for member1 (HTTP 403');
    expect(r.gates[0]?.state).toBe('open');
    const approved = apply(r, { type: 'GateApproved', stage: 1, by: lead, hooks: [call('confirm-promotion', 200, 'member1', 'qa-signoff')] }, T0 + 4 * MIN);
    expect(approved.rollout.phase).toBe('promoting');
  });

  it('a person who may not approve hears that first, not about the hook', () => {
    const result = transition(atGate(), { type: 'GateApproved', stage: 1, by: { user: 'U0DEV', isApprover: false }, hooks: [call('confirm-promotion', 403, 'member1')] }, T0 + 3 * MIN);
    expect(!result.ok && result.refusal.code).toBe('self-approval');
  });

  it('refuses `/rollout promote` the same way, naming the hook, until it answers 2xx; nothing changes meanwhile', () => {
    const r = atGate();
    const promote = (hooks: HookCall[]) => transition(r, { type: 'OperationRequested', op: 'promote', clusters: ['member2'], by: lead, hooks }, T0 + 3 * MIN);
    const held = promote([call('confirm-promotion', 403, 'member2', 'qa-signoff')]);
    expect(held.ok).toBe(false);
    if (held.ok) return;
    expect(held.refusal.code).toBe('held-by-webhook');
    expect(refusalWords(held.refusal)).toContain('confirm-promotion webhook "qa-signoff" for member2 (HTTP 403');
    expect(refusalWords(held.refusal)).toContain('Promote again once it answers 2xx');
    const confirmed = promote([call('confirm-promotion', 200, 'member2', 'qa-signoff')]);
    expect(confirmed.ok && confirmed.rollout).toMatchObject({ phase: 'operating', operation: { op: 'promote', clusters: ['member2'] } });
    // Other operations never ask confirm-promotion; a person who may not promote hears that first.
    expect(transition(r, { type: 'OperationRequested', op: 'uncanary', clusters: r.clusters.filter((c) => r.cluster[c]?.canary === 'deployed'), by: lead, hooks: [call('confirm-promotion', 403, 'member2')] }, T0 + 3 * MIN).ok).toBe(true);
    const dev = transition(r, { type: 'OperationRequested', op: 'promote', clusters: ['member2'], by: { user: 'U0DEV', isApprover: false }, hooks: [call('confirm-promotion', 403, 'member2')] }, T0 + 3 * MIN);
    expect(!dev.ok && dev.refusal.code).not.toBe('held-by-webhook');
  });

  it('holds an automatic promotion: the stage keeps analysing until the hook confirms', () => {
    let r = analysing({ autoPromote: true });
    r = apply(r, { type: 'AnalysisTicked', results: r.clusters.map((c) => tick(c)) }, T0 + MIN).rollout;
    const held = apply(r, { type: 'AnalysisTicked', results: r.clusters.map((c) => tick(c)), gateHooks: [call('confirm-promotion', 403, 'member1', 'qa')] }, T0 + 2 * MIN);
    expect(held.rollout).toMatchObject({ phase: 'analysing', stage: 0, ticksInStage: 1 });
    expect(steps(held.effects)).toEqual([`tick@${3 * MIN}`]);
    const summary = held.effects.find((e) => e.type === 'notify' && e.notice.kind === 'summary');
    expect(summary).toMatchObject({ notice: { gateHooks: [{ name: 'qa', status: 403 }] } });
    const promoted = apply(held.rollout, { type: 'AnalysisTicked', results: r.clusters.map((c) => tick(c)), gateHooks: [call('confirm-promotion', 200, 'member1', 'qa')] }, T0 + 3 * MIN);
    expect(promoted.rollout).toMatchObject({ phase: 'promoting', stage: 1 });
  });
});

describe('confirm-rollout and post-rollout', () => {
  it('holds the start: asks again each interval, tells the channel once, and the start clears the wait', () => {
    const r = start();
    const first = apply(r, { type: 'StartHeldByWebhook', hooks: [call('confirm-rollout', 403, undefined, 'change-window')] });
    expect(first.rollout).toMatchObject({ phase: 'queued', hookWait: { since: T0, call: { name: 'change-window', status: 403 } } });
    expect(steps(first.effects)).toEqual([`start@${MIN}`]);
    expect(notices(first.effects)).toEqual(['note', 'root-update']);
    const note = first.effects.find((e) => e.type === 'notify' && e.notice.kind === 'note');
    expect(note).toMatchObject({ notice: { broadcast: true, line: { said: 'start-held-by-webhook', hook: { name: 'change-window', status: 403 } } } });
    if (note?.type !== 'notify' || note.notice.kind !== 'note') throw new Error('no note');
    expect(noteWords(first.rollout, note.notice)).toContain('confirm-rollout webhook *change-window* (HTTP 403');
    const again = apply(first.rollout, { type: 'StartHeldByWebhook', hooks: [call('confirm-rollout', undefined, undefined, 'change-window')] }, T0 + MIN);
    expect(notices(again.effects)).toEqual([]);
    expect(again.rollout.hookWait?.since).toBe(T0);
    const started = apply(again.rollout, { type: 'RolloutStarted', fromVersion: 'v1' }, T0 + 2 * MIN);
    expect(started.rollout.phase).toBe('deploying');
    expect(started.rollout.hookWait).toBeUndefined();
  });

  it('a muted confirm-rollout hook waits without a channel notice', () => {
    const out = apply(start(), { type: 'StartHeldByWebhook', hooks: [{ ...call('confirm-rollout', 403), muted: true }] });
    expect(notices(out.effects)).toEqual(['root-update']);
  });

  it('keeps the post-rollout answers of a finished rollout for its closing message', () => {
    let r = analysing();
    r = apply(r, { type: 'RollbackRequested', by: lead }).rollout;
    const out = apply(r, { type: 'RolledBack', hooks: [call('post-rollout', 500, undefined, 'cleanup')] });
    expect(out.rollout.phase).toBe('rolled-back');
    expect(out.rollout.postRollout).toEqual([expect.objectContaining({ name: 'cleanup', status: 500 })]);
  });
});

it('confirm-traffic-increase: a cluster may step up only when its hook confirmed in that interval', () => {
  expect(trafficIncreaseConfirmed(tick('member1', call('confirm-traffic-increase', 200, 'member1')))).toBe(true);
  expect(trafficIncreaseConfirmed(tick('member1', call('confirm-traffic-increase', 403, 'member1')))).toBe(false);
  expect(trafficIncreaseConfirmed(tick('member1'))).toBe(true);
  // It never fails a check by itself.
  const r = apply(analysing(), { type: 'AnalysisTicked', results: [tick('member1', call('confirm-traffic-increase', 403, 'member1'))] });
  expect(r.rollout.cluster.member1?.failedChecks).toBe(0);
});

describe('caller (Flagger retry policy, injected POST and sleep)', () => {
  const hook = { name: 'h', type: 'rollout' as const, url: 'http://x/', timeout: 5_000, retries: 2, muteAlert: false, disableTLS: false };
  const payload = { name: 'app', namespace: 'default', phase: 'Progressing' as const, checksum: 'c' };

  function scripted(answers: (PostAnswer | Error)[]) {
    const slept: number[] = [];
    const caller = createWebhookCaller({
      post: async () => {
        const next = answers.shift();
        if (!next) throw new Error('no more answers');
        if (next instanceof Error) throw next;
        return next;
      },
      sleep: async (ms) => void slept.push(ms),
    });
    return { caller, slept };
  }

  it('retries no answer and 5xx, backing off 1 s then 2 s, and reports the attempts', async () => {
    const { caller, slept } = scripted([new Error('timed out after 5 s'), { status: 503, body: 'busy' }, { status: 202, body: '' }]);
    expect(await caller.call(hook, 'http://x/', payload, 'member1')).toEqual({ name: 'h', type: 'rollout', cluster: 'member1', status: 202, ok: true, attempts: 3, retries: 2, timeoutMs: 5_000 });
    expect(slept).toEqual([1_000, 2_000]);
  });

  it('does not retry a 4xx or a 501, and 203 is a failure as in Flagger (status > 202)', async () => {
    const { caller, slept } = scripted([{ status: 403, body: 'Forbidden' }, { status: 501, body: '' }, { status: 203, body: 'odd' }]);
    expect(await caller.call(hook, 'http://x/', payload)).toMatchObject({ ok: false, status: 403, reason: 'Forbidden', attempts: 1 });
    expect(await caller.call(hook, 'http://x/', payload)).toMatchObject({ ok: false, status: 501, reason: 'no body', attempts: 1 });
    expect(await caller.call(hook, 'http://x/', payload)).toMatchObject({ ok: false, status: 203, attempts: 1 });
    expect(slept).toEqual([]);
  });

  it("waits a 429's Retry-After, then gives up after the last retry with the last answer", async () => {
    const { caller, slept } = scripted([{ status: 429, body: 'slow down', retryAfterMs: 7_000 }, { status: 500, body: 'boom' }, { status: 500, body: 'boom again' }]);
    expect(await caller.call(hook, 'http://x/', payload)).toMatchObject({ ok: false, status: 500, reason: 'boom again', attempts: 3 });
    expect(slept).toEqual([7_000, 2_000]);
  });
});
