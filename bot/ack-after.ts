// Queue before acknowledging, where Slack's 3 s allow it: a command or click answered 200 is
// then already in Redis, so a process killed right after the 200 loses nothing. Work that takes
// longer is acknowledged at the budget and goes on; if it then fails, the person is told.

/** Well inside Slack's 3 s, leaving room for the HTTP round trip. */
export const ACK_BUDGET_MS = 2000;

/**
 * How long a command that only reads (list, status, audit) may hold its ack to carry the
 * answer in it: a normal read takes a millisecond or two; past this, the ack goes out empty and
 * the answer follows through the response_url, so a slow read never holds the 200.
 */
export const READ_ACK_BUDGET_MS = 250;

/** Resolves when `work` settles or after `budgetMs`, whichever is first; never rejects. */
export async function settledOrLate(work: Promise<unknown>, budgetMs = ACK_BUDGET_MS): Promise<void> {
  await resultOrLate(work, budgetMs);
}

/** `work`'s value if it resolved within `budgetMs`; undefined if it failed or was late. Never rejects. */
export async function resultOrLate<T>(work: Promise<T>, budgetMs: number): Promise<{ value: T } | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), budgetMs);
  });
  try {
    return await Promise.race([work.then((value) => ({ value }), () => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
