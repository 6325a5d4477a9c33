// Prints what the emulated channel shows as it changes: new messages, thread replies, edits.
import type { MessageView, SlackEmulator } from '@rollgate/slack-emulator';

const names: Record<string, string> = { U0DEV: '@dev', U0LEAD: '@lead', U0SRE: '@sre', U0GUEST: '@guest', U0ROLLGATE: 'rollgate' };
const plain = (text: string) => text.replace(/<@(\w+)>/g, (_m, id: string) => names[id] ?? `@${id}`).replace(/<#(\w+)>/g, '#rollouts');

export function printTranscript(slack: SlackEmulator, write: (line: string) => void): () => void {
  const seen = new Map<string, number>();
  const show = (m: MessageView, indent: string) => {
    const edits = m.edited?.count ?? 0;
    const before = seen.get(m.ts);
    if (before === undefined) {
      // Posted and already edited since the last look (a gate clicked at once): show it as posted, then as it is.
      write(`${indent}${names[m.user] ?? m.user}: ${plain(m.edited?.first ?? m.text)}`);
      if (edits > 0) write(`${indent}(updated) ${plain(m.text)}`);
    } else if (edits > before) write(`${indent}(updated) ${plain(m.text)}`);
    seen.set(m.ts, edits);
  };
  const seenEphemeral = new Set<string>();
  const flush = () => {
    const state = slack.state();
    for (const m of state.messages) {
      if (m.thread_ts) continue;
      show(m, '');
      for (const r of m.replies) show(r, '    ↳ ');
    }
    for (const e of state.ephemerals) {
      if (seenEphemeral.has(e.ts)) continue;
      seenEphemeral.add(e.ts);
      write(`  (only ${names[e.user] ?? e.user} sees) ${plain(e.text)}`);
    }
  };
  const timer = setInterval(flush, 100);
  return () => {
    clearInterval(timer);
    flush();
  };
}
