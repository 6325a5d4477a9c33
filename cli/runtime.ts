// Wires the processes together: Redis, queues, the fleet and metrics adapters, the Slack
// app and the workers. `rollgate serve` runs both roles; `rollgate worker` only the workers.
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createApproverDirectory } from '../bot/approvers.js';
import { slackLogger } from '../bot/bolt-logger.js';
import { httpRoutes } from '../bot/http-routes.js';
import { createNotifier, createOutboxDrainer } from '../bot/notifier.js';
import { startProbeServer } from '../bot/probe-server.js';
import { createEventForwarder } from '../bot/webhook-events.js';
import { createNoticeClient } from '../bot/pacing/notice-client.js';
import { createReadiness } from '../bot/readiness.js';
import { createReplies } from '../bot/replies.js';
import { createSlackApp } from '../bot/slack-app.js';
import { checkBotToken, refusedTokenLine, type BotIdentity } from '../bot/slack-token-check.js';
import { createMetrics } from '../jobs/metrics.js';
import { observeCommits } from '../jobs/rollout-changes.js';
import { createQueues } from '../jobs/queues.js';
import { startReconciler } from '../jobs/reconciler.js';
import { createRolloutRunner } from '../jobs/rollout-runner.js';
import { createRolloutStore } from '../jobs/store.js';
import type { StoredRecordError } from '../jobs/stored-records.js';
import { createStepWorker } from '../jobs/worker.js';
import type { Config } from '../rollout/config.js';
import { connectCluster, type ClusterApi } from '../rollout/kube/cluster-api.js';
import { createDirectFleet } from '../rollout/kube/direct-fleet.js';
import { createKarmadaFleet } from '../rollout/kube/karmada-fleet.js';
import type { Fleet } from '../rollout/kube/fleet.js';
import { createKubeHealthSource, routeMetrics } from '../rollout/metrics/kube-health.js';
import { createPrometheusSource } from '../rollout/metrics/prometheus.js';
import { createWebhookCaller } from '../rollout/webhooks/http-caller.js';
import { createWebhooks } from '../rollout/webhooks/webhooks.js';
import type { Env } from './env.js';
import { connectRedis } from './redis-connection.js';

export interface RuntimeOptions {
  env: Env;
  config: Config;
  log: Logger;
  roles: { bot: boolean; workers: boolean };
  kubeconfig?: KubeConfig;
  /** Extra CA for Prometheus over HTTPS (local mode's simulated fleet). */
  prometheusCa?: string;
  clock?: () => number;
  /** A problem the process cannot run with, found after start (Slack refused the token): one line for the operator. */
  onFatal?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface Runtime {
  port?: number;
  stop(): Promise<void>;
}

/** The member clusters rollgate can reach directly: every one in direct mode, those with a context in Karmada mode. */
export function memberClusters(config: Config, kubeconfig: KubeConfig): Record<string, ClusterApi> {
  return Object.fromEntries(
    config.fleet.clusters
      .filter((c) => config.fleet.mode === 'direct' || c.context !== undefined)
      .map((c) => [c.name, connectCluster({ kubeconfig, context: c.context ?? c.name, cluster: c.name })]),
  );
}

/** `members`: the clusters reached directly (memberClusters), shared with the pod-signal reader. */
export function createFleet(config: Config, kubeconfig: KubeConfig, members: Record<string, ClusterApi>): Fleet {
  if (config.fleet.mode === 'direct') return createDirectFleet({ clusters: members });
  const context = config.fleet.karmada?.context ?? 'karmada-apiserver';
  return createKarmadaFleet({ karmada: connectCluster({ kubeconfig, context, cluster: context }) });
}

/** The kubeconfig from KUBECONFIG or the standard places; a file that cannot be read is named. */
export function loadKubeconfig(): KubeConfig {
  const kubeconfig = new KubeConfig();
  try {
    kubeconfig.loadFromDefault();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error);
    throw new Error(`KUBECONFIG: cannot load ${process.env.KUBECONFIG ?? 'the kubeconfig'}: ${why}`, { cause: error });
  }
  return kubeconfig;
}

/**
 * The fleet as `serve --no-workers` sees it: read only, to refuse a start of the version that
 * already runs before anything is recorded. Without a usable kubeconfig there is none, and the
 * start step makes that check instead (the rollout then fails in the channel).
 */
