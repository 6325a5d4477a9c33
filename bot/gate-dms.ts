// approvals.notify: dm — when a gate opens, each of its approvers gets a direct message from
// the app (conversations.open, then chat.postMessage) with a link to the gate message, where
// the decision is taken in front of the channel (or from the Home tab, which has the buttons).
// Best effort after the gate message is posted: a failed DM is logged, never holds the thread.
// Sent once per gate message (a redelivered notice finds the `dm-<gate ts>` mark).
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { RolloutStore } from '../jobs/store.js';
import type { Rollout } from '../rollout/model.js';
import { gateDmMessage } from './blocks/messages.js';
import { sendDirect } from './direct-message.js';

/** Enough for a team; a group larger than this should be told in the channel instead. */
export const MAX_GATE_DMS = 20;

async function approversOf(client: WebClient, rollout: Rollout, stage: number): Promise<string[]> {
  const gate = rollout.gates[stage - 1];
  const { users, groups } = gate?.approvers ?? rollout.settings.approvers;
  const members: string[] = [...users];
  for (const group of groups) members.push(...((await client.usergroups.users.list({ usergroup: group })).users ?? []));
  const others = members.filter((u) => u !== rollout.requester || rollout.settings.allowSelfApproval);
  return [...new Set(others)].slice(0, MAX_GATE_DMS);
}

export async function sendGateDms(options: { client: WebClient; store: RolloutStore; log: Logger }, rollout: Rollout, stage: number, gateTs: string): Promise<number> {
  const { client, store, log } = options;
  if (!rollout.settings.notifyDm || (await store.messageTs(rollout.id, `dm-${gateTs}`))) return 0;
  let sent = 0;
  try {
    const link = (await client.chat.getPermalink({ channel: rollout.channel, message_ts: gateTs })).permalink;
    for (const user of await approversOf(client, rollout, stage)) {
      await sendDirect(client, user, gateDmMessage(rollout, stage, link));
      sent += 1;
    }
  } catch (error) {
    log.warn({ rollout: rollout.id, err: error instanceof Error ? error.message : String(error), sent }, 'could not send every gate DM');
  }
  await store.setMessageTs(rollout.id, `dm-${gateTs}`, String(sent));
  return sent;
}
