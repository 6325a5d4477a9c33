// What every Web API method handler sees, and small helpers for Slack-style arguments.
import type { FileStore } from './files.js';
import type { Store } from './store.js';
import type { Workspace } from './workspace.js';

export type Args = Record<string, unknown>;
export type ApiBody = Record<string, unknown>;

export interface ApiContext {
  workspace: Workspace;
  store: Store;
  files: FileStore;
  /** The emulator's base URL (permalinks). */
  url: () => string;
  /** Uses up a trigger_id (views.open): the person it was issued to, or Slack's error for it. */
  exchangeTrigger: (triggerId: string) => { user: string } | { error: 'invalid_trigger_id' | 'expired_trigger_id' | 'exchanged_trigger_id' };
  log: (line: string) => void;
}

export type ApiHandler = (args: Args, ctx: ApiContext) => ApiBody;

export function fail(error: string, extra?: Record<string, unknown>): ApiBody {
  return { ok: false, error, ...extra };
}

/** A form value (always a string) or a JSON scalar, as a string. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function bool(value: unknown): boolean {
  return value === true || value === 'true' || value === '1' || value === 1;
}