function receiverFleet(config: Config, given: KubeConfig | undefined, log: Logger): Fleet | undefined {
  try {
    const kubeconfig = given ?? loadKubeconfig();
    return createFleet(config, kubeconfig, memberClusters(config, kubeconfig));
  } catch (error) {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, 'no fleet access for the receiver: a start of the version already running is caught by the start step, not before');
    return undefined;
  }
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { env, config, log } = options;
  const clock = options.clock ?? Date.now;
  // Unref'd: a retry waiting for Slack never holds a stopping process open.
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref()));
  const connections: Redis[] = [];
  const redisLog = log.child({ component: 'redis' });
  const connect = () => {
    const connection = connectRedis(env, { maxRetriesPerRequest: null });
    // Without a listener ioredis prints every failed reconnect to the console; one line per new error here.
    let lastError = '';
    connection.on('error', (error: Error) => {
      if (error.message !== lastError) redisLog.warn({ err: error.message }, 'redis connection error; reconnecting');
      lastError = error.message;
    });
    connection.on('ready', () => (lastError = ''));
    connections.push(connection);
    return connection;
  };
  const redis = connect();
  const prefix = env.ROLLGATE_REDIS_PREFIX;
  const onInvalidRecord = (error: StoredRecordError) => log.error({ key: error.key, field: error.field, code: error.code, err: error.message }, 'a stored record cannot be read; left out');
  // Every committed transition also counts in the metrics (finished rollouts, gate decisions).
  const store = observeCommits(createRolloutStore({ redis, prefix, auditRetentionMs: config.audit.retention, onInvalidRecord }), (changes) => metrics.rolloutChanged(changes));
  const queues = createQueues({ connection: connect(), prefix, clock });
  const token = env.SLACK_BOT_TOKEN ?? '';
  const client = new WebClient(token, {
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    // Approver lookups and permalinks: a few quick retries and a deadline, never minutes of sleep in a job.
    retryConfig: { retries: 2, maxTimeout: 5000 },
    timeout: 10_000,
    logger: slackLogger(log.child({ component: 'slack' })),
  });
  // One directory for the receiver's preview and the worker's decision: in `serve` a click then
  // finds the user groups the receiver just read, instead of the worker asking Slack again.
  const approvers = createApproverDirectory({ client, clock });
  const closers: (() => Promise<unknown>)[] = [];
  const readiness = createReadiness({ redis });
  let stopping = false;
  let identity: BotIdentity | undefined;
  readiness.set('slack', 'Slack: checking the bot token (auth.test)');
  // In the background: the HTTP server answers /readyz (503, and why) while Slack is unreachable.
  void checkBotToken({
    client: new WebClient(token, {
      ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
      retryConfig: { retries: 0 },
      timeout: 10_000,
      logger: slackLogger(log.child({ component: 'slack' })),
    }),
    sleep,
    stopped: () => stopping,
    onUnreachable: (reason, retryInMs) => {
      readiness.set('slack', `${reason}; retrying in ${Math.round(retryInMs / 1000)} s`);
      log.warn({ retryInMs }, `${reason}; retrying`);
    },
  }).then((checked) => {
    if (checked.kind === 'verified') {
      identity = checked.identity;
      readiness.set('slack', undefined);
      log.info('slack bot token verified');
    } else if (checked.kind === 'refused') {
      readiness.set('slack', `Slack refused the bot token (${checked.error})`);
      options.onFatal?.(refusedTokenLine(checked.error));
    }
  });
  // One registry per process: `serve` shows it beside /slack/events, `rollgate worker` on ROLLGATE_WORKER_PORT.
  const metrics = createMetrics({ store, queues, clock });
  metrics.watchCalls('slack', [env.SLACK_API_URL ?? 'https://slack.com/api/']);
  closers.push(async () => metrics.close());

  let fleet: Fleet | undefined;
  if (options.roles.workers) {
    const kubeconfig = options.kubeconfig ?? loadKubeconfig();
    const members = memberClusters(config, kubeconfig);
    fleet = createFleet(config, kubeconfig, members);
    metrics.watchCalls('kubernetes', kubeconfig.getClusters().map((c) => c.server));
    metrics.watchCalls('prometheus', config.fleet.clusters.map((c) => c.prometheus?.url));
    const ports = {
      config,
      fleet,
      metrics: routeMetrics({
        prometheus: createPrometheusSource({ clusters: config.fleet.clusters, members, mode: config.fleet.mode, ...(options.prometheusCa ? { ca: options.prometheusCa } : {}) }),
        kube: createKubeHealthSource({ members, mode: config.fleet.mode }),
      }),
      webhooks: createWebhooks({ caller: createWebhookCaller() }),
      approvers,
      replies: createReplies({ log, client }),
      clock,
      log,
      observer: metrics.observer,
    };
    const lockDurationMs = env.ROLLGATE_JOB_LOCK_MS;
    const tuning = env.ROLLGATE_READY_POLL_MS ? { readyPollMs: env.ROLLGATE_READY_POLL_MS } : {};
    // Its own client: one that throws on 429 (the drain job waits, in Redis) instead of sleeping.
    const noticeClient = createNoticeClient({ token, ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}), logger: slackLogger(log.child({ component: 'slack' })) });
    const onSent = createEventForwarder({ config, webhooks: ports.webhooks, clock, log });
    const notices = { redis, store, client: noticeClient, clock, log, lockDurationMs, observer: metrics.observer, replies: ports.replies, onSent };
    // A step posts the notices it committed itself when Slack lets them go at once; the notifier drains the rest.
    const drainer = createOutboxDrainer(notices);
    const steps = createStepWorker({ ...ports, drainer, connection: connect(), prefix, store, queues, lockDurationMs, tuning, concurrency: env.ROLLGATE_STEP_CONCURRENCY ?? 32 });
    const notifier = createNotifier({ connection: connect(), prefix, ...notices, drainer });
    const reconciler = startReconciler({ store, queues, everyMs: env.ROLLGATE_RECONCILE_MS, log, clock });
    closers.push(async () => reconciler.stop(), () => steps.close(), () => notifier.close());
  }

  let port: number | undefined;
  if (options.roles.bot) {
    // SLACK_APP_TOKEN selects Socket Mode; without it, HTTP needs the signing secret.
    const transport = env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : undefined;
    if (!transport) throw new Error('SLACK_SIGNING_SECRET: required in HTTP mode');
    const runner = createRolloutRunner({ store, queues, clock });
    const reader = fleet ?? receiverFleet(config, options.kubeconfig, log);
    const ctx = {
      config,
      store,
      queues,
      clock,
      log,
      tuning: env.ROLLGATE_READY_POLL_MS ? { readyPollMs: env.ROLLGATE_READY_POLL_MS } : {},
      dispatch: runner.dispatch,
      async permalink(rolloutId: string) {
        const rollout = await store.get(rolloutId);
        const ts = await store.messageTs(rolloutId, 'root');
        if (!rollout || !ts) return undefined;
        return (await client.chat.getPermalink({ channel: rollout.channel, message_ts: ts }).catch(() => undefined))?.permalink;
      },
      // Longer than Slack's 5-minute replay window for a signed request.
      firstDelivery: async (id: string) => (await redis.set(`${prefix}:seen:${id}`, '1', 'PX', 600_000, 'NX')) === 'OK',
      approvers,
      ...(reader ? { runningVersion: async (app: Config['apps'][number], cluster: string) => (await reader.readBase(app, cluster)).version } : {}),
    };
    const slack = createSlackApp({
      ctx,
      transport,
      token,
      identity: () => identity,
      ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
      routes: httpRoutes({ ready: () => readiness.check(), registry: metrics.registry }),
      log,
    });
    if (slack.mode === 'socket') readiness.watch(() => (slack.connected() ? undefined : 'Slack Socket Mode not connected; retrying with backoff'));
    const server = await slack.start(env.PORT);
    port = (server.address() as AddressInfo).port;
    closers.unshift(() => slack.stop());
  } else if (env.ROLLGATE_WORKER_PORT !== undefined) {
    const server = await startProbeServer(httpRoutes({ ready: () => readiness.check(), registry: metrics.registry }), env.ROLLGATE_WORKER_PORT);
    port = (server.address() as AddressInfo).port;
    closers.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));
  }

  return {
    ...(port !== undefined ? { port } : {}),
    async stop() {
      stopping = true;
      readiness.set('shutdown', 'shutting down');
      for (const close of closers) await close().catch(() => undefined);
      await queues.close();
      // BullMQ leaves connections it was given open; they are ours to close.
      for (const connection of connections) connection.disconnect();
    },
  };
}
