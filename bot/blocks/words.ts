// How rollouts are described in messages: phases, gates and cluster states in plain words.
import type { Gate, Outcome, Rollout } from '../../rollout/model.js';
import { OPERATION_WORDS } from './operation-words.js';
import { clockTime } from './kit.js';
import { outcomeReason } from './reason-words.js';
import { maxWeight, weightWords } from '../../rollout/traffic/traffic-steps.js';

export const mention = (user: string) => (user === 'auto' ? 'rollgate (autoPromote)' : `<@${user}>`);

/** "<@U0LEAD>, <!subteam^S0SRE>", or "anyone but the requester" when no approvers are configured. */
export function approverWords(rollout: Rollout, gate?: Gate): string {
  const names = approverMentions(rollout, gate);
  return names.length > 0 ? names.join(', ') : 'anyone but the requester';
}

/**
 * The gate's approvers as Slack mentions (users, then user groups), so each is notified where
 * they act. The requester is left out unless self-approval is allowed: they may not approve.
 */
export function approverMentions(rollout: Rollout, gate?: Gate): string[] {
  const { users, groups } = gate?.approvers ?? rollout.settings.approvers ?? { users: [], groups: [] };
  const mayApprove = users.filter((u) => u !== rollout.requester || rollout.settings.allowSelfApproval);
  return [...mayApprove.map((u) => `<@${u}>`), ...groups.map((g) => `<!subteam^${g}>`)];
}

const MAX_MENTIONS = 30;

/** Who is asked at a gate: the approvers by mention, or, with none configured, anyone in the channel (no mention). */
export function gateAsk(rollout: Rollout, gate?: Gate): string {
  const names = approverMentions(rollout, gate);
  // Mentions are cut whole, never mid-token by a block's character limit.
  const shown = names.length > MAX_MENTIONS ? [...names.slice(0, MAX_MENTIONS), `and ${names.length - MAX_MENTIONS} more`] : names;
  if (names.length > 0) return `${shown.join(', ')}: please approve or roll back.`;
  const listed = gate?.approvers ?? rollout.settings.approvers;
  if (listed && listed.users.length + listed.groups.length > 0) return 'No approver but the requester is configured, and self-approval is off: this gate can only be rolled back.';
  return rollout.settings.allowSelfApproval ? 'No approvers are configured: anyone in this channel may approve.' : 'No approvers are configured: anyone in this channel but the requester may approve.';
}

/** Why a rollout ended as it did (written in reason-words.ts; re-exported for its older callers). */
export { outcomeReason } from './reason-words.js';

export function stageWords(rollout: Rollout, index = rollout.stage): string {
  const stage = rollout.stages[index];
  if (!stage) return '';
  const where = stage.clusters.length > 5 ? `${stage.clusters.length} clusters` : stage.clusters.join(', ');
  return stage.action === 'canary' ? `canary in ${where}` : `promotion of ${where}`;
}

export function openGate(rollout: Rollout): Gate | undefined {
  return rollout.gates.find((g) => g.state === 'open');
}

