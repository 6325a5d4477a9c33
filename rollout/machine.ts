// The rollout state machine: (rollout, event, now) -> (rollout, effects) or a refusal.
// Pure: no I/O, no clock. Every change to a rollout goes through transition().
import { summaryRepeats } from './summary-repeat.js';
import type { Actor, Effect, Notice, Refusal, RolloutEvent, StepName } from './events.js';
import { judgeTick, tickErrored, tickFailed } from './verdict.js';
import type { Gate, Outcome, Rollout } from './model.js';
import { isTerminal, withoutCanary } from './model.js';
import { refusal, type RefusalCode, type RefusalFacts } from './refusals.js';
import { gateRefusal, rollbackRefusal } from './gate-rules.js';
import { operationApplied, requestOperation, unknownClusters, type OperationTransition } from './operations.js';
import { gateClock, holdAfterTimeout, partialApproval, pause, resume, type LifecycleChange } from './gate-lifecycle.js';
import { confirmationHeld, rollbackSignal } from './webhooks/hook-verdicts.js';
import { because, type StepProblem } from './why.js';
import { promotionRefusal, recordHooks, startHeld, type HookChange } from './webhooks/hook-transitions.js';
import type { HookCall } from './webhooks/hook-call.js';
import { approveStep, raiseWeights, startTraffic, trafficShifted } from './traffic/traffic-steps.js';

export type Transition = { ok: true; rollout: Rollout; effects: Effect[] } | { ok: false; refusal: Refusal };

type RolledBack = Extract<Outcome, { kind: 'rolled-back' }>;

const step = (name: StepName, at: number): Effect => ({ type: 'step', step: name, at });
const notify = (notice: Notice): Effect => ({ type: 'notify', notice });
const rootUpdate = notify({ kind: 'root-update' });

function advance(rollout: Rollout, nowMs: number, changes: Partial<Rollout>, effects: Effect[]): Transition {
  return { ok: true, rollout: { ...rollout, ...changes, seq: rollout.seq + 1, updatedAt: nowMs }, effects };
}

function unexpected(rollout: Rollout, event: RolloutEvent): Transition {
  if (isTerminal(rollout.phase)) {
    return { ok: false, refusal: refusal('rollout-finished', { why: 'ended', rollout: rollout.id, phase: rollout.phase }) };
  }
  return { ok: false, refusal: refusal('unexpected-event', { why: 'unexpected-event', rollout: rollout.id, event: event.type, phase: rollout.phase }) };
}


/** The effects of creating a rollout: post its root message and run the start step. */
export function created(rollout: Rollout, nowMs: number): Effect[] {
  return [notify({ kind: 'root' }), step('start', nowMs)];
}

const STEP_RESULTS: ReadonlySet<RolloutEvent['type']> = new Set(['RolloutStarted', 'CanaryDeployed', 'PromotionApplied', 'ReadinessChecked', 'AnalysisTicked', 'Finalized', 'RolledBack', 'OperationApplied', 'TrafficShifted']);

export function transition(rollout: Rollout, event: RolloutEvent, nowMs: number): Transition {
  const decided = decide(rollout, event, nowMs);
  const result = decided.ok ? { ...decided, rollout: recordHooks(rollout, event, decided.rollout) } : decided;
  // A step that went through after its cluster stopped answering ends the hold, and says so.
  if (result.ok && rollout.held && STEP_RESULTS.has(event.type)) {
    return { ok: true, rollout: { ...result.rollout, held: undefined }, effects: [...result.effects, notify({ kind: 'resumed', step: rollout.held.step as StepName })] };
  }
  return result;
}

function fromOperation(rollout: Rollout, nowMs: number, result: OperationTransition | LifecycleChange | HookChange): Transition {
  return result.ok ? advance(rollout, nowMs, result.changes, result.effects) : result;
}

