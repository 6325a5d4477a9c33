// What a chaos run is judged on, read from where a person would look: the rollouts and
// their audit in Redis, and the channel as the Slack emulator shows it.
import type { RolloutStore } from '../jobs/store.js';
import type { MessageView } from '@rollgate/slack-emulator';
import { isTerminal } from '../rollout/model.js';

export interface Planned {
  id: string;
  app: string;
  version: string;
  bad: boolean;
  auto: boolean;
}

export interface Figures {
  total: number;
  correct: number;
  wrong: string[];
  doublePromotions: string[];
  stuck: string[];
  duplicateRoots: string[];
  duplicateGates: string[];
  withoutClosingNotice: string[];
  duplicateClosingNotices: string[];
}

const CLOSING = (text: string, id: string) => text.includes('is rolled out to') || text.includes('was *rolled back') || (text.includes(`\`${id}\``) && text.includes(' failed: '));

export async function judge(store: RolloutStore, planned: Planned[], channel: MessageView[]): Promise<Figures> {
  const figures: Figures = { total: planned.length, correct: 0, wrong: [], doublePromotions: [], stuck: [], duplicateRoots: [], duplicateGates: [], withoutClosingNotice: [], duplicateClosingNotices: [] };
  for (const p of planned) {
    const rollout = await store.get(p.id);
    if (!rollout || !isTerminal(rollout.phase)) {
      figures.stuck.push(`${p.id} (${rollout?.phase ?? 'missing'})`);
      continue;
    }
    const expected = p.bad ? 'rolled-back' : 'succeeded';
    const byAnalysis = !p.bad || (rollout.outcome?.kind === 'rolled-back' && rollout.outcome.trigger === 'analysis');
    if (rollout.phase === expected && byAnalysis) figures.correct++;
    else figures.wrong.push(`${p.id} ${p.version}: ${rollout.phase}${rollout.outcome && 'reason' in rollout.outcome ? ` (${rollout.outcome.reason})` : ''}`);

    const audit = await store.audit(p.id);
    const count = (what: string) => audit.filter((e) => e.what === what).length;
    const promoteStages = rollout.stages.length - 1;
    const approvedPerStage = new Map<string, number>();
    for (const e of audit.filter((a) => a.what === 'GateApproved')) approvedPerStage.set(e.cluster ?? '?', (approvedPerStage.get(e.cluster ?? '?') ?? 0) + 1);
    if (count('PromotionApplied') > promoteStages || count('Finalized') > 1 || [...approvedPerStage.values()].some((n) => n > 1)) {
      figures.doublePromotions.push(`${p.id}: PromotionApplied ${count('PromotionApplied')}/${promoteStages}, Finalized ${count('Finalized')}`);
    }

    const roots = channel.filter((m) => !m.thread_ts && m.text.startsWith(`Rollout ${p.id}:`));
    if (roots.length > 1) figures.duplicateRoots.push(`${p.id} (${roots.length})`);
    const replies = roots.flatMap((r) => r.replies);
    const gates = replies.filter((m) => m.text.includes('Gate: promote'));
    const gateKeys = gates.map((m) => /Gate: promote \S+ to ([^?]+)\?/.exec(m.text)?.[1] ?? m.text);
    const duplicated = gateKeys.filter((k, i) => gateKeys.indexOf(k) !== i);
    if (duplicated.length > 0) figures.duplicateGates.push(`${p.id} (${[...new Set(duplicated)].join(', ')})`);
    const closing = replies.filter((m) => CLOSING(m.text, p.id)).length;
    if (closing === 0) figures.withoutClosingNotice.push(p.id);
    if (closing > 1) figures.duplicateClosingNotices.push(`${p.id} (${closing})`);
  }
  return figures;
}
