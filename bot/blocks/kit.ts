// Tiny Block Kit builders; just enough structure to keep the message modules readable.
export type Block = Record<string, unknown> & { type: string };

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

const SECTION_LIMIT = 3000;

export const clip = (text: string, limit = SECTION_LIMIT) => (text.length <= limit ? text : `${text.slice(0, limit - 1)}…`);
export const header = (text: string): Block => ({ type: 'header', text: { type: 'plain_text', text: clip(text, 150), emoji: true } });
export const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text: clip(text) } });
export const context = (...texts: string[]): Block => ({ type: 'context', elements: texts.map((text) => ({ type: 'mrkdwn', text: clip(text) })) });
export const divider = (): Block => ({ type: 'divider' });

export function button(options: { text: string; actionId: string; value: string; style?: 'primary' | 'danger'; confirm?: { title: string; text: string; confirm: string; deny: string } }): Record<string, unknown> {
  const { confirm } = options;
  return {
    type: 'button',
    action_id: options.actionId,
    text: { type: 'plain_text', text: options.text, emoji: true },
    value: options.value,
    ...(options.style ? { style: options.style } : {}),
    ...(confirm
      ? {
          confirm: {
            title: { type: 'plain_text', text: confirm.title },
            text: { type: 'mrkdwn', text: confirm.text },
            confirm: { type: 'plain_text', text: confirm.confirm },
            deny: { type: 'plain_text', text: confirm.deny },
            style: 'danger',
          },
        }
      : {}),
  };
}

export const actions = (blockId: string, elements: Record<string, unknown>[]): Block => ({ type: 'actions', block_id: blockId, elements });

/**
 * A time as Slack shows it to each reader, in their own time zone ("Today 12:05"); clients and
 * notifications that cannot format it show the fallback, "12:05 UTC".
 */
export function clockTime(ms: number): string {
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${utcClock(ms)}>`;
}

/** 12:05 UTC: the fallback of clockTime, and for text that is not mrkdwn. */
export function utcClock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}
