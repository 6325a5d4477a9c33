// Local mode (`rollgate demo`, `rollgate local …`) lives in local/, outside the product: the image
// and `npm pack` leave it out. It is loaded here, at run time, with a computed specifier, and is
// handed what it needs of the product (the LocalModeHost below), so that local mode imports
// nothing of the product and the product imports local mode nowhere else.
import { KubeConfig } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createRolloutStore, type AuditEntry } from '../jobs/store.js';
import { validateConfig } from '../rollout/config.js';
import { readEnv } from './env.js';
import { startRuntime } from './runtime.js';

export interface LocalModeHost {
  /**
   * Starts rollgate (receiver and workers) with `config` as a YAML file would give it, the
   * environment as strings, and a kubeconfig's text. Bad config or environment: an Error naming
   * every problem, nothing started.
   */
  start(options: { config: unknown; env: Record<string, string>; kubeconfig: string; prometheusCa?: string }): Promise<{ port: number; stop(): Promise<void> }>;
  /** What rollgate recorded of every rollout under `prefix`. */
  audits(redisUrl: string, prefix: string): Promise<{ rollout: string; entries: AuditEntry[] }[]>;
}

export const localModeHost: LocalModeHost = {
  async start({ config, env, kubeconfig, prometheusCa }) {
    const read = readEnv(env, { slack: true, receiver: true });
    if (!read.ok) throw new Error(`local mode's environment: ${read.problems.join('; ')}`);
    const parsed = validateConfig(config);
    if (!parsed.ok) throw new Error(`local mode's config is invalid: ${parsed.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfig);
    const log = pino({ level: read.env.LOG_LEVEL });
    const runtime = await startRuntime({ env: read.env, config: parsed.config, log, roles: { bot: true, workers: true }, kubeconfig: kc, ...(prometheusCa ? { prometheusCa } : {}) });
    return { port: runtime.port ?? 0, stop: () => runtime.stop() };
  },
  async audits(redisUrl, prefix) {
    const redis = new Redis(redisUrl);
    try {
      const store = createRolloutStore({ redis, prefix });
      const out: { rollout: string; entries: AuditEntry[] }[] = [];
      for (const key of await redis.keys(`${prefix}:rollout:*:audit`)) {
        const rollout = key.slice(`${prefix}:rollout:`.length, -':audit'.length);
        out.push({ rollout, entries: await store.audit(rollout) });
      }
      return out;
    } finally {
      redis.disconnect();
    }
  },
};

type LocalCommand = (args: string[], host: LocalModeHost) => Promise<void>;

/** `rollgate demo` / `rollgate local`: the local-mode package's command, or one line saying it is not installed. */
export async function loadLocalMode(command: 'demoCommand' | 'localCommand', fail: (lines: string[]) => never): Promise<LocalCommand> {
  // Computed, so that building the product does not pull local mode in (an npm workspace, linked
  // into node_modules by `npm ci` in a checkout; absent from the image and from `npm pack`).
  const specifier = ['@rollgate', 'demo'].join('/');
  try {
    const loaded = (await import(specifier)) as Record<string, LocalCommand | undefined>;
    const run = loaded[command];
    if (!run) throw new Error(`${specifier} has no ${command}`);
    return run;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && String((error as Error).message).includes(specifier)) {
      fail(['local mode (demo, local fleet, local slack) is not part of this installation (the container image ships the product only).', 'Run it from a checkout: npm ci && npm run demo']);
    }
    throw error;
  }
}
