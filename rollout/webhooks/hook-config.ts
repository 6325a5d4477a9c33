// `analysis.webhooks` in the config: Flagger's list of hooks (same field names, same types,
// same defaults), or Kurator's `{command, timeoutSeconds}` form, which is a `rollout` hook per
// command aimed at the app's test loader, as Kurator generates it for Flagger.
import { z } from 'zod';
import { parseDuration } from '../duration.js';

export const HOOK_TYPES = ['confirm-rollout', 'pre-rollout', 'rollout', 'confirm-traffic-increase', 'confirm-promotion', 'post-rollout', 'rollback', 'event'] as const;
export type HookType = (typeof HOOK_TYPES)[number];

/** What a hook's url and metadata values may say between {{ }}; filled in per call. */
export const HOOK_VARIABLES = ['cluster', 'namespace', 'deployment', 'version', 'rollout'] as const;
export type HookVariables = Partial<Record<(typeof HOOK_VARIABLES)[number], string>>;

/** Flagger's default request timeout for a hook. */
export const DEFAULT_HOOK_TIMEOUT_MS = 10_000;
/** Kurator's default for `timeoutSeconds`. */
const KURATOR_TIMEOUT_S = 60;

const PLACEHOLDER = /\{\{\s*([a-zA-Z]+)\s*\}\}/g;

function unknownVariables(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string).filter((name) => !(HOOK_VARIABLES as readonly string[]).includes(name));
}

const templated = (schema: z.ZodString) =>
  schema.superRefine((text, ctx) => {
    const unknown = unknownVariables(text);
    if (unknown.length > 0) ctx.addIssue({ code: 'custom', message: `unknown variable ${unknown.map((n) => `{{${n}}}`).join(', ')}; known: ${HOOK_VARIABLES.map((n) => `{{${n}}}`).join(', ')}` });
  });

const hookTimeout = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 100) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a timeout; write it like "10s" or "1m" (at least 100ms)` });
    return z.NEVER;
  }
  return ms;
});

const flaggerHook = z.strictObject({
  name: z.string().min(1, 'name the hook (it is shown in summaries and refusals)'),
  /** Flagger: a hook without a type is a `rollout` hook. */
  type: z.enum(HOOK_TYPES, { error: `type is one of ${HOOK_TYPES.join(', ')}` }).default('rollout'),
  url: templated(z.string()).refine((text) => URL.canParse(text.replaceAll(PLACEHOLDER, 'x')) && /^https?:/.test(text), 'must be an http:// or https:// URL'),
  timeout: hookTimeout.default(DEFAULT_HOOK_TIMEOUT_MS),
  metadata: z.record(z.string(), templated(z.string())).optional(),
  /** Flagger: retries on connection errors, 429 and 5xx, backing off 1 s, 2 s, 4 s… (at most 30 s). */
  retries: z.int().min(0).max(10).default(0),
  /** Flagger: no channel notice about this hook's waiting (confirm-* hooks). */
  muteAlert: z.boolean().default(false),
  /** Flagger: skip TLS verification of an https url. */
  disableTLS: z.boolean().default(false),
});

const kuratorHooks = z.strictObject({
  command: z.array(z.string().min(1)).min(1, 'give at least one command for the test loader'),
  timeoutSeconds: z.int().min(1).default(KURATOR_TIMEOUT_S),
  /** Not in Kurator: where the test loader answers; default Kurator's private one, http://DEPLOYMENT-testloader.NAMESPACE/. */
  url: z.url({ protocol: /^https?$/ }).optional(),
});

export type HookConfig = z.output<typeof flaggerHook>;
export type WebhooksConfig = HookConfig[] | z.output<typeof kuratorHooks>;

/** A list is Flagger's form, an object Kurator's; each is validated on its own so problems name their field. */
export const webhooksSchema = z.unknown().transform((value, ctx): WebhooksConfig => {
  if (!Array.isArray(value) && (typeof value !== 'object' || value === null)) {
    ctx.addIssue({ code: 'custom', message: "write a list of Flagger hooks [{name, type, url, timeout, metadata}] or Kurator's {command: [...], timeoutSeconds: N}" });
    return z.NEVER;
  }
  const parsed = Array.isArray(value) ? z.array(flaggerHook).safeParse(value) : kuratorHooks.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

/** Every hook of an app in Flagger's form: Kurator's commands become `rollout` hooks. */
export function appHooks(app: { namespace: string; deployment: string; analysis: { webhooks?: WebhooksConfig | undefined } }): HookConfig[] {
  const hooks = app.analysis.webhooks;
  if (!hooks) return [];
  if (Array.isArray(hooks)) return hooks;
  // Kurator's renderCanaryAnalysis: one hook per command, named generated-testload-N, metadata {type: cmd, cmd}.
  const url = hooks.url ?? `http://${app.deployment}-testloader.${app.namespace}/`;
  return hooks.command.map((cmd, i) => ({
    name: `generated-testload-${i}`,
    type: 'rollout' as const,
    url,
    timeout: hooks.timeoutSeconds * 1000,
    metadata: { type: 'cmd', cmd },
    retries: 0,
    muteAlert: false,
    disableTLS: false,
  }));
}

export function hooksOfType(app: Parameters<typeof appHooks>[0], type: HookType): HookConfig[] {
  return appHooks(app).filter((h) => h.type === type);
}

/** Fills {{cluster}} and friends; variables not given for this call are left empty. */
export function renderHookText(text: string, variables: HookVariables): string {
  return text.replace(PLACEHOLDER, (_m, name: string) => variables[name as keyof HookVariables] ?? '');
}
