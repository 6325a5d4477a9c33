// The operator's config (rollgate.yaml), validated once at start. Unknown keys are errors:
// a typo in a gate setting must never silently fall back to a default.
import { z } from 'zod';
import { linkSchema } from './links.js';
import { crossCheck, describeIssues } from './config-checks.js';
import { parseAllowance } from './analysis/baseline.js';
import { parseDuration } from './duration.js';
import { templateProblems } from './metrics/templates.js';
import { webhooksSchema } from './webhooks/hook-config.js';
import { trafficSchema, type TrafficConfig } from './traffic/traffic-config.js';

/** A DNS-1123 label: what cluster and app names are (config and slash commands alike). */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const isDnsLabel = (text: string) => text.length <= 63 && DNS_LABEL.test(text);

const dnsLabel = z.string().regex(DNS_LABEL, 'must be a DNS-1123 label: lower-case letters, digits and "-"').max(63);

const duration = (min: number, example: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write it like "${example}" (units ms, s, m, h, d)` });
      return z.NEVER;
    }
    if (ms < min) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is too short; the minimum is ${min / 1000}s` });
      return z.NEVER;
    }
    return ms;
  });

/** "10%" (relative to the baseline), "1pt" or a plain number such as 50 (absolute; YAML reads `50` as a number). */
const allowance = z
  .union([z.number().nonnegative().transform(String), z.string()], { error: 'write "10%" (relative to the baseline) or "1pt" / 50 (absolute)' })
  .refine((t) => parseAllowance(t) !== undefined, 'write "10%" (relative to the baseline) or "1pt" / 50 (absolute)');

export const BUILT_IN_METRICS = ['request-success-rate', 'request-duration', 'pod-restarts', 'oom-kills', 'pods-not-ready'] as const;

const metricSchema = z
  .strictObject({
    name: dnsLabel,
    query: z.string().min(1).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    /** Against the stable pods of the same cluster: "10%" relative, "1pt" or "50" absolute. */
    maxIncrease: allowance.optional(),
    maxDecrease: allowance.optional(),
    dryRun: z.boolean().default(false),
  })
  .superRefine((m, ctx) => {
    const builtIn = (BUILT_IN_METRICS as readonly string[]).includes(m.name);
    if (!builtIn && !m.query) {
      ctx.addIssue({
        code: 'custom',
        path: ['query'],
        message: `"${m.name}" is not a built-in metric (${BUILT_IN_METRICS.join(', ')}); a custom metric needs a PromQL query`,
      });
    }
    if (m.min === undefined && m.max === undefined && m.maxIncrease === undefined && m.maxDecrease === undefined) {
      ctx.addIssue({ code: 'custom', message: 'give a threshold: min, max, maxIncrease or maxDecrease' });
    }
    if (m.min !== undefined && m.max !== undefined && m.min > m.max) {
      ctx.addIssue({ code: 'custom', path: ['max'], message: `max ${m.max} is below min ${m.min}: no value could pass; swap them?` });
    }
    for (const problem of templateProblems(m.query ?? '')) ctx.addIssue({ code: 'custom', path: ['query'], message: problem });
  });

const clusterSchema = z.strictObject({
  name: dnsLabel,
  context: z.string().min(1).optional(),
  prometheus: z
    .strictObject({
      url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, like http://prometheus.monitoring:9090' }),
      timeout: duration(100, '10s').default(10_000),
    })
    .optional(),
});

