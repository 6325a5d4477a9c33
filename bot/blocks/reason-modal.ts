// The modal that asks why before a gate is decided (approvals.reasons), and what it shows
// when the submission cannot be applied. Views, not messages: Slack's modal limits apply
// (title, submit and close at most 24 characters, at most 100 blocks).
import type { ReasonNeed, Rollout } from '../../rollout/model.js';
import { clip, section, type Block } from './kit.js';

export const REASON_CALLBACK = 'rollout_reason';
export const REASON_BLOCK = 'reason';
export const REASON_INPUT = 'reason_input';
/** Long enough for a sentence or two; the reason is repeated in the gate, the audit and the notice. */
export const REASON_MAX_CHARS = 500;

export type DecisionKind = 'approve' | 'rollback';

export interface ModalView {
  type: 'modal';
  callback_id?: string;
  private_metadata?: string;
  title: { type: 'plain_text'; text: string };
  submit?: { type: 'plain_text'; text: string };
  close: { type: 'plain_text'; text: string };
  blocks: Block[];
}

const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: clip(text, max) });

function question(rollout: Rollout, stage: number, kind: DecisionKind): string {
  const where = rollout.gates[stage - 1]?.clusters.join(', ') ?? '?';
  return kind === 'rollback'
    ? `Undo every canary and promotion of *${rollout.app} ${rollout.version}* (rollout \`${rollout.id}\`), from the *${where}* gate?`
    : `Promote *${rollout.app} ${rollout.version}* to *${where}* (rollout \`${rollout.id}\`)?`;
}

/** The modal a Rollback (or Approve) click opens when the app asks for a reason. `metadata`: what the submission is about. */
export function reasonModal(rollout: Rollout, stage: number, kind: DecisionKind, need: Exclude<ReasonNeed, 'off'>, metadata: string): ModalView {
  const required = need === 'required';
  const goesTo = kind === 'rollback' ? 'the gate message, the audit and the rollback notice' : 'the gate message and the audit';
  return {
    type: 'modal',
    callback_id: REASON_CALLBACK,
    private_metadata: metadata,
    title: plain(kind === 'rollback' ? 'Roll back?' : 'Approve?', 24),
    submit: plain(kind === 'rollback' ? 'Roll back' : 'Approve', 24),
    close: plain('Cancel', 24),
    blocks: [
      section(question(rollout, stage, kind)),
      {
        type: 'input',
        block_id: REASON_BLOCK,
        optional: !required,
        // Slack itself adds "(optional)" beside an optional input's label.
        label: plain(kind === 'rollback' ? 'Why roll back?' : 'Why approve?', 2000),
        element: {
          type: 'plain_text_input',
          action_id: REASON_INPUT,
          multiline: true,
          max_length: REASON_MAX_CHARS,
          placeholder: plain(kind === 'rollback' ? 'e.g. 5xx up in member1 since the canary started' : 'e.g. dashboards look good', 150),
        },
        hint: plain(`${required ? 'Required for this app. ' : ''}Your words go in ${goesTo}.`, 2000),
      },
    ],
  };
}

/** Shown on Submit when a required reason is empty (response_action: errors, keyed by block). */
export function reasonMissingWords(kind: DecisionKind): string {
  return kind === 'rollback' ? 'Say why you roll back: this app asks a reason for every rollback.' : 'Say why you approve: this app asks a reason for every approval.';
}

/** What replaces the modal when its submission changes nothing (the gate was decided meanwhile, or the person may not decide it). */
export function nothingChangedModal(text: string): ModalView {
  return { type: 'modal', title: plain('Nothing changed', 24), close: plain('Close', 24), blocks: [section(`:information_source: ${text}\nNothing changed.`)] };
}

/**
 * The reason as a person typed it, made safe to repeat in mrkdwn: one line, trimmed, Slack's
 * three control characters escaped (so `<!channel>` or `<@U…>` in a reason mention no one).
 */
export function cleanReason(raw: string | null | undefined): string {
  const oneLine = (raw ?? '').replace(/\s+/g, ' ').trim().slice(0, REASON_MAX_CHARS);
  return oneLine.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
