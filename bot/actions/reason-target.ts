// What a reason modal is about, carried in its private_metadata (at most 3,000 characters):
// the rollout, the gate, the decision, the click's response_url (for private answers and to
// mark the gate at once) and whether the click came from the Home tab.
import { z } from 'zod';
import { parseButtonValue } from './button-value.js';

const reasonTarget = z.object({
  r: z.string().min(1).max(200),
  s: z.int().min(1).max(1000),
  k: z.enum(['approve', 'rollback']),
  u: z.string().url().max(2000).optional(),
  h: z.literal(1).optional(),
});
export type ReasonTarget = z.infer<typeof reasonTarget>;

export const encodeReasonTarget = (target: ReasonTarget): string => JSON.stringify(target);

/** undefined for anything rollgate did not write (a forged or damaged submission). */
export const decodeReasonTarget = (metadata: string | undefined): ReasonTarget | undefined => parseButtonValue(reasonTarget, metadata);
