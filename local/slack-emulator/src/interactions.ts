// What a person does in Slack, turned into what Slack would send the bot (a signed request, or
// an envelope on a Socket Mode connection): slash commands, button clicks, and deliberately
// forged commands for tests.
import type { BotReply, createBotDispatch } from './bot-dispatch.js';
import { readContent } from './content.js';
import { SlackEmulatorError } from './errors.js';
import { blockActionsPayload, findButton, slashCommandBody, VERIFICATION_TOKEN } from './payloads.js';
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

interface Deps {
  workspace: Workspace;
  store: Store;
  responseUrls: ReturnType<typeof createResponseUrls>;
  dispatch: ReturnType<typeof createBotDispatch>;
  url: () => string;
}

export function createInteractions(deps: Deps) {
  const { workspace, store, responseUrls, dispatch } = deps;
  const triggers = new Map<string, string>();
  let triggerCount = 0;

  const userOf = (id: string) => findUser(workspace, id) ?? fail('user_not_found', `no user ${id} in the emulated workspace`);
  const channelOf = (id?: string) =>
    (id === undefined ? workspace.channels[0] : findChannel(workspace, id)) ?? fail('channel_not_found', `no channel ${id ?? '(default)'}`);

  function issueTrigger(userId: string): string {
    triggerCount += 1;
    const id = `${1000000000 + triggerCount}.${workspace.team.id.length}00000.${Buffer.from(String(triggerCount)).toString('hex')}`;
    triggers.set(id, userId);
    return id;
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
    userForTrigger: (id: string) => triggers.get(id),
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
      const payload = blockActionsPayload({
        workspace, user, channel, button, responseUrl, triggerId,
        messageTs: held.ts,
        isEphemeral: !message,
        ...(message ? { message: store.toSlack(message) } : {}),
        ...(threadTs ? { threadTs } : {}),
        actionTs: store.nextTs(),
      });
      // Slack ignores what the app answers to block_actions, over HTTP and over a socket alike.
      const rawBody = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
      const reply = await dispatch.send({ type: 'interactive', payload, acceptsResponsePayload: false, rawBody });
      return { ...reply, responseUrl, triggerId };
    },
  };
}

function fail(code: 'user_not_found' | 'channel_not_found' | 'message_not_found' | 'button_not_found', message: string): never {
  throw new SlackEmulatorError(code, message);
}
