// Every message rollgate posts about a rollout, built from the rollout and the notice.
import type { ClusterTick, MetricSample, Operation, Rollout } from '../../rollout/model.js';
import { OPERATION_WORDS } from './operation-words.js';
import { humanDuration } from '../../rollout/duration.js';
import { actions, button, clip, clockTime, context, divider, header, section, type Block, type SlackMessage } from './kit.js';
import { sparkline } from './sparkline.js';
import { baselineNote, comparisonWords, gateClosedReason, heldReason, reasonOf } from './reason-words.js';
import { approverWords, clusterLine, gateAsk, mention, outcomeReason, phaseLine, stageWords } from './words.js';
import { hookLine, postRolloutBlocks } from './hook-lines.js';
import { linkBlocks } from './link-lines.js';
import type { HookCall } from '../../rollout/webhooks/hook-call.js';
import type { Why } from '../../rollout/why.js';
import { weightWords } from '../../rollout/traffic/traffic-steps.js';

export const APPROVE_ACTION = 'rollout_approve';
export const ROLLBACK_ACTION = 'rollout_rollback';
/** approvals.trafficSteps: one button per cluster whose next weight is offered (the id ends with the cluster). */
export const INCREASE_ACTION_PREFIX = 'rollout_increase_';
export const RETRY_ACTION = 'rollout_retry';
const MAX_CLUSTER_SECTIONS = 40;

/** The button value: which rollout and which gate. Opaque to Slack, validated when it comes back. */
export const gateButtonValue = (rollout: Rollout, stage: number) => JSON.stringify({ r: rollout.id, s: stage });

/** "1 analysis interval", "2 analysis intervals". */
export const intervals = (n: number) => `${n} analysis interval${n === 1 ? '' : 's'}`;

function title(rollout: Rollout): string {
  return `${rollout.app} ${rollout.fromVersion ?? '…'} → ${rollout.version}`;
}

export function rootMessage(rollout: Rollout, now: number): SlackMessage {
  const lines = rollout.clusters.map((name) => clusterLine(rollout, name, now));
  const shown = lines.slice(0, MAX_CLUSTER_SECTIONS).map(section);
  const more = lines.length > MAX_CLUSTER_SECTIONS ? [context(`…and ${lines.length - MAX_CLUSTER_SECTIONS} more clusters`)] : [];
  const operations = (rollout.operations ?? []).slice(-5).map((op) => `${mention(op.by)} ${OPERATION_WORDS[op.op]} ${op.clusters.join(', ')} at ${clockTime(op.at)}`);
  const held = rollout.held ? [section(`:warning: *Held since ${clockTime(rollout.held.since)}*: ${heldReason(rollout.held)}. Retrying.`)] : [];
  return {
    text: `Rollout ${rollout.id}: ${title(rollout)}: ${phaseLine(rollout, now)}`,
    blocks: [
      header(`Rollout ${title(rollout)}`),
      section(phaseLine(rollout, now)),
      ...held,
      divider(),
      ...shown,
      ...more,
      ...increaseButtons(rollout),
      ...(operations.length > 0 ? [context(`:hammer_and_wrench: ${operations.join(' · ')}`)] : []),
      ...linkBlocks(rollout, rollout.clusters, now),
      context(`\`${rollout.id}\` · requested by ${mention(rollout.requester)} · ${rollout.strategy} · started ${clockTime(rollout.createdAt)} · updated ${clockTime(rollout.updatedAt)}`),
    ],
  };
}

/** approvals.trafficSteps: "Increase member1 to 20 %" for each offered step, while analysing. */
function increaseButtons(rollout: Rollout): Block[] {
  if (rollout.phase !== 'analysing') return [];
  const offered = rollout.clusters.flatMap((c) => {
    const weight = rollout.cluster[c]?.pendingWeight;
    return weight === undefined ? [] : [button({ text: `Increase ${c} to ${weight} %`, actionId: `${INCREASE_ACTION_PREFIX}${c}`, value: JSON.stringify({ r: rollout.id, c, w: weight }), style: 'primary' })];
  });
  return offered.length > 0 ? [actions('increase', offered.slice(0, 25))] : [];
}

