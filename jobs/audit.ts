// Audit entries for what changed a rollout and for what was refused. What an entry adds is
// kept as facts (bot/blocks/audit-lines.ts writes the words); `detail` beside them is the
// plain string a rollgate from before issue 11 shows for the same entry (rolling upgrades).
import type { RolloutEvent } from '../rollout/events.js';
import type { OperationKind, Rollout } from '../rollout/model.js';
import { fallbackReason, type StepProblem } from '../rollout/why.js';
import type { AuditEntry } from './store.js';

/** What an audit entry adds to its event's name, as data. */
export type AuditFacts =
  /** A step failed or is held. */
  | { said: 'problem'; problem: StepProblem }
  /** The new pods are not ready yet (`waitingFor`: the fleet's own account). */
  | { said: 'waiting-for'; waitingFor: string }
  /** A person's reason from the modal (Approve or Rollback). */
  | { said: 'their-reason'; reason: string }
  /** After an analysis tick: each judged cluster's verdict and failed checks. */
  | { said: 'verdicts'; clusters: { cluster: string; verdict: 'passed' | 'failed'; failedChecks: number }[]; failureLimit: number }
  | { said: 'operation'; op: OperationKind }
  | { said: 'traffic-step'; weight: number }
  /** A person's retry: the held step runs now. */
  | { said: 'retry-runs'; step: string }
  | { said: 'start-held-by-webhook'; hook: string }
  /** The start found the version already running. */
  | { said: 'nothing-to-roll-out'; app: string; version: string };

export function auditEvent(event: RolloutEvent, after: Rollout, at: number): AuditEntry {
  const who = 'by' in event ? event.by.user : 'rollgate';
  const stage = event.type === 'GateApproved' || event.type === 'RollbackRequested' ? event.stage : undefined;
  const cluster = event.type === 'TrafficStepApproved' ? event.cluster : event.type === 'OperationRequested' ? event.clusters.join(',') : stage !== undefined ? after.gates[stage - 1]?.clusters.join(',') : undefined;
  const facts = auditFacts(event, after);
  return { at, who, what: event.type, outcome: after.phase, ...(cluster ? { cluster } : {}), ...(facts ? { facts, detail: auditFallback(facts) } : {}) };
}

function auditFacts(event: RolloutEvent, after: Rollout): AuditFacts | undefined {
  switch (event.type) {
    case 'StepFailed':
    case 'StepHeld':
      return { said: 'problem', problem: event.problem };
    case 'ReadinessChecked':
      return !event.ready && event.waitingFor ? { said: 'waiting-for', waitingFor: event.waitingFor } : undefined;
    case 'GateApproved':
    case 'RollbackRequested':
      return event.reason ? { said: 'their-reason', reason: event.reason } : undefined;
    case 'AnalysisTicked': {
      const clusters = Object.entries(after.cluster).flatMap(([name, c]) => (c.lastVerdict ? [{ cluster: name, verdict: c.lastVerdict, failedChecks: c.failedChecks }] : []));
      return clusters.length > 0 ? { said: 'verdicts', clusters, failureLimit: after.settings.failureLimit } : undefined;
    }
    case 'OperationRequested':
      return { said: 'operation', op: event.op };
    case 'TrafficStepApproved':
      return { said: 'traffic-step', weight: event.weight };
    case 'RetryRequested':
      return after.held ? { said: 'retry-runs', step: after.held.step } : undefined;
    case 'StartHeldByWebhook':
      return after.hookWait ? { said: 'start-held-by-webhook', hook: after.hookWait.call.name } : undefined;
    case 'AlreadyRunning':
      return after.outcome?.kind === 'failed' ? { said: 'nothing-to-roll-out', app: after.app, version: after.version } : undefined;
    default:
      return undefined;
  }
}

/** The plain `detail` older rollgates show (this version renders from the facts). */
export function auditFallback(facts: AuditFacts): string {
  switch (facts.said) {
    case 'problem':
      return fallbackReason(facts.problem);
    case 'waiting-for':
      return facts.waitingFor;
    case 'their-reason':
      return `reason: “${facts.reason}”`;
    case 'verdicts':
      return facts.clusters.map((c) => `${c.cluster} ${c.verdict} (${c.failedChecks}/${facts.failureLimit})`).join(', ');
    case 'operation':
      return facts.op;
    case 'traffic-step':
      return `to ${facts.weight} %`;
    case 'retry-runs':
      return `the held ${facts.step} step runs now`;
    case 'start-held-by-webhook':
      return `waiting for the confirm-rollout webhook ${facts.hook}`;
    case 'nothing-to-roll-out':
      return `${facts.app} already runs ${facts.version}: nothing to roll out`;
  }
}
