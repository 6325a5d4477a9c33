// A message in a person's direct messages with the app (the app's Messages tab): Slack wants
// the IM channel first (conversations.open with the user), then chat.postMessage to it.
import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from './blocks/kit.js';

export async function sendDirect(client: WebClient, user: string, message: SlackMessage): Promise<string | undefined> {
  const opened = await client.conversations.open({ users: user, return_im: false });
  const channel = opened.channel?.id;
  if (!channel) return undefined;
  const posted = await client.chat.postMessage({ channel, text: message.text, blocks: message.blocks as never, unfurl_links: false });
  return posted.ts;
}
