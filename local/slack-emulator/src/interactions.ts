// What a person does in Slack, turned into what Slack would send the bot (a signed request, or
// an envelope on a Socket Mode connection): slash commands, button clicks, and deliberately
// forged commands for tests.
import type { BotReply, createBotDispatch } from './bot-dispatch.js';
import { readContent } from './content.js';
import { SlackEmulatorError } from './errors.js';
import { validateView } from './blocks-validation.js';
import { blockActionsPayload, findButton, inputsOf, slashCommandBody, VERIFICATION_TOKEN, viewSubmissionPayload, type ClickedOn } from './payloads.js';
import { storedView } from './web-api-directory.js';
import type { createResponseUrls } from './response-urls.js';
import type { Signing } from './signing.js';
import { isRoot, type Store } from './store.js';
import { findChannel, findUser, type Workspace } from './workspace.js';

export interface CommandInput {
  user: string;
  text: string;
  channel?: string;
  command?: string;
}

export interface ClickInput {
  user: string;
  ts: string;
  action_id: string;
  channel?: string;
  value?: string;
  block_id?: string;
}

export interface ForgedInput {
  kind: Exclude<Signing, 'valid'>;
  text?: string;
  user?: string;
}

export interface InteractionResult extends BotReply {
  responseUrl: string;
  triggerId: string;
}

/** A button on the person's Home tab (or open modal), found by action_id (and value / block_id). */
export interface ViewClickInput {
  user: string;
  surface?: 'home' | 'modal';
  action_id: string;
  value?: string;
  block_id?: string;
}

/** Submitting the person's open modal: what they typed, by input block_id. */
export interface SubmitInput {
  user: string;
  values?: Record<string, string>;
}

export interface SubmitResult extends BotReply {
  /** What the modal did: closed, stayed open with errors, was replaced (update), or was never sent (a required input is empty). */
  outcome: 'closed' | 'errors' | 'updated' | 'not-sent' | 'failed';
  errors?: Record<string, string>;
}

/** Slack's trigger_ids: usable once, within 3 s of the interaction that issued them. */
const TRIGGER_LIFETIME_MS = 3000;

interface Deps {
  workspace: Workspace;
  store: Store;
  responseUrls: ReturnType<typeof createResponseUrls>;
  dispatch: ReturnType<typeof createBotDispatch>;
  url: () => string;
  now: () => number;
}