function formatValue(sample: Pick<MetricSample, 'metric' | 'value'>): string {
  const v = sample.value;
  if (v === null) return 'no value';
  const text = Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
  return sample.metric === 'request-duration' ? `${text} ms` : text;
}

function threshold(sample: MetricSample): string {
  const parts = [sample.min !== undefined ? `min ${sample.min}` : '', sample.max !== undefined ? `max ${sample.max}` : ''].filter(Boolean);
  return parts.join(', ');
}

function metricLine(rollout: Rollout, cluster: string, sample: MetricSample): string {
  if (sample.hook) return hookLine(sample.hook);
  const mark = sample.passed ? ':white_check_mark:' : sample.dryRun ? ':warning:' : ':x:';
  const history = rollout.cluster[cluster]?.history.map((h) => h.metrics[sample.metric] ?? null) ?? [];
  const trend = sparkline(history, sample);
  const why = sample.error ? ` (${sample.error})` : '';
  const baseline = sample.baseline !== undefined ? ` · baseline \`${formatValue({ ...sample, value: sample.baseline })}\`` : '';
  const noted = baselineNote(sample);
  const note = noted ? ` (${noted})` : '';
  const stats = sample.comparison ? ` · ${comparisonWords(sample.comparison)}` : '';
  const limits = threshold(sample);
  return `${mark} ${sample.metric} \`${formatValue(sample)}\`${limits ? ` (${limits})` : ''}${baseline}${note}${stats}${sample.dryRun ? ' _dry run_' : ''}${why}${trend ? `  ${trend}` : ''}`;
}

const DETAILED_CLUSTERS = 8;

/** " · 14 intervals unchanged while the gate waits": shown on a summary updated in place. */
function unchangedWords(rollout: Rollout, notice: { stage: number; repeat?: boolean }): string {
  const openedAt = rollout.gates.find((g) => g.state === 'open')?.openedAt;
  if (!notice.repeat || openedAt === undefined) return '';
  const first = rollout.stages[notice.stage]?.clusters[0];
  const count = (first ? rollout.cluster[first]?.history.filter((h) => h.at > openedAt).length : 0) ?? 0;
  return ` · ${count} interval${count === 1 ? '' : 's'} unchanged while the gate waits (updated in place)`;
}

export function summaryMessage(rollout: Rollout, notice: { tick: number; stage: number; results: ClusterTick[]; failedChecks: Record<string, number>; gateHooks?: HookCall[]; repeat?: boolean }, now: number): SlackMessage {
  const limit = rollout.settings.failureLimit;
  const failedTick = (r: ClusterTick) => r.metrics.some((m) => !m.dryRun && !m.passed);
  const detail = (result: ClusterTick) => {
    const failed = notice.failedChecks[result.cluster] ?? 0;
    const pods = result.podsReady ? ` · pods ready ${result.podsReady.ready}/${result.podsReady.total}` : '';
    const weight = weightWords(result) ? ` · :twisted_rightwards_arrows: canary at ${weightWords(result)} of traffic` : '';
    const lines = result.metrics.map((m) => metricLine(rollout, result.cluster, m));
    return section(clip(`*${result.cluster}* ${failedTick(result) ? ':x: failed' : ':white_check_mark: passed'} · failed checks ${failed}/${limit}${pods}${weight}\n${lines.join('\n')}`));
  };
  // A large fleet is summarised rather than refused by Slack: failing clusters in detail,
  // passing ones in one line.
  const large = notice.results.length > DETAILED_CLUSTERS;
  const detailed = large ? notice.results.filter(failedTick).slice(0, 40) : notice.results;
  const passing = large ? notice.results.filter((r) => !failedTick(r)).map((r) => r.cluster) : [];
  const hiddenFailing = large ? notice.results.filter(failedTick).length - detailed.length : 0;
  const compact = [
    ...(passing.length ? [section(clip(`:white_check_mark: *${passing.length} clusters passed* every metric: ${passing.join(', ')}`))] : []),
    ...(hiddenFailing > 0 ? [context(`…and ${hiddenFailing} more clusters failed; see the root message`)] : []),
  ];
  const failedCount = notice.results.filter(failedTick).length;
  const verdicts = large ? `${failedCount} of ${notice.results.length} clusters failed` : notice.results.map((r) => `${r.cluster} ${failedTick(r) ? 'failed' : 'passed'}`).join(', ');
  return {
    text: `Analysis #${notice.tick} (${stageWords(rollout, notice.stage)}): ${verdicts}`,
    blocks: [
      section(`:bar_chart: *Analysis #${notice.tick}* · ${stageWords(rollout, notice.stage)} · ${clockTime(now)}${unchangedWords(rollout, notice)}`),
      ...detailed.map(detail),
      ...compact,
      ...(notice.gateHooks?.length ? [context(clip(notice.gateHooks.map(hookLine).join('\n')))] : []),
    ],
  };
}

