// The configured links out of Slack, filled in for a rollout and shown as one context line:
// a line of `<url|text>` links needs no interaction handler (a URL button would still send one).
import { fillLink, type LinkValues } from '../../rollout/links.js';
import type { Rollout } from '../../rollout/model.js';
import { context, type Block } from './kit.js';

const ENDED = new Set(['succeeded', 'rolled-back', 'failed']);

/** The variables for a rollout: `end` is now while it runs, its end once it has ended. */
export function linkValues(rollout: Rollout, clusters: string[], now: number): LinkValues {
  const ended = ENDED.has(rollout.phase) ? (rollout.outcome?.at ?? rollout.updatedAt) : now;
  return { app: rollout.app, cluster: clusters.join(','), version: rollout.version, rolloutId: rollout.id, start: String(rollout.createdAt), end: String(ended) };
}

/** Empty when the app has no links; otherwise one context block (at most 5 links, well within 3,000 characters). */
export function linkBlocks(rollout: Rollout, clusters: string[], now: number): Block[] {
  const templates = rollout.settings.links ?? [];
  if (templates.length === 0) return [];
  const values = linkValues(rollout, clusters, now);
  const links = templates.slice(0, 5).map((t) => fillLink(t, values));
  // Slack mrkdwn wants &, < and > escaped everywhere, inside links too; a | would end the URL.
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return [context(`:link: ${links.map((l) => `<${escape(l.url)}|${escape(l.text.replace(/\|/g, '/'))}>`).join(' · ')}`)];
}
