// `/rollout audit` as people read it: one line per entry, but a run of analysis ticks that
// changed nothing (same phase, same verdicts) is one line with a count. The stored audit keeps
// every entry; only the rendering collapses.
import type { AuditEntry } from '../../jobs/store.js';
import type { AuditFacts } from '../../jobs/audit.js';
import { reasonWords } from './reason-words.js';
import { refusalWords } from './refusal-words.js';

/** A private message is at most 40,000 characters; past this many lines only the newest show. */
const MAX_LINES = 80;

// Each reader's local time (Slack date token), seconds shown; the fallback is UTC.
const timeOf = (at: number) => `<!date^${Math.floor(at / 1000)}^{time_secs}|${new Date(at).toISOString().slice(11, 19)} UTC>`;
const whoOf = (who: string) => (who === 'rollgate' ? 'rollgate' : `<@${who}>`);

/** What an entry adds to its event's name, from its facts (entries from before issue 11 have only `detail`). */
export function factWords(facts: AuditFacts): string {
  switch (facts.said) {
    case 'problem':
      return reasonWords(facts.problem);
    case 'waiting-for':
      return facts.waitingFor;
    case 'their-reason':
      return `reason: “${facts.reason}”`;
    case 'verdicts':
      return facts.clusters.map((c) => `${c.cluster} ${c.verdict} (${c.failedChecks}/${facts.failureLimit})`).join(', ');
    case 'operation':
      return facts.op;
    case 'traffic-step':
      return `to ${facts.weight} %`;
    case 'retry-runs':
      return `the held ${facts.step} step runs now`;
    case 'start-held-by-webhook':
      return `waiting for the confirm-rollout webhook ${facts.hook}`;
    case 'nothing-to-roll-out':
      return `${facts.app} already runs ${facts.version}: nothing to roll out`;
  }
}

function sameTick(a: AuditEntry, b: AuditEntry): boolean {
  return a.what === 'AnalysisTicked' && b.what === 'AnalysisTicked' && a.who === b.who && a.outcome === b.outcome && a.detail === b.detail && JSON.stringify(a.facts) === JSON.stringify(b.facts) && a.cluster === b.cluster;
}

function line(first: AuditEntry, last: AuditEntry, count: number): string {
  const where = first.cluster ? ` [${first.cluster}]` : '';
  const said = first.facts ? factWords(first.facts) : (first.detail ?? (first.refusal ? refusalWords(first.refusal) : undefined));
  const detail = said ? `: ${said.slice(0, 200)}` : '';
  if (count === 1) return `${timeOf(first.at)} ${whoOf(first.who)} ${first.what}${where} → ${first.outcome}${detail}`;
  return `${timeOf(first.at)}–${timeOf(last.at)} ${whoOf(first.who)} ${first.what} ×${count}${where} (${first.outcome}, unchanged)${detail}`;
}

export function auditLines(entries: AuditEntry[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i < entries.length; ) {
    let j = i + 1;
    while (j < entries.length && sameTick(entries[i]!, entries[j]!)) j++;
    lines.push(line(entries[i]!, entries[j - 1]!, j - i));
    i = j;
  }
  return lines.length > MAX_LINES ? [`…${lines.length - MAX_LINES} older lines not shown`, ...lines.slice(-MAX_LINES)] : lines;
}