export function gateMessage(rollout: Rollout, stage: number, now: number): SlackMessage {
  const gate = rollout.gates[stage - 1];
  const where = gate?.clusters.join(', ') ?? '?';
  // The approvers are mentioned (in the text too: mobile notifications read only the text), not
  // the requester, who may not approve.
  const who = gateAsk(rollout, gate);
  const ask = [
    `:raised_hand: *Gate: promote ${rollout.version} to ${where}?* The ${stageWords(rollout, stage - 1)} passed ${intervals(rollout.settings.iterations)}.`,
    `${who}${(gate?.required ?? 1) > 1 ? ` This gate needs ${gate?.required} approvals${gate?.approvals?.length ? `, so far ${gate.approvals.map((a) => mention(a.user)).join(', ')}` : ''}.` : ''}`,
  ].join('\n');
  if (!gate || gate.state === 'open' || gate.state === 'pending') {
    const value = gateButtonValue(rollout, stage);
    return {
      text: `Gate: promote ${rollout.app} ${rollout.version} to ${where}? ${who}`,
      blocks: [
        section(ask),
        actions(`gate-${stage}`, [
          approveButton(rollout, where, value),
          rollbackButton(rollout, value),
        ]),
        ...linkBlocks(rollout, gate?.clusters ?? [], now),
      ],
    };
  }
  const when = gate.decidedAt !== undefined ? ` at ${clockTime(gate.decidedAt)}` : '';
  const why = gate.reason ? `: “${gate.reason}”` : '';
  const decided =
    gate.state === 'approved'
      ? `:white_check_mark: Promotion of ${where} approved by ${mention(gate.decidedBy ?? '')}${when}${why}`
      : gate.state === 'rolled-back'
        ? `:leftwards_arrow_with_hook: Rolled back by ${mention(gate.decidedBy ?? '')}${when}${why}`
        : gate.state === 'expired'
          ? `:alarm_clock: Gate timed out${when}: ${gateClosedReason(gate) ?? 'no decision in time'}`
          : `:no_entry: Gate closed${when}: ${gateClosedReason(gate) ?? 'the rollout ended'}`;
  return { text: decided.replace(/:[a-z_]+: /, ''), blocks: [section(`~Gate: promote ${rollout.version} to ${where}~`), section(decided), ...linkBlocks(rollout, gate.clusters, now)] };
}

/** The gate's Approve button; its text ends with "…" when the click first asks why. */
export function approveButton(rollout: Rollout, where: string, value: string): Record<string, unknown> {
  const asks = (rollout.settings.reasons?.approve ?? 'off') !== 'off';
  return button({ text: clip(`Approve ${where}${asks ? '…' : ''}`, 75), actionId: APPROVE_ACTION, value, style: 'primary' });
}

/**
 * The gate's Rollback button. With a confirm dialog, unless the app asks why (approvals.reasons):
 * then the click opens the reason modal, which has its own Cancel, and a dialog first would be one too many.
 */
export function rollbackButton(rollout: Rollout, value: string): Record<string, unknown> {
  const asks = (rollout.settings.reasons?.rollback ?? 'off') !== 'off';
  const confirm = { title: 'Roll back?', text: `Undo every canary and promotion of ${rollout.app} ${rollout.version}?`, confirm: 'Roll back', deny: 'Cancel' };
  return button({ text: asks ? 'Rollback…' : 'Rollback', actionId: ROLLBACK_ACTION, value, style: 'danger', ...(asks ? {} : { confirm }) });
}

