// Audit entries for what changed a rollout and for what was refused.
import type { RolloutEvent } from '../rollout/events.js';
import type { Rollout } from '../rollout/model.js';
import type { AuditEntry } from './store.js';

export function auditEvent(event: RolloutEvent, after: Rollout, at: number): AuditEntry {
  const who = 'by' in event ? event.by.user : 'rollgate';
  const stage = event.type === 'GateApproved' || event.type === 'RollbackRequested' ? event.stage : undefined;
  const cluster = event.type === 'TrafficStepApproved' ? event.cluster : event.type === 'OperationRequested' ? event.clusters.join(',') : stage !== undefined ? after.gates[stage - 1]?.clusters.join(',') : undefined;
  const detail =
    event.type === 'StepFailed' || event.type === 'StepHeld'
      ? event.reason
      : event.type === 'ReadinessChecked' && !event.ready
        ? event.waitingFor
        : (event.type === 'GateApproved' || event.type === 'RollbackRequested') && event.reason
          ? `reason: “${event.reason}”`
        : event.type === 'AnalysisTicked'
          ? tickDetail(after)
          : event.type === 'OperationRequested'
            ? event.op
            : event.type === 'TrafficStepApproved'
              ? `to ${event.weight} %`
            : event.type === 'RetryRequested' && after.held
              ? `the held ${after.held.step} step runs now`
            : event.type === 'StartHeldByWebhook' && after.hookWait
              ? `waiting for the confirm-rollout webhook ${after.hookWait.call.name}`
            : event.type === 'AlreadyRunning' && after.outcome?.kind === 'failed'
              ? `${after.outcome.reason}: nothing to roll out`
              : undefined;
  return { at, who, what: event.type, outcome: after.phase, ...(cluster ? { cluster } : {}), ...(detail ? { detail } : {}) };
}

function tickDetail(rollout: Rollout): string {
  return Object.entries(rollout.cluster)
    .filter(([, c]) => c.lastVerdict)
    .map(([name, c]) => `${name} ${c.lastVerdict} (${c.failedChecks}/${rollout.settings.failureLimit})`)
    .join(', ');
}
