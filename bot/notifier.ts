// Drains each rollout's outbox into Slack, in order, one drainer per rollout at a time.
// A notice is marked as posted (by key) right after Slack accepts it, so a redelivered
// drain does not post it twice. Consecutive root updates collapse into one chat.update.
import { Worker, type ConnectionOptions } from 'bullmq';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { withLease } from '../jobs/lease.js';
import { rolloutChart } from './charts/rollout-chart.js';
import { uploadChart } from './charts/upload-chart.js';
import type { Observer, Replies } from '../jobs/ports.js';
import { drainJobSchema, NOTIFY_QUEUE } from '../jobs/queues.js';
import type { OutboxItem, RolloutStore } from '../jobs/store.js';
import type { Rollout } from '../rollout/model.js';
import { failedMessage, finishedMessage, gateMessage, heldMessage, operationMessage, reminderMessage, resumedMessage, rolledBackMessage, rootMessage, summaryMessage } from './blocks/messages.js';
import type { SlackMessage } from './blocks/kit.js';


export interface NotifierOptions {
  connection: ConnectionOptions;
  prefix: string;
  store: RolloutStore;
  client: WebClient;
  clock: () => number;
  log: Logger;
  lockDurationMs?: number;
  observer?: Observer;
  replies?: Replies;
}

export function createNotifier(options: NotifierOptions): Worker {
  const { store, client, clock, log } = options;
  const leaseMs = options.lockDurationMs ?? 30_000;

  async function post(rollout: Rollout, message: SlackMessage, thread?: { broadcast?: boolean }): Promise<string> {
    const root = thread ? await store.messageTs(rollout.id, 'root') : undefined;
    if (thread && !root) throw new Error(`rollout ${rollout.id}: root message not posted yet`);
    const args = {
      channel: rollout.channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      ...(root ? { thread_ts: root, ...(thread?.broadcast ? { reply_broadcast: true } : {}) } : {}),
    };
    const result = await client.chat.postMessage(args as Parameters<WebClient['chat']['postMessage']>[0]);
    return result.ts as string;
  }

  async function update(rollout: Rollout, key: string, message: SlackMessage): Promise<string | undefined> {
    const ts = await store.messageTs(rollout.id, key);
    if (!ts) return undefined;
    await client.chat.update({ channel: rollout.channel, ts, text: message.text, blocks: message.blocks as never });
    return ts;
  }

  async function send(rollout: Rollout, item: OutboxItem, next: OutboxItem | undefined): Promise<string | undefined> {
    const now = clock();
    const { notice } = item;
    switch (notice.kind) {
      case 'root': {
        const ts = await post(rollout, rootMessage(rollout, now));
        await store.setMessageTs(rollout.id, 'root', ts);
        return ts;
      }
      case 'root-update':
        // The message is rendered from the latest state, so a following update makes this one redundant.
        return next?.notice.kind === 'root-update' ? undefined : update(rollout, 'root', rootMessage(rollout, now));
      case 'summary':
        return post(rollout, summaryMessage(rollout, notice, now), {});
      case 'gate-opened': {
        const ts = await post(rollout, gateMessage(rollout, notice.stage, now), { broadcast: true });
        await store.setMessageTs(rollout.id, `gate-${notice.stage}`, ts);
        return ts;
      }
      case 'gate-closed':
        return update(rollout, `gate-${notice.stage}`, gateMessage(rollout, notice.stage, now));
      case 'rolled-back':
        return post(rollout, rolledBackMessage(rollout), { broadcast: true });
      case 'finished':
        return post(rollout, finishedMessage(rollout), { broadcast: true });
      case 'failed':
        return post(rollout, failedMessage(rollout, notice.reason), { broadcast: true });
      case 'operation':
        return post(rollout, operationMessage(rollout, notice.operation), {});
      case 'held':
        return post(rollout, heldMessage(rollout, notice.reason), { broadcast: true });
      case 'resumed':
        return post(rollout, resumedMessage(rollout), {});
      case 'reminder':
        return post(rollout, reminderMessage(rollout, notice.stage, clock()), { broadcast: true });
      case 'note':
        return post(rollout, { text: notice.text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: notice.text } }] }, notice.broadcast ? { broadcast: true } : {});
      case 'chart': {
        const root = await store.messageTs(rollout.id, 'root');
        if (!root) return undefined;
        await uploadChart(client, { channel: rollout.channel, threadTs: root, ...rolloutChart(rollout) });
        return 'uploaded';
      }
      case 'private':
        await options.replies?.reply(rollout.notifyUrl, notice.text);
        return undefined;
    }
  }

  async function drainOnce(rolloutId: string): Promise<void> {
    for (;;) {
      const [item, next] = await store.outbox(rolloutId);
      if (!item) return;
      if (!(await store.messageTs(rolloutId, item.key))) {
        const rollout = await store.get(rolloutId);
        if (!rollout) return;
        const ts = await send(rollout, item, next);
        await store.setMessageTs(rolloutId, item.key, ts ?? 'skipped');
      }
      await store.popOutbox(rolloutId, item.key);
    }
  }

  async function drain(rolloutId: string): Promise<void> {
    // Loop until the outbox stays empty after we let go, so a notice queued while we held
    // the lease (whose own drain job found us busy) is never stranded.
    do {
      const leased = await withLease(store, store.keys.notifyLock(rolloutId), leaseMs, () => drainOnce(rolloutId));
      if (leased.busy) return;
    } while ((await store.outbox(rolloutId)).length > 0);
  }

  const worker = new Worker(NOTIFY_QUEUE, async (job) => drain(drainJobSchema.parse(job.data).rolloutId), {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: 16,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: Math.max(1000, Math.floor((options.lockDurationMs ?? 30_000) / 2)),
  });
  worker.on('failed', (job, error) => {
    options.observer?.callFailed('slack');
    log.warn({ job: job?.id, err: error.message }, 'notice not posted yet, will retry');
  });
  worker.on('error', (error) => log.error({ err: error.message }, 'notifier error'));
  return worker;
}
