// Slash command text -> a command, or a clear error with the usage. Pure and total: any
// text of any length or alphabet gives one or the other, never an exception.
import { z } from 'zod';
import { isDnsLabel, type Config } from '../../rollout/config.js';
import type { OperationKind, Strategy } from '../../rollout/model.js';
import { closest } from '../../rollout/closest.js';

export type Command =
  | { kind: 'help' }
  | { kind: 'start'; app: string; version: string; clusters?: string[]; strategy?: Strategy; auto?: boolean; supersede?: boolean }
  | { kind: 'operate'; op: OperationKind; id: string; clusters: string[] }
  | { kind: 'status'; target?: string }
  | { kind: 'list' }
  | { kind: 'approve'; id: string; cluster: string }
  | { kind: 'rollback'; id: string; cluster?: string }
  | { kind: 'abort'; id: string }
  | { kind: 'pause'; id: string }
  | { kind: 'resume'; id: string }
  | { kind: 'retry'; id: string }
  | { kind: 'audit'; id: string };

export type Parsed = { ok: true; command: Command } | { ok: false; error: string };

export const USAGE: Record<string, string> = {
  start: '`/rollout start APP VERSION [--clusters a,b] [--strategy per-cluster|canary-first] [--auto] [--supersede]`',
  canary: '`/rollout canary ID CLUSTER...`',
  uncanary: '`/rollout uncanary ID CLUSTER...`',
  promote: '`/rollout promote ID CLUSTER...`',
  unpromote: '`/rollout unpromote ID CLUSTER...`',
  status: '`/rollout status [APP|ID]`',
  list: '`/rollout list`',
  approve: '`/rollout approve ID CLUSTER`',
  rollback: '`/rollout rollback ID [CLUSTER]`',
  abort: '`/rollout abort ID`',
  pause: '`/rollout pause ID`',
  resume: '`/rollout resume ID`',
  retry: '`/rollout retry ID`',
  audit: '`/rollout audit ID`',
  help: '`/rollout help`',
};

export const HELP_TEXT = [
  '*rollgate* runs canary rollouts across the fleet and stops at a gate per cluster.',
  `• ${USAGE.start}: deploy VERSION of APP as a canary, analyse it, then promote cluster by cluster`,
  `• ${USAGE.status}: phase, per-cluster state and last analysis`,
  `• ${USAGE.list}: active rollouts`,
  `• ${USAGE.approve}: the same as the Approve button`,
  `• ${USAGE.rollback}: undo every canary and promotion of a rollout, or only in CLUSTER`,
  `• ${USAGE.abort}: stop the rollout and roll every cluster back`,
  `• ${USAGE.pause} / ${USAGE.resume}: hold analysis and gates; resume continues where it was`,
  `• ${USAGE.retry}: run a held step now instead of at its next retry (also the Retry button on the held notice)`,
  `• ${USAGE.audit}: who did what to the rollout, and when`,
  `• ${USAGE.canary} / ${USAGE.uncanary}: deploy or remove the canary in named clusters only`,
  `• ${USAGE.promote} / ${USAGE.unpromote}: promote named clusters (out of order if need be), or undo their promotion`,
  '`--supersede` on start rolls the running rollout of the app back first, then starts the new version.',
  '`--auto` and `--supersede` take no value; `--clusters` and `--strategy` take one, as `--clusters a,b` or `--clusters=a,b`.',
].join('\n');

const MAX_TEXT = 1000;
const VERSION = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$/;
const ROLLOUT_ID = /^[a-z0-9][-a-z0-9]{0,80}-\d{1,9}$/;

const startFlags = z.strictObject({
  clusters: z.string().optional(),
  strategy: z.enum(['per-cluster', 'canary-first'], { error: 'strategy is per-cluster or canary-first' }).optional(),
  auto: z.literal(true).optional(),
  supersede: z.literal(true).optional(),
});

const fail = (error: string, usage: string): Parsed => ({ ok: false, error: `${error}\nUsage: ${usage}` });
const show = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