function decide(rollout: Rollout, event: RolloutEvent, nowMs: number): Transition {
  switch (event.type) {
    case 'RolloutStarted':
      if (rollout.phase !== 'queued') return unexpected(rollout, event);
      return advance(rollout, nowMs, { phase: 'deploying', fromVersion: event.fromVersion }, [step('deploy-canary', nowMs), rootUpdate]);
    case 'AlreadyRunning':
      if (rollout.phase !== 'queued') return unexpected(rollout, event);
      return alreadyRunning(rollout, nowMs);
    case 'CanaryDeployed':
      if (rollout.phase !== 'deploying') return unexpected(rollout, event);
      return waitForReady(rollout, nowMs, 'canary');
    case 'PromotionApplied':
      if (rollout.phase !== 'promoting') return unexpected(rollout, event);
      return waitForReady(rollout, nowMs, 'promote');
    case 'ReadinessChecked':
      if (rollout.phase !== 'waiting-ready') return unexpected(rollout, event);
      return readinessChecked(rollout, event.ready, event.waitingFor, nowMs);
    case 'AnalysisTicked':
      // Analysis keeps running while a gate waits (Flagger): a failure then still rolls back.
      if (rollout.phase !== 'analysing' && rollout.phase !== 'awaiting-approval') return unexpected(rollout, event);
      return analysisTicked(rollout, event.results, nowMs, event.gateHooks);
    case 'GateApproved':
      return gateApproved(rollout, event.stage, event.by, nowMs, event.cluster, event.hooks, event.reason);
    case 'StartHeldByWebhook':
      return fromOperation(rollout, nowMs, startHeld(rollout, event.hooks, nowMs));
    case 'RollbackRequested':
      return rollbackRequested(rollout, event.by, event.stage, nowMs, event.why, event.reason);
    case 'Finalized':
      if (rollout.phase !== 'finalizing') return unexpected(rollout, event);
      return finalized(rollout, nowMs);
    case 'RolledBack':
      if (rollout.phase !== 'rolling-back') return unexpected(rollout, event);
      return rolledBack(rollout, nowMs);
    case 'StepFailed':
      return stepFailed(rollout, event.step, event.problem, nowMs);
    case 'StepHeld':
      return stepHeld(rollout, event.step, event.problem, nowMs);
    case 'OperationRequested':
      return fromOperation(rollout, nowMs, requestOperation(rollout, event.op, event.clusters, event.by, nowMs, event.hooks));
    case 'OperationApplied':
      return fromOperation(rollout, nowMs, operationApplied(rollout, nowMs));
    case 'PauseRequested':
      return fromOperation(rollout, nowMs, pause(rollout, event.by, nowMs));
    case 'ResumeRequested':
      return fromOperation(rollout, nowMs, resume(rollout, event.by, nowMs));
    case 'TrafficStepApproved': {
      const approved = approveStep(rollout, event.cluster, event.weight, event.by, nowMs);
      return approved.ok ? advance(rollout, nowMs, approved.change.changes, approved.change.effects) : approved;
    }
    case 'RetryRequested':
      return retryRequested(rollout, event.by, nowMs);
    case 'TrafficShifted': {
      if (rollout.phase !== 'analysing') return unexpected(rollout, event);
      const shifted = trafficShifted(rollout, event.actual, nowMs);
      return advance(rollout, nowMs, shifted.changes, shifted.effects);
    }
  }
}

/** A cluster does not answer: keep the rollout where it is, say so once, retry the step later. */
function stepHeld(rollout: Rollout, heldStep: StepName, problem: StepProblem, nowMs: number): Transition {
  if (isTerminal(rollout.phase)) return unexpected(rollout, { type: 'StepHeld', step: heldStep, problem });
  const first = rollout.held === undefined;
  const { reason } = because(problem);
  // Held again (after a person's retry too): a later retry may be asked again.
  const before = rollout.held;
  const held = first || !before ? { step: heldStep, reason, since: nowMs, why: problem } : { step: before.step, reason: before.reason, since: before.since, ...(before.why ? { why: before.why } : {}) };
  return advance(rollout, nowMs, { held }, [step(heldStep, nowMs + rollout.settings.retryMs), ...(first ? [notify({ kind: 'held', reason, why: problem, step: heldStep }), rootUpdate] : [])]);
}

/**
 * `/rollout retry` or the Retry button: a held step runs now rather than at its next retry
 * (same rules as a rollback: the requester or an approver). Once per hold: a second retry
 * while the first is under way is refused, so a double click retries once. A rollout that
 * has ended has no step left to retry; the refusal says what to do instead.
 */
