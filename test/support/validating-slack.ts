// The Slack emulator on port 0 and a WebClient on it that does not retry: a message or a view
// the emulator refuses (it validates Block Kit and view limits as Slack does) fails at once.
import type { WebClient } from '@slack/web-api';
import type { SlackEmulator } from '@rollgate/slack-emulator';
import { startEmulator, webClient } from '../../local/slack-emulator/test/helpers.js';

export async function startValidatingSlack(): Promise<{ slack: SlackEmulator; client: WebClient }> {
  const slack = await startEmulator();
  return { slack, client: webClient(slack) };
}