const SWITCHES = new Set(['auto', 'supersede']);

/**
 * Flags as documented: `--auto` and `--supersede` are switches and take no value (so
 * `--supersede=no` is an error, not a yes); the others take one, as `--name value` or
 * `--name=value`; none may be given twice.
 */
function splitFlags(words: string[]): { positional: string[]; flags: Record<string, string | true>; error?: string } {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith('--')) {
      positional.push(word);
      continue;
    }
    const equals = word.indexOf('=');
    const name = equals < 0 ? word.slice(2) : word.slice(2, equals);
    const inline = equals < 0 ? undefined : word.slice(equals + 1);
    if (Object.hasOwn(flags, name)) return { positional, flags, error: `--${name} is given twice.` };
    if (SWITCHES.has(name)) {
      if (inline !== undefined) return { positional, flags, error: `--${name} takes no value: write \`--${name}\`, or leave it out.` };
      flags[name] = true;
    } else if (inline !== undefined) {
      if (inline === '') return { positional, flags, error: `--${name} needs a value` };
      flags[name] = inline;
    } else if (words[i + 1] !== undefined && !(words[i + 1] as string).startsWith('--')) flags[name] = words[++i] as string;
    else return { positional, flags, error: `--${name} needs a value` };
  }
  return { positional, flags };
}

/** A comma-separated list of names; an empty item (`a,,b`, `a,`) is a mistake, not nothing. */
function splitList(text: string): { items: string[] } | { error: string } {
  const items = text.split(',').map((c) => c.trim());
  if (items.some((c) => c === '')) return { error: `${show(text)} has an empty item: separate names with single commas, like \`member1,member2\`.` };
  return { items };
}

function parseStart(words: string[], config: Config): Parsed {
  const { positional, flags, error } = splitFlags(words);
  if (error) return fail(error, USAGE.start as string);
  const [appName, version, ...extra] = positional;
  if (!appName || !version) return fail('Say which app and which version.', USAGE.start as string);
  if (extra.length > 0) return fail(`Unexpected ${show(extra.join(' '))}.`, USAGE.start as string);
  const app = config.apps.find((a) => a.name === appName);
  if (!app) {
    const guess = closest(appName, config.apps.map((a) => a.name));
    return fail(`Unknown app ${show(appName)}.${guess ? ` Did you mean \`${guess}\`?` : ''} Apps: ${config.apps.map((a) => `\`${a.name}\``).join(', ')}.`, USAGE.start as string);
  }
  if (!VERSION.test(version)) return fail(`${show(version)} is not a version: letters, digits, ".", "_", "-" and "+", up to 128.`, USAGE.start as string);
  const checked = startFlags.safeParse(flags);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const unknown = issue?.code === 'unrecognized_keys' ? `Unknown flag --${issue.keys[0]}.` : (issue?.message ?? 'Bad flags.');
    return fail(unknown, USAGE.start as string);
  }
  const listed = checked.data.clusters === undefined ? undefined : splitList(checked.data.clusters);
  if (listed && 'error' in listed) return fail(`--clusters: ${listed.error}`, USAGE.start as string);
  const clusters = listed?.items;
  for (const cluster of clusters ?? []) {
    if (!app.clusters.includes(cluster)) {
      const guess = closest(cluster, app.clusters);
      return fail(`${show(cluster)} is not a cluster of ${app.name}.${guess ? ` Did you mean \`${guess}\`?` : ''} Clusters: ${app.clusters.join(', ')}.`, USAGE.start as string);
    }
  }
  if (clusters && clusters.length === 0) return fail('--clusters needs at least one cluster.', USAGE.start as string);
  if (clusters && new Set(clusters).size !== clusters.length) return fail('--clusters lists a cluster twice.', USAGE.start as string);
  return {
    ok: true,
    command: {
      kind: 'start',
      app: app.name,
      version,
      ...(clusters ? { clusters } : {}),
      ...(checked.data.strategy ? { strategy: checked.data.strategy } : {}),
      ...(checked.data.auto ? { auto: true } : {}),
      ...(checked.data.supersede ? { supersede: true } : {}),
    },
  };
}

function parseId(word: string | undefined, usage: string): { id: string } | { error: Parsed } {
  if (!word) return { error: fail('Say which rollout (its id, like `checkout-12`).', usage) };
  if (!ROLLOUT_ID.test(word)) return { error: fail(`${show(word)} is not a rollout id (like \`checkout-12\`).`, usage) };
  return { id: word };
}