function retryRequested(rollout: Rollout, by: Actor, nowMs: number): Transition {
  const refuse = (code: RefusalCode, facts: RefusalFacts): Transition => ({ ok: false, refusal: refusal(code, facts) });
  const { id, app, version } = rollout;
  const ended = rollout.outcome && rollout.outcome.kind !== 'succeeded' ? { outcome: rollout.outcome } : {};
  if (rollout.phase === 'succeeded') return refuse('rollout-finished', { why: 'retry-after-success', rollout: id, version });
  if (rollout.phase === 'rolled-back') return refuse('rollout-finished', { why: 'retry-after-rollback', rollout: id, app, version, ...ended });
  if (rollout.phase === 'failed') {
    const touched = Object.entries(rollout.cluster).filter(([, c]) => c.canary !== 'none' || c.promoted).map(([name]) => name);
    if (touched.length === 0) return refuse('rollout-finished', { why: 'retry-before-change', rollout: id, app, version, ...ended });
    return refuse('rollout-finished', { why: 'retry-after-failed-rollback', rollout: id, ...ended, clusters: touched });
  }
  if (rollout.phase === 'rolling-back' && !rollout.held) return refuse('nothing-to-retry', { why: 'retry-while-rolling-back', rollout: id });
  if (!rollout.held) return refuse('nothing-to-retry', { why: 'nothing-held', rollout: id, phase: rollout.phase });
  if (rollout.phase === 'paused') return refuse('busy', { why: 'paused', rollout: id });
  if (by.user !== rollout.requester && !by.isApprover) {
    return refuse('not-allowed', { why: 'not-requester-or-approver', requester: rollout.requester, app, action: 'retry' });
  }
  if (rollout.held.retryBy) return refuse('already', { why: 'retry-running', step: rollout.held.step, by: rollout.held.retryBy });
  const heldStep = rollout.held.step as StepName;
  return advance(rollout, nowMs, { held: { ...rollout.held, retryBy: by.user } }, [step(heldStep, nowMs), notify({ kind: 'note', line: { said: 'retry-asked', by: by.user, step: heldStep } })]);
}

function waitForReady(rollout: Rollout, nowMs: number, action: 'canary' | 'promote'): Transition {
  const stage = rollout.stages[rollout.stage];
  const cluster = { ...rollout.cluster };
  for (const name of stage?.clusters ?? []) {
    const current = cluster[name];
    if (!current) continue;
    cluster[name] = action === 'canary' ? { ...current, canary: 'deployed' } : { ...current, promoted: true };
  }
  const readyDeadline = nowMs + rollout.settings.progressDeadlineMs;
  return advance(rollout, nowMs, { phase: 'waiting-ready', cluster, readyDeadline }, [step('check-ready', nowMs + rollout.settings.readyPollMs), rootUpdate]);
}

function readinessChecked(rollout: Rollout, ready: boolean, waitingFor: string | undefined, nowMs: number): Transition {
  if (ready) {
    const cluster = { ...rollout.cluster };
    for (const name of rollout.stages[rollout.stage]?.clusters ?? []) {
      const current = cluster[name];
      if (current) cluster[name] = { ...current, readyAt: nowMs };
    }
    // With canary.traffic the canaries first get their first weight; the interval starts once it is written.
    const traffic = startTraffic({ ...rollout, cluster }, nowMs);
    if (traffic) return advance(rollout, nowMs, traffic.changes, traffic.effects);
    return advance(rollout, nowMs, { phase: 'analysing', ticksInStage: 0, cluster }, [step('tick', nowMs + rollout.settings.intervalMs), rootUpdate]);
  }
  if (rollout.readyDeadline !== undefined && nowMs >= rollout.readyDeadline) {
    return beginRollback(rollout, nowMs, { kind: 'rolled-back', at: nowMs, trigger: 'deadline', ...because({ said: 'not-ready', ...(waitingFor !== undefined ? { waitingFor } : {}) }) });
  }
  return advance(rollout, nowMs, {}, [step('check-ready', nowMs + rollout.settings.readyPollMs)]);
}

