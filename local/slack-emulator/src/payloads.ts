// The exact bodies Slack sends to an app: slash commands and block_actions.
import type { EmulatedChannel, EmulatedUser, Workspace } from './workspace.js';

/** Slack still sends the deprecated verification token; apps should ignore it. */
export const VERIFICATION_TOKEN = 'rollgate-local-verification-token';

export function slashCommandBody(p: {
  workspace: Workspace;
  channel: EmulatedChannel;
  user: EmulatedUser;
  command: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}): string {
  return new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: p.workspace.team.id,
    team_domain: p.workspace.team.domain,
    channel_id: p.channel.id,
    channel_name: p.channel.name,
    user_id: p.user.id,
    user_name: p.user.name,
    command: p.command,
    text: p.text,
    api_app_id: p.workspace.bot.appId,
    is_enterprise_install: 'false',
    response_url: p.responseUrl,
    trigger_id: p.triggerId,
  }).toString();
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface FoundButton {
  blockId: string;
  element: Obj;
}

/** A button in `blocks` (actions elements or a section accessory) matching the given ids. */
export function findButton(blocks: unknown[] | undefined, want: { actionId: string; value?: string; blockId?: string }): FoundButton | undefined {
  for (const block of blocks ?? []) {
    if (!isObj(block)) continue;
    const blockId = String(block.block_id ?? '');
    if (want.blockId !== undefined && want.blockId !== blockId) continue;
    const candidates = block.type === 'actions' && Array.isArray(block.elements) ? block.elements : [block.accessory];
    for (const element of candidates) {
      if (!isObj(element) || element.type !== 'button' || element.action_id !== want.actionId) continue;
      if (want.value !== undefined && element.value !== want.value) continue;
      return { blockId, element };
    }
  }
  return undefined;
}

/** Where the clicked button is: a message in a channel, or a view (the Home tab or a modal). */
export type ClickedOn =
  | {
      kind: 'message';
      channel: EmulatedChannel;
      messageTs: string;
      /** The message as Slack stores it; absent for ephemeral messages, as in Slack. */
      message?: Obj;
      isEphemeral: boolean;
      threadTs?: string;
      responseUrl: string;
    }
  | { kind: 'view'; view: Obj };

/**
 * block_actions for one button. On a message: a message container, the channel, the message
 * and a response_url. On a view: a view container and the view, and no channel, message or
 * response_url, as Slack sends from a view.
 */
export function blockActionsPayload(p: { workspace: Workspace; user: EmulatedUser; on: ClickedOn; button: FoundButton; triggerId: string; actionTs: string }): Obj {
  const { workspace, user, on, button } = p;
  const text = isObj(button.element.text) ? String(button.element.text.text ?? '') : '';
  const action: Obj = {
    action_id: button.element.action_id,
    block_id: button.blockId,
    text: { type: 'plain_text', text, emoji: true },
    ...(button.element.value !== undefined ? { value: button.element.value } : {}),
    ...(button.element.style !== undefined ? { style: button.element.style } : {}),
    type: 'button',
    action_ts: p.actionTs,
  };
  const container: Obj =
    on.kind === 'view'
      ? { type: 'view', view_id: on.view.id }
      : { type: 'message', message_ts: on.messageTs, channel_id: on.channel.id, is_ephemeral: on.isEphemeral, ...(on.threadTs ? { thread_ts: on.threadTs } : {}) };
  const surface: Obj =
    on.kind === 'view'
      ? { view: on.view }
      : { channel: { id: on.channel.id, name: on.channel.name }, ...(on.message ? { message: on.message } : {}), state: { values: {} }, response_url: on.responseUrl };
  return {
    type: 'block_actions',
    user: { id: user.id, username: user.name, name: user.name, team_id: workspace.team.id },
    api_app_id: workspace.bot.appId,
    token: VERIFICATION_TOKEN,
    container,
    trigger_id: p.triggerId,
    team: { id: workspace.team.id, domain: workspace.team.domain },
    enterprise: null,
    is_enterprise_install: false,
    ...surface,
    actions: [action],
  };
}

/** The input blocks of a view: block_id, action_id and element type, for state.values. */
export function inputsOf(view: Obj): { blockId: string; actionId: string; type: string; optional: boolean }[] {
  const blocks = Array.isArray(view.blocks) ? view.blocks : [];
  return blocks.flatMap((b) => {
    if (!isObj(b) || b.type !== 'input' || !isObj(b.element)) return [];
    return [{ blockId: String(b.block_id ?? ''), actionId: String(b.element.action_id ?? ''), type: String(b.element.type ?? ''), optional: b.optional === true }];
  });
}

/** A modal's submission: the view with state.values filled from what the person typed (null where nothing). */
export function viewSubmissionPayload(p: { workspace: Workspace; user: EmulatedUser; view: Obj; typed: Record<string, string>; triggerId: string }): Obj {
  const { workspace, user, view } = p;
  const values: Obj = {};
  for (const input of inputsOf(view)) {
    const typed = p.typed[input.blockId];
    values[input.blockId] = { [input.actionId]: { type: input.type, value: typed === undefined || typed === '' ? null : typed } };
  }
  return {
    type: 'view_submission',
    team: { id: workspace.team.id, domain: workspace.team.domain },
    user: { id: user.id, username: user.name, name: user.name, team_id: workspace.team.id },
    api_app_id: workspace.bot.appId,
    token: VERIFICATION_TOKEN,
    trigger_id: p.triggerId,
    view: { ...view, state: { values } },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}
