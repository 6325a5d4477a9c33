// Queue before acknowledging, where Slack's 3 s allow it: a command or click answered 200 is
// then already in Redis, so a process killed right after the 200 loses nothing. Work that takes
// longer is acknowledged at the budget and goes on; if it then fails, the person is told.

/** Well inside Slack's 3 s, leaving room for the HTTP round trip. */
export const ACK_BUDGET_MS = 2000;

/** Resolves when `work` settles or after `budgetMs`, whichever is first; never rejects. */
export async function settledOrLate(work: Promise<unknown>, budgetMs = ACK_BUDGET_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, budgetMs);
  });
  try {
    await Promise.race([work.then(() => undefined, () => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}
