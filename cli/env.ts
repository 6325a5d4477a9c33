// The environment, read once at start. Every problem is reported, one line each.
import { z } from 'zod';

const envSchema = z.object({
  SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, 'must be a bot token starting with xoxb- (Slack app settings > OAuth & Permissions)').optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'looks too short; copy it from Slack app settings > Basic Information > Signing Secret').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'must be an app-level token starting with xapp- (Slack app settings > Basic Information > App-Level Tokens, scope connections:write)').optional(),
  SLACK_API_URL: z.url().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must look like redis://host:6379').default('redis://127.0.0.1:6379'),
  ROLLGATE_CONFIG: z.string().default('./rollgate.yaml'),
  ROLLGATE_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_-]+$/).default('rollgate'),
  /** Tuning for tests and demos: how often readiness is polled, how fast a dead worker's job is taken over. */
  ROLLGATE_READY_POLL_MS: z.coerce.number().int().min(50).optional(),
  ROLLGATE_JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  ROLLGATE_RECONCILE_MS: z.coerce.number().int().min(1000).default(30_000),
  /** `rollgate worker` serves /healthz, /readyz and /metrics on this port; unset, it serves no HTTP (serve uses PORT). */
  ROLLGATE_WORKER_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Steps (ticks, clicks, writes) one process runs at once. Steps wait on Kubernetes, Prometheus and Redis, not on the CPU. */
  ROLLGATE_STEP_CONCURRENCY: z.coerce.number().int().min(1).max(256).optional(),
  /** How long SIGTERM may take before the process exits anyway: under Kubernetes' 30 s grace period. */
  ROLLGATE_SHUTDOWN_MS: z.coerce.number().int().min(100).optional(),
  /** Redis Sentinel: `host:port` of each sentinel, comma-separated. Set, rollgate asks them for the primary of REDIS_SENTINEL_NAME. */
  REDIS_SENTINELS: z
    .string()
    .regex(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, 'must be host:port of each sentinel, comma-separated, e.g. sentinel-0:26379,sentinel-1:26379')
    .optional(),
  REDIS_SENTINEL_NAME: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be the name the sentinels monitor (sentinel monitor NAME host port quorum)').optional(),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Every variable rollgate reads: its own, and the standard ones its libraries read. */
export const ENV_VARIABLES: readonly string[] = [...Object.keys(envSchema.shape), 'KUBECONFIG', 'NODE_EXTRA_CA_CERTS'];

export function readEnv(source: NodeJS.ProcessEnv, needs: { slack: boolean; receiver: boolean }): { ok: true; env: Env } | { ok: false; problems: string[] } {
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (parsed.success && needs.slack) {
    if (!parsed.data.SLACK_BOT_TOKEN) problems.push('SLACK_BOT_TOKEN: required (the xoxb- bot token from Slack app settings > OAuth & Permissions)');
    if (needs.receiver && !parsed.data.SLACK_SIGNING_SECRET && !parsed.data.SLACK_APP_TOKEN) {
      problems.push('SLACK_SIGNING_SECRET: required in HTTP mode (Slack app settings > Basic Information > Signing Secret)');
    }
  }
  return problems.length === 0 && parsed.success ? { ok: true, env: parsed.data } : { ok: false, problems };
}
