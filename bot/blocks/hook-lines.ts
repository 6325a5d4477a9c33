// Webhook answers in words: one line per call in summaries, refusals and closing messages.
import type { Rollout } from '../../rollout/model.js';
import type { HookCall } from '../../rollout/webhooks/hook-call.js';
import { context, clip, type Block } from './kit.js';

/** "HTTP 202", "HTTP 500: boom", "timed out after 10 s" — plus attempts when there were retries. */
export function hookAnswerWords(call: HookCall): string {
  const answer = call.status !== undefined ? `HTTP ${call.status}${!call.ok && call.reason ? `: ${call.reason}` : ''}` : (call.reason ?? 'no answer');
  const attempts = call.retries > 0 ? ` · ${call.attempts} of ${call.retries + 1} attempts` : '';
  return `${answer}${attempts} · timeout ${Math.round(call.timeoutMs / 100) / 10} s`;
}

function mark(call: HookCall): string {
  switch (call.type) {
    case 'rollback':
      return call.ok ? ':rotating_light:' : ':white_check_mark:';
    case 'pre-rollout':
    case 'rollout':
      return call.ok ? ':white_check_mark:' : ':x:';
    case 'post-rollout':
    case 'event':
      return call.ok ? ':white_check_mark:' : ':warning:';
    default:
      return call.ok ? ':white_check_mark:' : ':hourglass_flowing_sand:';
  }
}

const MEANING: Partial<Record<HookCall['type'], [ok: string, not: string]>> = {
  rollback: ['rolls back', 'no rollback asked'],
  'confirm-traffic-increase': ['traffic may increase', 'holds the traffic increase'],
  'confirm-promotion': ['promotion confirmed', 'holds the promotion'],
  'confirm-rollout': ['start confirmed', 'holds the start'],
};

/** ":x: webhook *load-test* (rollout, member1): HTTP 500: boom · 2 of 2 attempts · timeout 60 s" */
export function hookLine(call: HookCall): string {
  const meaning = MEANING[call.type];
  const what = meaning ? ` · ${call.ok ? meaning[0] : meaning[1]}` : '';
  const answer = call.type === 'rollback' && !call.ok && call.status !== undefined ? `HTTP ${call.status} · timeout ${Math.round(call.timeoutMs / 100) / 10} s` : hookAnswerWords(call);
  return `${mark(call)} webhook *${call.name}* (${call.type}${call.cluster ? `, ${call.cluster}` : ''}): ${answer}${what}`;
}

/** The post-rollout hooks' answers under a closing message (best effort: shown, never decide). */
export function postRolloutBlocks(rollout: Rollout): Block[] {
  const calls = rollout.postRollout ?? [];
  return calls.length > 0 ? [context(clip(calls.map(hookLine).join('\n')))] : [];
}