const appSchema = z.strictObject({
  name: dnsLabel,
  namespace: dnsLabel.default('default'),
  deployment: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name').max(230),
  container: z.string().min(1),
  version: z.union([z.strictObject({ env: z.string().min(1) }), z.strictObject({ image: z.literal(true) })], {
    error: 'write {env: VARIABLE} (the version is an env value) or {image: true} (the version is the image tag)',
  }),
  channel: z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id like C0123ABCD (not a #name)'),
  clusters: z.array(dnsLabel).min(1, 'name at least one cluster'),
  strategy: z.enum(['per-cluster', 'canary-first']).default('per-cluster'),
  canary: z
    .strictObject({ replicas: z.int().min(1).optional(), percentage: z.number().gt(0).max(100).optional(), traffic: trafficSchema.optional() })
    .refine((c) => c.replicas === undefined || c.percentage === undefined, 'write {replicas: N} or {percentage: P}, not both')
    .transform((c): { replicas: number; traffic?: TrafficConfig } | { percentage: number; traffic?: TrafficConfig } => {
      const traffic = c.traffic ? { traffic: c.traffic } : {};
      return c.percentage !== undefined ? { percentage: c.percentage, ...traffic } : { replicas: c.replicas ?? 1, ...traffic };
    })
    .default({ replicas: 1 }),
  analysis: z.strictObject({
    interval: duration(1000, '1m').default(60_000),
    iterations: z.int().min(1).default(3),
    failureLimit: z.int().min(1).default(2),
    /** Measurement errors in a row that end the rollout; unset: a metric with no value is a failed check. */
    consecutiveErrorLimit: z.int().min(1).optional(),
    provider: z.enum(['plain', 'istio']).default('plain'),
    metrics: z.array(metricSchema).min(1, 'list at least one metric'),
    /** Flagger-compatible webhooks (rollout/webhooks/hook-config.ts), or Kurator's {command, timeoutSeconds}. */
    webhooks: webhooksSchema.optional(),
  }),
  approvals: z
    .strictObject({
      approvers: z
        .strictObject({ users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user id like U0123ABCD')).default([]), groups: z.array(z.string().regex(/^S[A-Z0-9]+$/, 'must be a Slack user group id like S0123ABCD')).default([]) })
        .default({ users: [], groups: [] }),
      allowSelfApproval: z.boolean().default(false),
      autoPromote: z.boolean().default(false),
      timeout: duration(1000, '4h').default(4 * 3_600_000),
      onTimeout: z.enum(['rollback', 'hold']).default('rollback'),
      /** canary.traffic: each weight step waits for an approver's click instead of moving after a passing interval. */
      trafficSteps: z.boolean().default(false),
      /** Whether the Rollback and Approve buttons open a modal asking why (bot/actions/reason-modal.ts); off: the confirm dialog. */
      reasons: z
        .strictObject({ rollback: z.enum(['required', 'optional', 'off']).default('off'), approve: z.enum(['required', 'optional', 'off']).default('off') })
        .default({ rollback: 'off', approve: 'off' }),
      /** dm: each approver also gets a direct message with a link when a gate opens; channel: the gate message only. */
      notify: z.enum(['channel', 'dm']).default('channel'),
      /** Clusters with approvers of their own (production may need another group), or two approvals. */
      clusters: z
        .record(
          dnsLabel,
          z.strictObject({
            users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user id like U0123ABCD')).default([]),
            groups: z.array(z.string().regex(/^S[A-Z0-9]+$/, 'must be a Slack user group id like S0123ABCD')).default([]),
            required: z.int().min(1).max(5).default(1),
          }),
        )
        .default({}),
    })
    .default({ approvers: { users: [], groups: [] }, allowSelfApproval: false, autoPromote: false, timeout: 4 * 3_600_000, onTimeout: 'rollback', trafficSteps: false, reasons: { rollback: 'off', approve: 'off' }, notify: 'channel', clusters: {} }),
  cooldown: duration(0, '10m').default(0),
  /** How long canaries and promoted bases may take to be ready before rolling back (Flagger's progressDeadlineSeconds). */
  progressDeadline: duration(5000, '10m').default(10 * 60_000),
  /** Links out of Slack (rollout/links.ts), shown on the root message, each gate and the rollback notice. */
  links: z.array(linkSchema).max(5, 'at most 5 links; they share one line of the message').optional(),
});

export const configSchema = z
  .strictObject({
    fleet: z.strictObject({
      mode: z.enum(['karmada', 'direct']),
      karmada: z.strictObject({ context: z.string().min(1) }).optional(),
      clusters: z.array(clusterSchema).min(1, 'name at least one cluster'),
    }),
    apps: z.array(appSchema).min(1, 'configure at least one app'),
    /** How long audit entries are kept after a rollout's last one (default 90 days). */
    audit: z.strictObject({ retention: duration(60_000, '90d').default(90 * 86_400_000) }).default({ retention: 90 * 86_400_000 }),
  });

export type Config = z.output<typeof configSchema>;
export type AppConfig = Config['apps'][number];
export type ClusterConfig = Config['fleet']['clusters'][number];
export type MetricConfig = AppConfig['analysis']['metrics'][number];

export interface ConfigProblem {
  path: string;
  message: string;
  /** The path as keys, to find the line in the file. */
  at: PropertyKey[];
}

/** `apps[0].analysis.interval` from zod's ['apps', 0, 'analysis', 'interval']. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

export type ParsedConfig = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/**
 * Validates an already-parsed YAML document. Every problem comes in one pass: the schema's,
 * and the checks across fields (clusters an app names, duplicates), which run on the document
 * as written even where parts of it do not parse.
 */
export function validateConfig(document: unknown): ParsedConfig {
  const result = configSchema.safeParse(document);
  const problems = [...(result.success ? [] : describeIssues(result.error.issues, document, configSchema)), ...crossCheck(document)];
  if (result.success && problems.length === 0) return { ok: true, config: result.data };
  const seen = new Set<string>();
  return { ok: false, problems: problems.filter((p) => !seen.has(`${p.path}: ${p.message}`) && seen.add(`${p.path}: ${p.message}`)) };
}