function analysisTicked(rollout: Rollout, results: Parameters<typeof judgeTick>[1], nowMs: number, gateHooks?: HookCall[]): Transition {
  const judged = judgeTick(rollout, results, nowMs);
  const tick = rollout.tick + 1;
  const waiting = rollout.phase === 'awaiting-approval';
  // Like Flagger, only a passing interval advances the stage; a failing one only counts against the limit.
  const passed = results.every((r) => !tickFailed(r.metrics, rollout.settings) && !tickErrored(r.metrics, rollout.settings));
  const ticksInStage = rollout.ticksInStage + (passed && !waiting ? 1 : 0);
  const failedChecks = Object.fromEntries(Object.entries(judged.cluster).map(([name, state]) => [name, state.failedChecks]));
  const summary = notify({ kind: 'summary', tick, stage: rollout.stage, results, failedChecks, ...(gateHooks?.length ? { gateHooks } : {}), ...(summaryRepeats(rollout, judged.cluster) ? { repeat: true } : {}) });
  const next: Rollout = { ...rollout, cluster: judged.cluster, tick, ticksInStage };
  // A rollback webhook that answers 2xx rolls back (Flagger), whatever the metrics say.
  const signal = rollbackSignal(results);
  if (signal) {
    const rolled = beginRollback(next, nowMs, { kind: 'rolled-back', at: nowMs, trigger: 'webhook', ...because({ said: 'webhook', hook: signal }) });
    return rolled.ok ? { ...rolled, effects: [summary, ...rolled.effects] } : rolled;
  }
  if (judged.breach) {
    const { cluster, failing, failedChecks: count, consecutiveErrors } = judged.breach;
    const metrics = failing.map((m) => m.metric);
    const limit = rollout.settings.consecutiveErrorLimit;
    const why = because(
      consecutiveErrors !== undefined
        ? { said: 'not-measured', cluster, metrics, consecutiveErrors, ...(limit !== undefined ? { limit } : {}) }
        : { said: 'metrics-failed', cluster, metrics, failedChecks: count, failureLimit: rollout.settings.failureLimit },
    );
    const rolled = beginRollback(next, nowMs, { kind: 'rolled-back', at: nowMs, trigger: 'analysis', ...why, cause: judged.breach });
    return rolled.ok ? { ...rolled, effects: [summary, ...rolled.effects] } : rolled;
  }
  if (waiting) {
    const clock = gateClock(next, nowMs);
    if (clock?.timedOut && rollout.settings.onTimeout === 'rollback') {
      const why = because({ said: 'gate-timed-out', clusters: clock.timedOut.clusters, timeoutMs: rollout.settings.gateTimeoutMs });
      const rolled = beginRollback({ ...next, ...clock.changes }, nowMs, { kind: 'rolled-back', at: nowMs, trigger: 'timeout', ...why });
      return rolled.ok ? { ...rolled, effects: [summary, ...clock.effects, ...rolled.effects] } : rolled;
    }
    if (clock?.timedOut) {
      const held = { ...clock.changes, ...holdAfterTimeout(next, clock.timedOut, nowMs) };
      const line = { said: 'gate-timed-out-held', clusters: clock.timedOut.clusters, timeoutMs: rollout.settings.gateTimeoutMs } as const;
      return advance(next, nowMs, held, [summary, ...clock.effects, notify({ kind: 'note', line, broadcast: true }), rootUpdate]);
    }
    return advance(next, nowMs, clock?.changes ?? {}, [summary, ...(clock?.effects ?? []), step('tick', nowMs + rollout.settings.intervalMs), rootUpdate]);
  }
  // With canary.traffic a passing interval below maxWeight moves the weights one step instead of
  // counting (or, while webhooks hold every step, runs again at the same weights).
  const raised = passed ? raiseWeights(next, rollout, results, nowMs) : undefined;
  if (raised) return advance(next, nowMs, raised.changes, [summary, ...raised.effects, rootUpdate]);
  if (ticksInStage < rollout.settings.iterations) {
    return advance(next, nowMs, {}, [summary, step('tick', nowMs + rollout.settings.intervalMs), rootUpdate]);
  }
  if (rollout.stage === rollout.stages.length - 1) {
    return advance(next, nowMs, { phase: 'finalizing' }, [summary, step('finalize', nowMs), rootUpdate]);
  }
  const gateIndex = rollout.stage; // gates[i] guards stage i + 1
  // confirm-promotion holds a promotion that would go by itself; the stage re-earns its last interval (Flagger).
  if (rollout.settings.autoPromote && confirmationHeld(gateHooks)) {
    return advance(next, nowMs, { ticksInStage: rollout.settings.iterations - 1 }, [summary, step('tick', nowMs + rollout.settings.intervalMs), rootUpdate]);
  }
  if (rollout.settings.autoPromote) {
    const gates = replaceGate(next.gates, gateIndex, { state: 'approved', openedAt: nowMs, decidedBy: 'auto', decidedAt: nowMs });
    return advance(next, nowMs, { gates, phase: 'promoting', stage: rollout.stage + 1 }, [summary, step('promote', nowMs), rootUpdate]);
  }
  const gates = replaceGate(next.gates, gateIndex, { state: 'open', openedAt: nowMs });
  return advance(next, nowMs, { gates, phase: 'awaiting-approval' }, [
    summary,
    notify({ kind: 'gate-opened', stage: rollout.stage + 1 }),
    step('tick', nowMs + rollout.settings.intervalMs),
    rootUpdate,
  ]);
}

