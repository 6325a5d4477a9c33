// A person's operations on named clusters (rollout/operations.ts), in words.
import type { OperationKind } from '../../rollout/model.js';

/** "<@U> deployed a canary to member1" */
export const OPERATION_WORDS: Record<OperationKind, string> = {
  canary: 'deployed a canary to',
  uncanary: 'rolled back the canary in',
  promote: 'promoted',
  unpromote: 'rolled back the promotion of',
  rollback: 'rolled back canary and promotion in',
};

/** "Nothing to do: member1 already runs a canary." */
export const ALREADY_WORDS: Record<OperationKind, string> = {
  canary: 'already runs a canary',
  uncanary: 'runs no canary',
  promote: 'is already promoted',
  unpromote: 'is not promoted',
  rollback: 'runs neither a canary nor a promotion',
};
