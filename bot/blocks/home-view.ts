// The App Home tab: first the gates waiting for the person who opened it, with the same
// Approve and Rollback buttons as the gate messages, then every active rollout. A Home view
// holds at most 100 blocks: both lists are capped and say how many more there are.
import { humanDuration } from '../../rollout/duration.js';
import type { Rollout } from '../../rollout/model.js';
import { actions, clip, context, divider, header, section, type Block } from './kit.js';
import { approveButton, gateButtonValue, rollbackButton } from './messages.js';
import type { DecisionKind } from './reason-modal.js';
import { phaseLine } from './words.js';

/** 3 blocks per gate, 3 per rollout: 2 × 15 × 3 + headers and "more" lines stay under 100. */
export const MAX_HOME_GATES = 15;
export const MAX_HOME_ROLLOUTS = 15;

export interface WaitingGate {
  rollout: Rollout;
  stage: number;
}

export interface HomeNotice {
  /** A line at the top: what happened to the person's last click here. */
  text: string;
  /** The gate just clicked, shown without buttons until the worker has decided. */
  deciding?: { r: string; s: number };
}

function gateBlocks({ rollout, stage }: WaitingGate, index: number, now: number, deciding: boolean): Block[] {
  const gate = rollout.gates[stage - 1];
  const where = gate?.clusters.join(', ') ?? '?';
  const waited = gate?.openedAt !== undefined ? ` · waiting ${humanDuration(now - gate.openedAt)}` : '';
  const needs = (gate?.required ?? 1) > 1 ? ` · needs ${gate?.required} approvals, ${gate?.approvals?.length ?? 0} so far` : '';
  const text = section(clip(`:raised_hand: *${rollout.app} ${rollout.fromVersion ?? '…'} → ${rollout.version}*: promote to *${where}*?\n\`${rollout.id}\` · requested by <@${rollout.requester}>${waited}${needs}`));
  const value = gateButtonValue(rollout, stage);
  const buttons = deciding ? context(':hourglass_flowing_sand: Your decision is being applied.') : actions(`home-gate-${index}`, [approveButton(rollout, where, value), rollbackButton(rollout, value)]);
  return [text, buttons, divider()];
}

function rolloutBlocks(rollouts: Rollout[], now: number): Block[] {
  if (rollouts.length === 0) return [header('Rollouts'), section('No rollout is running. Start one with `/rollout start APP VERSION`.')];
  const shown = rollouts.slice(0, MAX_HOME_ROLLOUTS).flatMap((r): Block[] => {
    const gate = r.gates.find((g) => g.state === 'open');
    const waiting = gate?.openedAt !== undefined ? `\n:raised_hand: *${gate.clusters.join(', ')}* gate waiting ${humanDuration(now - gate.openedAt)} for approval` : '';
    return [section(clip(`*\`${r.id}\`* ${r.app} ${r.fromVersion ?? '…'} → ${r.version}\n${phaseLine(r, now)}${waiting}`)), context(clip(`requested by <@${r.requester}> · ${r.strategy} · ${r.clusters.join(', ')}`)), divider()];
  });
  const more = rollouts.length > MAX_HOME_ROLLOUTS ? [context(`…and ${rollouts.length - MAX_HOME_ROLLOUTS} more; \`/rollout list\` shows them all`)] : [];
  return [header(`Rollouts (${rollouts.length} active)`), ...shown, ...more];
}

export function homeBlocks(options: { gates: WaitingGate[]; rollouts: Rollout[]; now: number; notice?: HomeNotice }): Block[] {
  const { gates, now, notice } = options;
  const top = notice ? [section(clip(notice.text))] : [];
  const isDeciding = (g: WaitingGate) => notice?.deciding?.r === g.rollout.id && notice.deciding.s === g.stage;
  const waiting =
    gates.length === 0
      ? [section('No gate is waiting for you. Gates you may approve show here, with their buttons.')]
      : gates.slice(0, MAX_HOME_GATES).flatMap((g, i) => gateBlocks(g, i, now, isDeciding(g)));
  const more = gates.length > MAX_HOME_GATES ? [context(`…and ${gates.length - MAX_HOME_GATES} more gates waiting for you; \`/rollout list\` shows every rollout`)] : [];
  return [...top, header(`Gates waiting for you (${gates.length})`), ...waiting, ...more, ...rolloutBlocks(options.rollouts, now)];
}

/** The line at the top of Home after a click there was queued. */
export function homeClickWords(rollout: Rollout, stage: number, kind: DecisionKind): string {
  const where = rollout.gates[stage - 1]?.clusters.join(', ') ?? '?';
  return kind === 'approve'
    ? `:hourglass_flowing_sand: Your approval of ${where} (rollout \`${rollout.id}\`) is being applied; the gate message in <#${rollout.channel}> shows the result.`
    : `:hourglass_flowing_sand: Your rollback of rollout \`${rollout.id}\` is being applied; the gate message in <#${rollout.channel}> shows the result.`;
}