function replaceGate(gates: Gate[], index: number, changes: Partial<Gate>): Gate[] {
  return gates.map((gate, i) => (i === index ? { ...gate, ...changes } : gate));
}

function gateApproved(rollout: Rollout, stage: number, by: Actor, nowMs: number, cluster?: string, hooks?: HookCall[], reason?: string): Transition {
  if (cluster !== undefined && !rollout.clusters.includes(cluster)) return { ok: false, refusal: unknownClusters(rollout, [cluster]) };
  const denied = gateRefusal(rollout, stage, by) ?? promotionRefusal(rollout, hooks);
  if (denied) return { ok: false, refusal: denied };
  const partial = partialApproval(rollout, stage, by, nowMs, reason);
  if (partial) return fromOperation(rollout, nowMs, partial);
  const said = reason ? { reason } : {};
  const approvals = [...(rollout.gates[stage - 1]?.approvals ?? []), { user: by.user, at: nowMs, ...said }];
  const gates = replaceGate(rollout.gates, stage - 1, { state: 'approved', decidedBy: by.user, decidedAt: nowMs, approvals, ...said });
  return advance(rollout, nowMs, { gates, phase: 'promoting', stage }, [
    step('promote', nowMs),
    notify({ kind: 'gate-closed', stage }),
    rootUpdate,
  ]);
}

function rollbackRequested(rollout: Rollout, by: Actor, stage: number | undefined, nowMs: number, why?: string, said?: string): Transition {
  // Finalize writes the new version over the base; a rollback racing it would report v1 while
  // every cluster runs the new version. Once finalizing, going back is a new rollout.
  if (rollout.phase === 'finalizing') {
    const from = rollout.fromVersion ? { fromVersion: rollout.fromVersion } : {};
    return { ok: false, refusal: refusal('busy', { why: 'finalizing', rollout: rollout.id, app: rollout.app, version: rollout.version, ...from }) };
  }
  const denied = rollbackRefusal(rollout, by, stage);
  if (denied) return { ok: false, refusal: denied };
  const gate = stage !== undefined ? rollout.gates[stage - 1]?.clusters : undefined;
  const asked = { ...(why ? { why } : {}), ...(gate ? { gate } : {}), ...(said ? { said } : {}) };
  return beginRollback(rollout, nowMs, { kind: 'rolled-back', at: nowMs, trigger: 'person', by: by.user, reason: why ?? 'rolled back', asked }, said);
}

/** `said`: the person's reason, kept on the gates their rollback closes. */
function beginRollback(rollout: Rollout, nowMs: number, outcome: RolledBack, said?: string): Transition {
  const closedBy = outcome.trigger === 'person' ? outcome.by : undefined;
  const closing = rollout.gates.filter((g) => g.state === 'open');
  const gates = rollout.gates.map((gate): Gate => {
    if (gate.state !== 'open') return gate;
    return closedBy
      ? { ...gate, state: 'rolled-back', decidedBy: closedBy, decidedAt: nowMs, ...(said ? { reason: said } : {}) }
      : { ...gate, state: 'closed', decidedAt: nowMs, closedReason: outcome.reason, ...(outcome.why ? { closedWhy: outcome.why } : {}) };
  });
  return advance(rollout, nowMs, { phase: 'rolling-back', gates, pendingOutcome: outcome }, [
    step('rollback', nowMs),
    ...closing.map((g) => notify({ kind: 'gate-closed', stage: g.stage })),
    rootUpdate,
  ]);
}

