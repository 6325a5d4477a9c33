// The /rollout slash command. A command that changes something is queued (or recorded) before
// the ack, where Slack's 3 s allow it (ack-after.ts); one that only reads is answered in the ack.
import type { App, RespondArguments, RespondFn } from '@slack/bolt';
import { startRollout } from '../../jobs/start-rollout.js';
import type { AppConfig } from '../../rollout/config.js';
import { ABORT_WHY } from '../../rollout/model.js';
import { auditLines } from '../blocks/audit-lines.js';
import { cooldownWords } from '../blocks/answer-words.js';
import { alreadyRunningText, lastAnalysisBlocks, rootMessage } from '../blocks/messages.js';
import type { BotContext } from '../context.js';
import { READ_ACK_BUDGET_MS, resultOrLate, settledOrLate } from '../ack-after.js';
import { HELP_TEXT, parseCommand, type Command } from './parse.js';

type ReadCommand = Extract<Command, { kind: 'list' | 'status' | 'audit' }>;
type WriteCommand = Exclude<Command, ReadCommand | { kind: 'help' }>;

const isRead = (command: Command): command is ReadCommand => command.kind === 'list' || command.kind === 'status' || command.kind === 'audit';

/** A private answer to the person who typed the command. */
interface Reply {
  text: string;
  blocks?: unknown[];
}

const ephemeral = (reply: Reply): RespondArguments => ({ response_type: 'ephemeral', text: reply.text, ...(reply.blocks ? { blocks: reply.blocks as never } : {}) });

export function registerRolloutCommand(app: App, ctx: BotContext): void {
  app.command(/^\/.+/, async ({ command, ack, respond }) => {
    const parsed = parseCommand(command.text ?? '', ctx.config);
    if (!parsed.ok) {
      await ack({ response_type: 'ephemeral', text: `:warning: ${parsed.error}` });
      return;
    }
    if (parsed.command.kind === 'help') {
      await ack({ response_type: 'ephemeral', text: HELP_TEXT });
      return;
    }
    if (isRead(parsed.command)) return answerRead(parsed.command, ack, respond, ctx);
    const caller = { user: command.user_id, inputId: command.trigger_id, responseUrl: command.response_url };
    const writeCommand = parsed.command;
    let replayed = false;
    const work = (async () => {
      // A signed request replayed within Slack's 5 minutes carries the same trigger_id.
      if (ctx.firstDelivery && !(await ctx.firstDelivery(`command.${command.trigger_id}`))) return void (replayed = true);
      await run(writeCommand, caller, respond, ctx);
    })();
    // Queued (or recorded) before the 200 where the budget allows: see ack-after.ts.
    await settledOrLate(work);
    if (replayed) {
      await ack({ response_type: 'ephemeral', text: ':information_source: This request was already received; it is not run twice.' });
      return;
    }
    await ack();
    await work.catch((error: unknown) => tellFailed(error, writeCommand.kind, respond, ctx));
  });
}

async function tellFailed(error: unknown, kind: Command['kind'], respond: RespondFn, ctx: BotContext): Promise<void> {
  ctx.log.error({ err: error instanceof Error ? error.message : String(error), command: kind }, 'command failed');
  await respond({ response_type: 'ephemeral', text: `:warning: Your \`${kind}\` was not done: ${error instanceof Error ? error.message : String(error)}. Nothing was queued; try again.` }).catch(() => undefined);
}

/**
 * A read carries its answer in the ack: it shows with the 200, and no second request (a POST to
 * the response_url) is made. Nothing is written, so nothing needs to be safe in Redis first, and
 * a replayed read just answers again. A read slower than READ_ACK_BUDGET_MS is acknowledged
 * empty and answered through the response_url when it is done.
 */
async function answerRead(command: ReadCommand, ack: (answer?: RespondArguments) => Promise<void>, respond: RespondFn, ctx: BotContext): Promise<void> {
  const reply = read(command, ctx);
  const early = await resultOrLate(reply, READ_ACK_BUDGET_MS);
  if (early) return ack(ephemeral(early.value));
  await ack();
  await reply.then(
    (late) => respond(ephemeral(late)),
    (error: unknown) => tellFailed(error, command.kind, respond, ctx),
  );
}

async function read(command: ReadCommand, ctx: BotContext): Promise<Reply> {
  switch (command.kind) {
    case 'status': {
      const id = await findRollout(command.target, ctx);
      const rollout = id ? await ctx.store.get(id) : undefined;
      if (!rollout) return { text: command.target ? `:no_entry: No rollout matches \`${command.target}\`.` : 'No rollout is running. Start one with `/rollout start APP VERSION`.' };
      const message = rootMessage(rollout, ctx.clock());
      return { text: message.text, blocks: [...message.blocks, ...lastAnalysisBlocks(rollout)] };
    }
    case 'list': {
      const rollouts = await ctx.store.activeRollouts();
      if (rollouts.length === 0) return { text: 'No rollout is running.' };
      return { text: rollouts.map((r) => `• \`${r.id}\` ${r.app} ${r.fromVersion ?? '…'} → ${r.version}: ${r.phase}`).join('\n') };
    }
    case 'audit': {
      const entries = await ctx.store.audit(command.id);
      if (entries.length === 0) return { text: `:no_entry: No audit entries for \`${command.id}\`.` };
      return { text: `*Audit of \`${command.id}\`* (${entries.length} entries, oldest first)\n${auditLines(entries).join('\n')}` };
    }
  }
}