export function createInteractions(deps: Deps) {
  const { workspace, store, responseUrls, dispatch } = deps;
  const triggers = new Map<string, { user: string; at: number; used: boolean }>();
  let triggerCount = 0;

  const userOf = (id: string) => findUser(workspace, id) ?? fail('user_not_found', `no user ${id} in the emulated workspace`);
  const channelOf = (id?: string) =>
    (id === undefined ? workspace.channels[0] : findChannel(workspace, id)) ?? fail('channel_not_found', `no channel ${id ?? '(default)'}`);

  function issueTrigger(userId: string): string {
    triggerCount += 1;
    const id = `${1000000000 + triggerCount}.${workspace.team.id.length}00000.${Buffer.from(String(triggerCount)).toString('hex')}`;
    triggers.set(id, { user: userId, at: deps.now(), used: false });
    return id;
  }

  function exchangeTrigger(id: string): { user: string } | { error: 'invalid_trigger_id' | 'expired_trigger_id' | 'exchanged_trigger_id' } {
    const trigger = triggers.get(id);
    if (!trigger) return { error: 'invalid_trigger_id' };
    if (trigger.used) return { error: 'exchanged_trigger_id' };
    if (deps.now() - trigger.at > TRIGGER_LIFETIME_MS) return { error: 'expired_trigger_id' };
    trigger.used = true;
    return { user: trigger.user };
  }

  /** What the app's answer to a view_submission does to the modal (Slack's response_action). */
  function applySubmissionAnswer(user: string, view: Record<string, unknown>, reply: BotReply): SubmitResult {
    if (reply.error) {
      store.setModalErrors(user, { _: 'We had some trouble connecting. Try again?' });
      return { ...reply, outcome: 'failed' };
    }
    const body = typeof reply.body === 'object' && reply.body !== null ? (reply.body as Record<string, unknown>) : {};
    const action = body.response_action;
    if (action === 'errors' && typeof body.errors === 'object' && body.errors !== null) {
      const errors = Object.fromEntries(Object.entries(body.errors as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      const known = new Set(inputsOf(view).map((i) => i.blockId));
      const stray = Object.keys(errors).filter((k) => !known.has(k));
      // Slack refuses errors that name no input block of the view; the modal then shows a generic error.
      store.setModalErrors(user, stray.length ? { _: `The app answered with errors for blocks that are not inputs: ${stray.join(', ')}` } : errors);
      return { ...reply, outcome: 'errors', errors };
    }
    if ((action === 'update' || action === 'push') && typeof body.view === 'object' && body.view !== null) {
      const problems = validateView(body.view, 'modal');
      if (problems.length > 0) {
        store.setModalErrors(user, { _: `The app answered with an invalid view: ${problems.join('; ')}` });
        return { ...reply, outcome: 'failed' };
      }
      // push keeps a stack in Slack; here the pushed view replaces the modal (no back button).
      store.setView(user, storedView(body.view as Record<string, unknown>, String(view.id), workspace), 'modal');
      return { ...reply, outcome: 'updated' };
    }
    store.closeModal(user);
    return { ...reply, outcome: 'closed' };
  }

  /** Shows the user Slack's answer to a command: the bot's HTTP reply or Slack's error line. */
  function showCommandReply(input: { command: string; user: string; channel: string; responseId: string }, reply: BotReply): void {
    const ephemeral = (text: string) => store.postEphemeral({ user: input.user, channel: input.channel, text });
    const slackbot = (error: string) => store.postEphemeral({ user: input.user, channel: input.channel, from: 'USLACKBOT', text: `${input.command} failed with the error "${error}"` });
    if (reply.error) {
      slackbot(reply.error);
      return;
    }
    if (typeof reply.body === 'string') {
      if (reply.body.trim()) responseUrls.noteEphemeral(input.responseId, ephemeral(reply.body).ts);
      return;
    }
    if (typeof reply.body !== 'object' || reply.body === null) return;
    const body = reply.body as Record<string, unknown>;
    if (body.text === undefined && body.blocks === undefined) return;
    const content = readContent(body);
    if (!content.ok) {
      slackbot(content.error);
      return;
    }
    if (body.response_type === 'in_channel') store.post({ channel: input.channel, user: workspace.bot.userId, ...content.content });
    else responseUrls.noteEphemeral(input.responseId, store.postEphemeral({ user: input.user, channel: input.channel, ...content.content }).ts);
  }

  async function sendCommand(input: CommandInput, signing: Signing): Promise<InteractionResult> {
    const user = userOf(input.user);
    const channel = channelOf(input.channel);
    const command = input.command ?? '/rollout';
    const responseId = responseUrls.issue({ user: user.id, channel: channel.id });
    const responseUrl = `${deps.url()}/response/${responseId}`;
    const triggerId = issueTrigger(user.id);
    const body = slashCommandBody({ workspace, channel, user, command, text: input.text, responseUrl, triggerId });
    const payload = Object.fromEntries(new URLSearchParams(body));
    const reply = await dispatch.send({ type: 'slash_commands', payload, acceptsResponsePayload: true, rawBody: body }, signing);
    if (signing === 'valid') showCommandReply({ command, user: user.id, channel: channel.id, responseId }, reply);
    return { ...reply, responseUrl, triggerId };
  }

  return {
    exchangeTrigger,

    /** A click on a button of the person's Home tab or open modal: block_actions with a view container. */
    async clickView(input: ViewClickInput): Promise<InteractionResult> {
      const user = userOf(input.user);
      const surface = input.surface ?? 'home';
      const view = (surface === 'home' ? store.views() : store.modals())[user.id] as Record<string, unknown> | undefined;
      if (!view) return fail('view_not_found', `${user.name} has no ${surface === 'home' ? 'published Home tab' : 'open modal'}`);
      const want = { actionId: input.action_id, value: input.value, blockId: input.block_id };
      const button = findButton(view.blocks as unknown[], want) ?? fail('button_not_found', `the ${surface} view has no button ${JSON.stringify(want)}`);
      const triggerId = issueTrigger(user.id);
      const payload = blockActionsPayload({ workspace, user, on: { kind: 'view', view }, button, triggerId, actionTs: store.nextTs() });
      const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const reply = await dispatch.send({ type: 'interactive', payload, acceptsResponsePayload: false, rawBody });
      return { ...reply, responseUrl: '', triggerId };
    },

    /**
     * The person presses the modal's submit button. As Slack's client does, a required input
     * (optional not true) left empty is refused on the spot and nothing is sent.
     */
    async submitView(input: SubmitInput): Promise<SubmitResult> {
      const user = userOf(input.user);
      const view = store.modals()[user.id] as Record<string, unknown> | undefined;
      if (!view) return fail('view_not_found', `${user.name} has no open modal`);
      const typed = input.values ?? {};
      const missing = inputsOf(view).filter((i) => !i.optional && !typed[i.blockId]);
      if (missing.length > 0) {
        const errors = Object.fromEntries(missing.map((i) => [i.blockId, 'Please complete this required field.']));
        store.setModalErrors(user.id, errors);
        return { status: 0, body: '', outcome: 'not-sent', errors };
      }
      const payload = viewSubmissionPayload({ workspace, user, view, typed, triggerId: issueTrigger(user.id) });
      const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      // The app's acknowledgment carries the response_action, over HTTP and over a socket alike.
      const reply = await dispatch.send({ type: 'interactive', payload, acceptsResponsePayload: true, rawBody });
      return applySubmissionAnswer(user.id, view, reply);
    },

    /** The person closes the modal (Cancel or ×). view_closed is not sent (it needs notify_on_close, which rollgate does not set). */
    closeView(input: { user: string }): { ok: true } {
      store.closeModal(userOf(input.user).id);
      return { ok: true };
    },
    command: (input: CommandInput) => sendCommand(input, 'valid'),
    forged: (input: ForgedInput) => sendCommand({ user: input.user ?? workspace.users[0]?.id ?? '', text: input.text ?? 'help' }, input.kind),

    /** The person opens the app's Home tab: Slack sends the app an app_home_opened event. */
    async homeOpened(input: { user: string }): Promise<BotReply> {
      const user = userOf(input.user);
      const eventTs = store.nextTs();
      const payload = {
        token: VERIFICATION_TOKEN,
        team_id: workspace.team.id,
        api_app_id: workspace.bot.appId,
        event: { type: 'app_home_opened', user: user.id, channel: `D${user.id.slice(1)}`, tab: 'home', event_ts: eventTs },
        type: 'event_callback',
        event_id: `Ev${eventTs.replace('.', '')}`,
        event_time: Math.floor(Number(eventTs)),
      };
      return dispatch.send({ type: 'events_api', payload, acceptsResponsePayload: false, rawBody: JSON.stringify(payload) });
    },

    async click(input: ClickInput): Promise<InteractionResult> {
      const user = userOf(input.user);
      const message = store.find(input.channel === undefined ? undefined : channelOf(input.channel).id, input.ts);
      const ephemeral = message ? undefined : store.findEphemeral(user.id, input.ts);
      const held = message ?? ephemeral ?? fail('message_not_found', `no message with ts ${input.ts} that ${user.name} can see`);
      const want = { actionId: input.action_id, value: input.value, blockId: input.block_id };
      const button = findButton(held.blocks, want) ?? fail('button_not_found', `message ${input.ts} has no button ${JSON.stringify(want)}`);
      const channel = channelOf(held.channel);
      const threadTs = message && !isRoot(message) ? message.threadTs : ephemeral?.threadTs;
      const responseId = responseUrls.issue({ user: user.id, channel: channel.id, messageTs: held.ts, messageIsEphemeral: !message, ...(threadTs ? { threadTs } : {}) });
      const responseUrl = `${deps.url()}/response/${responseId}`;
      const triggerId = issueTrigger(user.id);
      const on: ClickedOn = {
        kind: 'message', channel, responseUrl,
        messageTs: held.ts,
        isEphemeral: !message,
        ...(message ? { message: store.toSlack(message) } : {}),
        ...(threadTs ? { threadTs } : {}),
      };
      const payload = blockActionsPayload({ workspace, user, on, button, triggerId, actionTs: store.nextTs() });
      // Slack ignores what the app answers to block_actions, over HTTP and over a socket alike.
      const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const reply = await dispatch.send({ type: 'interactive', payload, acceptsResponsePayload: false, rawBody });
      return { ...reply, responseUrl, triggerId };
    },
  };
}

function fail(code: 'user_not_found' | 'channel_not_found' | 'message_not_found' | 'button_not_found' | 'view_not_found', message: string): never {
  throw new SlackEmulatorError(code, message);
}