/** approvals.notify: dm — what each approver is sent when a gate opens: where to act, no buttons (the decision stays in front of the channel). */
export function gateDmMessage(rollout: Rollout, stage: number, permalink: string | undefined): SlackMessage {
  const where = rollout.gates[stage - 1]?.clusters.join(', ') ?? '?';
  const text = `:raised_hand: A gate is waiting for you: promote ${rollout.app} ${rollout.version} to ${where}? (rollout \`${rollout.id}\`, requested by ${mention(rollout.requester)})`;
  const go = permalink ? `<${permalink}|Open the gate message> to approve or roll back, or use the Approve and Rollback buttons on my Home tab.` : `The gate message is in <#${rollout.channel}>; my Home tab has its buttons too.`;
  return { text, blocks: [section(text), context(go)] };
}

/** The clicked gate at once, before the decision is applied: no buttons, who is deciding what. */
export function gateDecidingMessage(rollout: Rollout, stage: number, kind: 'approve' | 'rollback', user: string): SlackMessage {
  const where = rollout.gates[stage - 1]?.clusters.join(', ') ?? '?';
  const doing = kind === 'approve' ? `:hourglass_flowing_sand: Approving ${where}… by ${mention(user)}` : `:hourglass_flowing_sand: Rolling back… by ${mention(user)}`;
  return { text: doing.replace(/:[a-z_]+: /, ''), blocks: [section(`~Gate: promote ${rollout.version} to ${where}~`), section(doing)] };
}

function finalStates(rollout: Rollout): string {
  return rollout.clusters
    .map((name) => {
      const state = rollout.cluster[name];
      const canary = state?.canary === 'removed' ? 'canary removed' : 'no canary';
      const base = state?.promoted ? rollout.version : rollout.fromVersion ?? 'stable';
      return `• *${name}*: ${canary}, runs ${base}`;
    })
    .join('\n');
}

function valuesSoFar(rollout: Rollout, cluster: string, metric: string): string {
  const values = rollout.cluster[cluster]?.history.map((h) => h.metrics[metric]) ?? [];
  if (values.length < 2) return '';
  const shown = values.slice(-10).map((v) => (v === null || v === undefined ? 'no data' : Number(v.toFixed(2)).toString()));
  return `; every interval so far: ${shown.join(', ')}`;
}

export function rolledBackMessage(rollout: Rollout): SlackMessage {
  const outcome = rollout.outcome?.kind === 'rolled-back' ? rollout.outcome : undefined;
  const automatic = outcome && outcome.trigger !== 'person';
  const cause = outcome?.cause;
  // Every cluster that failed in the deciding interval, not only the one that hit the limit first.
  const clusters = cause ? [cause, ...(cause.alsoFailing ?? [])].slice(0, 20) : [];
  const lines = clusters.flatMap(({ cluster, failing: metrics }) =>
    metrics.map((m) => (m.hook ? `• ${hookLine(m.hook)}` : `• ${m.metric} in ${cluster}: \`${formatValue(m)}\` (${threshold(m)})${m.error ? `: ${m.error}` : ''}${valuesSoFar(rollout, cluster, m.metric)}`)),
  );
  const failing = [...new Set(lines)].join('\n');
  const lead = automatic
    ? `:rotating_light: ${mention(rollout.requester)} rollout \`${rollout.id}\` of ${rollout.app} ${rollout.version} was *rolled back automatically*: ${outcome ? outcomeReason(outcome) : ''}.`
    : `:leftwards_arrow_with_hook: ${mention(rollout.requester)} rollout \`${rollout.id}\` of ${rollout.app} ${rollout.version} was *rolled back*: ${outcome ? outcomeReason(outcome) : ''}.`;
  const blocks: Block[] = [section(lead)];
  if (failing) blocks.push(section(`*Failing metrics* (limit ${rollout.settings.failureLimit} failed checks):\n${failing}`));
  blocks.push(section(`*Undone, final state:*\n${finalStates(rollout)}`));
  blocks.push(...linkBlocks(rollout, clusters.length > 0 ? clusters.map((c) => c.cluster) : rollout.clusters, outcome?.at ?? rollout.updatedAt));
  blocks.push(...postRolloutBlocks(rollout));
  return { text: lead.replace(/^:[a-z_]+: /, ''), blocks };
}