interface Caller {
  user: string;
  inputId: string;
  responseUrl: string;
}

async function run(command: WriteCommand, caller: Caller, respond: RespondFn, ctx: BotContext): Promise<void> {
  const say = (text: string) => respond({ response_type: 'ephemeral', text });
  switch (command.kind) {
    case 'start':
      return start(command, caller, say, ctx);
    case 'operate': {
      if (!(await ctx.store.get(command.id))) return void (await say(`:no_entry: There is no rollout \`${command.id}\`.`));
      await ctx.queues.input({ rolloutId: command.id, inputId: caller.inputId, kind: 'operate', op: command.op, clusters: command.clusters, user: caller.user, responseUrl: caller.responseUrl });
      return;
    }
    case 'approve':
    case 'rollback':
    case 'abort':
    case 'pause':
    case 'resume':
    case 'retry': {
      if (!(await ctx.store.get(command.id))) return void (await say(`:no_entry: There is no rollout \`${command.id}\`.`));
      const base = { rolloutId: command.id, inputId: caller.inputId, user: caller.user, responseUrl: caller.responseUrl };
      if (command.kind === 'approve') await ctx.queues.input({ ...base, kind: 'approve', cluster: command.cluster });
      // One cluster: undo its canary and promotion only (seed Demo 3); otherwise the whole rollout.
      else if (command.kind === 'rollback' && command.cluster) await ctx.queues.input({ ...base, kind: 'operate', op: 'rollback', clusters: [command.cluster] });
      else if (command.kind === 'rollback') await ctx.queues.input({ ...base, kind: 'rollback' });
      else if (command.kind === 'abort') await ctx.queues.input({ ...base, kind: 'rollback', why: ABORT_WHY });
      else await ctx.queues.input({ ...base, kind: command.kind });
      return;
    }
  }
}

async function start(command: Extract<Command, { kind: 'start' }>, caller: Caller, say: (text: string) => Promise<unknown>, ctx: BotContext): Promise<void> {
  const app = ctx.config.apps.find((a) => a.name === command.app);
  if (!app) return void (await say(`:no_entry: Unknown app ${command.app}.`));
  const request = {
    version: command.version,
    requester: caller.user,
    notifyUrl: caller.responseUrl,
    ...(command.clusters ? { clusters: command.clusters } : {}),
    ...(command.strategy ? { strategy: command.strategy } : {}),
    ...(command.auto ? { autoPromote: true } : {}),
  };
  const cluster = command.clusters?.[0] ?? app.clusters[0];
  const running = cluster !== undefined ? await runningVersion(ctx, app, cluster) : undefined;
  if (running === command.version) {
    return void (await say(alreadyRunningText(app.name, command.version, ctx.config.fleet.mode === 'direct' ? cluster : undefined)));
  }
  const active = command.supersede ? await ctx.store.activeFor(app.name) : undefined;
  if (active) {
    // Supersede: roll the running rollout back (same rules as a rollback), then start this one.
    await ctx.queues.input({ rolloutId: active, inputId: caller.inputId, kind: 'rollback', user: caller.user, responseUrl: caller.responseUrl, why: `superseded by ${command.version}`, successor: request });
    return void (await say(`:arrows_counterclockwise: Rolling back \`${active}\` first; ${app.name} ${command.version} starts from the beginning once it is rolled back.`));
  }
  const outcome = await startRollout({ store: ctx.store, runner: { dispatch: ctx.dispatch }, clock: ctx.clock, tuning: ctx.tuning }, app, request);
  if (outcome.kind === 'cooldown') return void (await say(`:hourglass_flowing_sand: ${cooldownWords(outcome)}`));
  if (outcome.kind === 'busy') {
    const link = await ctx.permalink(outcome.activeId);
    return void (await say(`:no_entry: ${app.name} is already rolling out in ${link ? `<${link}|${outcome.activeId}>` : `\`${outcome.activeId}\``}. One rollout per app at a time; \`--supersede\` rolls it back and starts yours.`));
  }
  await say(`:rocket: Rollout \`${outcome.rollout.id}\` of ${app.name} ${command.version} is queued; follow it in <#${app.channel}>.`);
}

/** How long a start waits for the fleet to say what runs; past it, the start step checks instead. */
const RUNNING_VERSION_WAIT_MS = 1500;

/** The base's version, or undefined when it cannot be read in time (the start step checks again). */
async function runningVersion(ctx: BotContext, app: AppConfig, cluster: string): Promise<string | undefined> {
  if (!ctx.runningVersion) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), RUNNING_VERSION_WAIT_MS);
  });
  const read = ctx.runningVersion(app, cluster).catch((error: unknown) => {
    ctx.log.warn({ app: app.name, err: error instanceof Error ? error.message : String(error) }, 'could not read the running version before a start; the start step checks it');
    return undefined;
  });
  try {
    return await Promise.race([read, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function findRollout(target: string | undefined, ctx: BotContext): Promise<string | undefined> {
  if (!target) return (await ctx.store.activeIds())[0];
  if (await ctx.store.get(target)) return target;
  const app = ctx.config.apps.find((a) => a.name === target);
  return app ? ((await ctx.store.activeFor(app.name)) ?? (await ctx.store.latestFor(app.name))) : undefined;
}