export function parseCommand(text: string, config: Config): Parsed {
  if (text.length > MAX_TEXT) return fail(`That command is ${text.length} characters long; commands are short.`, USAGE.help as string);
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [verb, ...rest] = words;
  switch (verb?.toLowerCase()) {
    case undefined:
    case 'help':
      return { ok: true, command: { kind: 'help' } };
    case 'start':
      return parseStart(rest, config);
    case 'status':
      if (rest.length > 1) return fail('status takes one app or rollout id at most.', USAGE.status as string);
      return { ok: true, command: rest[0] ? { kind: 'status', target: rest[0] } : { kind: 'status' } };
    case 'list':
      return rest.length ? fail('list takes no arguments.', USAGE.list as string) : { ok: true, command: { kind: 'list' } };
    case 'approve': {
      const parsed = parseId(rest[0], USAGE.approve as string);
      if ('error' in parsed) return parsed.error;
      if (!rest[1] || rest.length > 2) return fail('Say which cluster to approve.', USAGE.approve as string);
      return { ok: true, command: { kind: 'approve', id: parsed.id, cluster: rest[1] } };
    }
    case 'canary':
    case 'uncanary':
    case 'promote':
    case 'unpromote': {
      const op = verb.toLowerCase() as OperationKind;
      const usage = USAGE[op] as string;
      const parsed = parseId(rest[0], usage);
      if ('error' in parsed) return parsed.error;
      if (rest.length < 2) return fail('Name at least one cluster.', usage);
      const lists = rest.slice(1).map(splitList);
      const broken = lists.find((l) => 'error' in l);
      if (broken && 'error' in broken) return fail(broken.error, usage);
      const clusters = lists.flatMap((l) => ('items' in l ? l.items : []));
      const bad = clusters.find((c) => !isDnsLabel(c));
      if (bad !== undefined) return fail(`${show(bad)} is not a cluster name.`, usage);
      return { ok: true, command: { kind: 'operate', op, id: parsed.id, clusters: [...new Set(clusters)] } };
    }
    case 'rollback': {
      const parsed = parseId(rest[0], USAGE.rollback as string);
      if ('error' in parsed) return parsed.error;
      if (rest.length > 2) return fail('Roll back the whole rollout, or one cluster.', USAGE.rollback as string);
      const cluster = rest[1];
      if (cluster !== undefined && !isDnsLabel(cluster)) return fail(`${show(cluster)} is not a cluster name.`, USAGE.rollback as string);
      return { ok: true, command: cluster ? { kind: 'rollback', id: parsed.id, cluster } : { kind: 'rollback', id: parsed.id } };
    }
    case 'abort':
    case 'pause':
    case 'resume':
    case 'retry':
    case 'audit': {
      const kind = verb.toLowerCase() as 'abort' | 'pause' | 'resume' | 'retry' | 'audit';
      const parsed = parseId(rest[0], USAGE[kind] as string);
      if ('error' in parsed) return parsed.error;
      if (rest.length > 1) return fail(`${kind} takes a rollout id only.`, USAGE[kind] as string);
      return { ok: true, command: { kind, id: parsed.id } };
    }
    default: {
      const word = verb ?? '';
      const guess = closest(word, Object.keys(USAGE));
      return fail(`Unknown command ${show(word)}.${guess ? ` Did you mean \`${guess}\`?` : ''}`, Object.values(USAGE).join(', '));
    }
  }
}