export function finishedMessage(rollout: Rollout): SlackMessage {
  const text = `:tada: ${mention(rollout.requester)} ${rollout.app} ${rollout.version} is rolled out to ${rollout.clusters.join(', ')}: the base Deployment now holds ${rollout.version}, canaries and the promotion override are removed.`;
  return { text, blocks: [section(text), ...postRolloutBlocks(rollout)] };
}

export function operationMessage(rollout: Rollout, operation: Operation): SlackMessage {
  const text = `:hammer_and_wrench: ${mention(operation.by)} ${OPERATION_WORDS[operation.op]} ${operation.clusters.join(', ')} (rollout \`${rollout.id}\`).`;
  return { text, blocks: [section(text)] };
}

/** For `/rollout status`: each cluster's values at the last analysis interval. */
export function lastAnalysisBlocks(rollout: Rollout): Block[] {
  const lines = rollout.clusters.flatMap((name) => {
    const last = rollout.cluster[name]?.history.at(-1);
    if (!last) return [];
    const values = Object.entries(last.metrics).map(([metric, value]) => `${metric} \`${formatValue({ metric, value })}\``);
    return [`*${name}* ${values.join(' · ')}`];
  });
  return lines.length > 0 ? [section(clip(`*Last analysis* (#${rollout.tick})\n${lines.slice(0, 30).join('\n')}`))] : [];
}

export function reminderMessage(rollout: Rollout, stage: number, now: number): SlackMessage {
  const gate = rollout.gates[stage - 1];
  const left = gate?.openedAt !== undefined ? humanDuration(gate.openedAt + rollout.settings.gateTimeoutMs - now) : '';
  const then = rollout.settings.onTimeout === 'rollback' ? 'it rolls back' : 'the rollout is held';
  const text = `:hourglass_flowing_sand: ${approverWords(rollout, gate)}: the ${gate?.clusters.join(', ')} gate of \`${rollout.id}\` (${rollout.app} ${rollout.version}) is waiting for a decision; ${left} left, then ${then}.`;
  return { text, blocks: [section(text)] };
}

/** `notice`: the held notice (its facts, or the string stored before them). */
export function heldMessage(rollout: Rollout, notice: { reason: string; why?: Why | undefined }, step?: string): SlackMessage {
  const reason = reasonOf(notice);
  const every = Math.round(rollout.settings.retryMs / 1000);
  const then = step === 'tick' ? `measuring every ${every} s and the analysis resumes by itself when it answers` : `retrying every ${every} s and carries on when the cluster answers`;
  const text = `:warning: ${mention(rollout.requester)} rollout \`${rollout.id}\` is *held*: ${reason}. rollgate keeps ${then}.`;
  // Retry runs the held step now (the requester or an approver; the worker decides).
  return { text, blocks: [section(text), actions('held', [button({ text: 'Retry now', actionId: RETRY_ACTION, value: JSON.stringify({ r: rollout.id }) })])] };
}

export function resumedMessage(rollout: Rollout, step?: string): SlackMessage {
  const text = step === 'tick' ? `:arrow_forward: The metrics answer again; the analysis of rollout \`${rollout.id}\` resumes.` : `:arrow_forward: The cluster answers again; rollout \`${rollout.id}\` carries on.`;
  return { text, blocks: [section(text)] };
}

/**
 * The private answer to a start of the version that already runs, the same whether the
 * receiver's quick read caught it (nothing recorded) or the start step did.
 */
export function alreadyRunningText(app: string, version: string, where?: string): string {
  return `:information_source: ${app} already runs ${version}${where ? ` in ${where}` : ''}: there is nothing to roll out. Nothing was started.`;
}

/** `notice`: the failed notice (its facts, or the string stored before them). */
export function failedMessage(rollout: Rollout, notice: { reason: string; why?: Why | undefined }): SlackMessage {
  const reason = reasonOf(notice);
  const text = `:x: ${mention(rollout.requester)} rollout \`${rollout.id}\` of ${rollout.app} ${rollout.version} failed: ${reason}. Nothing was changed in the clusters.`;
  return { text, blocks: [section(text)] };
}