export function phaseLine(rollout: Rollout, now: number): string {
  const stageNo = `stage ${rollout.stage + 1} of ${rollout.stages.length}`;
  switch (rollout.phase) {
    case 'queued':
      if (rollout.hookWait) return `:hourglass_flowing_sand: Waiting for the confirm-rollout webhook *${rollout.hookWait.call.name}* since ${clockTime(rollout.hookWait.since)} (last answer: ${rollout.hookWait.call.status !== undefined ? `HTTP ${rollout.hookWait.call.status}` : (rollout.hookWait.call.reason ?? 'none')}); asking again every interval`;
      return ':hourglass_flowing_sand: Queued: reading the current version';
    case 'deploying':
      return `:rocket: Deploying the ${stageWords(rollout)}`;
    case 'promoting':
      return `:rocket: Promoting ${rollout.stages[rollout.stage]?.clusters.join(', ')} to ${rollout.version}`;
    case 'waiting-ready':
      return `:hourglass_flowing_sand: Waiting for pods to be ready (${stageWords(rollout)})`;
    case 'analysing': {
      const steps = trafficStepWords(rollout);
      if (steps) return `:bar_chart: Analysing ${stageNo} (${stageWords(rollout)}): ${steps}`;
      return `:bar_chart: Analysing ${stageNo} (${stageWords(rollout)}): interval ${rollout.ticksInStage + 1} of ${rollout.settings.iterations}`;
    }
    case 'awaiting-approval': {
      const gate = openGate(rollout);
      const since = gate?.openedAt !== undefined ? ` since ${clockTime(gate.openedAt)}` : '';
      return `:raised_hand: Waiting for approval to promote ${gate?.clusters.join(', ')}${since}`;
    }
    case 'operating': {
      const op = rollout.operation;
      return `:hammer_and_wrench: <@${op?.by}> ${op ? OPERATION_WORDS[op.op] : 'changed'} ${op?.clusters.join(', ')}: writing it`;
    }
    case 'paused': {
      const p = rollout.paused;
      const who = p?.by === 'timeout' ? 'held: a gate timed out' : `paused by <@${p?.by}>`;
      return `:double_vertical_bar: ${who}${p ? ` at ${clockTime(p.at)}` : ''}; \`/rollout resume ${rollout.id}\` continues`;
    }
    case 'finalizing':
      return ':arrows_counterclockwise: Finalizing: writing the new version into the base, removing canaries';
    case 'rolling-back':
      return `:rotating_light: Rolling back: ${rollout.pendingOutcome ? outcomeReason(rollout.pendingOutcome) : ''}`;
    case 'succeeded':
      return `:white_check_mark: Rolled out ${rollout.version} to ${rollout.clusters.join(', ')}`;
    case 'rolled-back':
      return `:leftwards_arrow_with_hook: Rolled back: ${rollout.outcome?.kind === 'rolled-back' ? outcomeReason(rollout.outcome) : ''}`;
    case 'failed':
      if (rollout.outcome?.kind === 'failed' && rollout.outcome.nothingToDo) return `:information_source: Nothing to roll out: ${outcomeReason(rollout.outcome)}; nothing was changed`;
      return `:x: Failed: ${rollout.outcome?.kind === 'failed' ? outcomeReason(rollout.outcome) : ''}`;
  }
}

export function gateWords(gate: Gate | undefined, now: number): string {
  if (!gate) return '—';
  switch (gate.state) {
    case 'pending':
      return 'gate pending';
    case 'open':
      return `:raised_hand: waiting for approval${gate.openedAt !== undefined ? ` since ${clockTime(gate.openedAt)}` : ''}`;
    case 'approved':
      return `approved by ${mention(gate.decidedBy ?? '')}${gate.decidedAt !== undefined ? ` at ${clockTime(gate.decidedAt)}` : ''}`;
    case 'rolled-back':
      return `rolled back by ${mention(gate.decidedBy ?? '')}${gate.decidedAt !== undefined ? ` at ${clockTime(gate.decidedAt)}` : ''}`;
    case 'closed':
      return 'gate closed';
    case 'expired':
      return ':alarm_clock: gate timed out';
  }
}

export function clusterLine(rollout: Rollout, name: string, now: number): string {
  const state = rollout.cluster[name];
  if (!state) return `*${name}*`;
  const weight = state.canary === 'deployed' ? weightWords(state) : undefined;
  const canary = state.canary === 'deployed' ? `:large_yellow_circle: canary running${weight ? ` at ${weight} of traffic` : ''}` : state.canary === 'removed' ? ':white_circle: canary removed' : ':white_circle: no canary';
  const verdict = state.lastVerdict === 'failed' ? ':x: failing' : state.lastVerdict === 'passed' ? ':white_check_mark: passing' : 'not analysed yet';
  const checks = `${state.failedChecks}/${rollout.settings.failureLimit} failed checks`;
  const gate = gateWords(rollout.gates.find((g) => g.clusters.includes(name)), now);
  const promoted = state.promoted ? `:large_green_circle: runs ${rollout.version}` : `runs ${rollout.fromVersion ?? 'the stable version'}`;
  return `*${name}*  ${canary} · ${verdict} (${checks}) · ${gate} · ${promoted}`;
}

/** While a canary stage steps its weights: "canary traffic 20 % → steps 10, 20, 30, 40, 50 %", undefined otherwise. */
function trafficStepWords(rollout: Rollout): string | undefined {
  const traffic = rollout.settings.traffic;
  const stage = rollout.stages[rollout.stage];
  if (!traffic || stage?.action !== 'canary') return undefined;
  const weights = stage.clusters.map((c) => rollout.cluster[c]?.weight).filter((w) => w !== undefined);
  if (weights.length === 0) return `shifting the canary to ${traffic.weights[0]} % of traffic`;
  const lowest = Math.min(...weights);
  if (lowest < (maxWeight(rollout) ?? 100)) return `canary at ${lowest} % of traffic, one step per passing interval (${traffic.weights.join(' → ')} %)`;
  return `canary at ${lowest} % of traffic (maxWeight): interval ${rollout.ticksInStage + 1} of ${rollout.settings.iterations}`;
}
