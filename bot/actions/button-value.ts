// A button's value, as rollgate wrote it (JSON) and as Slack hands it back: anything else, from a
// forged or stale click, is undefined, never an exception.
import type { z } from 'zod';

export function parseButtonValue<S extends z.ZodType>(schema: S, value: string | undefined): z.infer<S> | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(value ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
