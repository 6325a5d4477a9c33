// Puts a chart in a rollout's thread through Slack's supported upload path: filesUploadV2 asks
// files.getUploadURLExternal for a URL, POSTs the bytes there, then files.completeUploadExternal
// shares the file in the thread. (files.upload is retired.)
import type { WebClient } from '@slack/web-api';

export interface ChartUpload {
  channel: string;
  /** The rollout's root message: Slack files a reply to a reply under the root anyway. */
  threadTs: string;
  filename: string;
  title: string;
  png: Buffer;
  /** Text posted with the file, e.g. "Metrics over the whole rollout". */
  comment?: string;
}

/** Errors are the WebClient's own (a platform error with a code, or an HTTP error); the caller decides on retries. */
export async function uploadChart(client: WebClient, args: ChartUpload): Promise<void> {
  await client.filesUploadV2({
    channel_id: args.channel,
    thread_ts: args.threadTs,
    file: args.png,
    filename: args.filename,
    title: args.title,
    ...(args.comment ? { initial_comment: args.comment } : {}),
  });
}
