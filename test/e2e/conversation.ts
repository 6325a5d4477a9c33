// Talking to rollgate as a person in the emulated channel: private answers, and commands
// whose private answer we wait for.
import { afterEach } from 'vitest';
import { startStack, waitFor, type Stack, type StackOptions } from './stack.js';

export const ephemeralsOf = (s: Stack, user: string): string[] => s.slack.state().ephemerals.filter((e) => e.user === user).map((e) => e.text);

/** Sends `/rollout text` as `user` and waits for a new private answer containing `expected`. */
export async function say(s: Stack, user: string, text: string, expected: string): Promise<string> {
  const before = ephemeralsOf(s, user).length;
  await s.command(user, text);
  return waitFor(`"${expected}" after /rollout ${text}`, () => ephemeralsOf(s, user).slice(before).find((t) => t.includes(expected)), 30_000);
}

/** A fresh stack per test, stopped after it: `const open = stackPerTest(); const s = await open({...})`. */
export function stackPerTest(): (options?: StackOptions) => Promise<Stack> {
  let current: Stack | undefined;
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  return async (options = {}) => (current = await startStack(options));
}