function finalized(rollout: Rollout, nowMs: number): Transition {
  const cluster = Object.fromEntries(
    Object.entries(rollout.cluster).map(([name, state]) => [name, { ...withoutCanary(state), promoted: true }]),
  ) as Rollout['cluster'];
  return advance(rollout, nowMs, { phase: 'succeeded', cluster, outcome: { kind: 'succeeded', at: nowMs } }, [
    rootUpdate,
    notify({ kind: 'finished' }),
    notify({ kind: 'chart' }),
    { type: 'release-lock' },
  ]);
}

function rolledBack(rollout: Rollout, nowMs: number): Transition {
  const cluster = Object.fromEntries(
    Object.entries(rollout.cluster).map(([name, state]) => [name, { ...withoutCanary(state), promoted: false }]),
  ) as Rollout['cluster'];
  const gates = rollout.gates.map((gate): Gate => (gate.state === 'pending' ? { ...gate, state: 'closed', ...closed({ said: 'rolled-back' }) } : gate));
  const outcome = { ...(rollout.pendingOutcome ?? { kind: 'rolled-back', trigger: 'failure', ...because({ said: 'rolled-back' }) }), at: nowMs } as RolledBack;
  return advance(rollout, nowMs, { phase: 'rolled-back', cluster, gates, outcome, pendingOutcome: undefined }, [
    rootUpdate,
    notify({ kind: 'rolled-back' }),
    ...(rollout.tick > 0 ? [notify({ kind: 'chart' })] : []),
    { type: 'release-lock' },
  ]);
}

/**
 * The start found the version already running: nothing was changed and nothing will be. The
 * rollout ends quietly: one private message to the requester (in place of their "queued"), no
 * public failure. Its root message is taken back (never posted, or deleted if it already was)
 * unless the thread already holds notices (a held start, a confirm-rollout wait): then the root
 * stays and says how it ended, since deleting it would leave those replies under a tombstone.
 */
function alreadyRunning(rollout: Rollout, nowMs: number): Transition {
  const root = rollout.held || rollout.hookWait ? 'kept' : 'withdrawn';
  const why = because({ said: 'already-runs', app: rollout.app, version: rollout.version });
  const gates = rollout.gates.map((gate): Gate => (gate.state === 'pending' || gate.state === 'open' ? { ...gate, state: 'closed', ...closed(why.why) } : gate));
  const outcome: Outcome = { kind: 'failed', at: nowMs, ...why, nothingToDo: { root } };
  return advance(rollout, nowMs, { phase: 'failed', gates, outcome, held: undefined, hookWait: undefined }, [
    ...(rollout.notifyUrl ? [notify({ kind: 'nothing-to-do' })] : []),
    root === 'withdrawn' ? notify({ kind: 'root-withdrawn' }) : rootUpdate,
    { type: 'release-lock' },
  ]);
}

function stepFailed(rollout: Rollout, failedStep: StepName, problem: StepProblem, nowMs: number): Transition {
  if (isTerminal(rollout.phase)) return unexpected(rollout, { type: 'StepFailed', step: failedStep, problem });
  const touched = Object.values(rollout.cluster).some((c) => c.canary !== 'none' || c.promoted);
  const failed = because({ said: 'step-failed', step: failedStep, problem });
  if (touched && failedStep !== 'rollback') {
    return beginRollback(rollout, nowMs, { kind: 'rolled-back', at: nowMs, trigger: 'failure', ...failed });
  }
  const gates = rollout.gates.map((gate): Gate => (gate.state === 'pending' || gate.state === 'open' ? { ...gate, state: 'closed', ...closed(problem) } : gate));
  const tellRequester = failedStep === 'start' && rollout.notifyUrl ? [notify({ kind: 'private', answer: { said: 'start-failed', reason: because(problem).reason, why: problem } })] : [];
  return advance(rollout, nowMs, { phase: 'failed', gates, outcome: { kind: 'failed', at: nowMs, ...failed } }, [
    rootUpdate,
    notify({ kind: 'failed', ...failed }),
    ...tellRequester,
    { type: 'release-lock' },
  ]);
}

/** A gate's closing reason: facts, and the plain string older readers show. */
function closed(why: Parameters<typeof because>[0]): Pick<Gate, 'closedReason' | 'closedWhy'> {
  return { closedReason: because(why).reason, closedWhy: why };
}
