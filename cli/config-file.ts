// Reads and validates rollgate.yaml: YAML syntax errors and schema problems alike come back
// as `FILE:LINE: path: message` lines, every one in a single pass.
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { validateConfig, type Config, type ConfigProblem } from '../rollout/config.js';
import { kubeconfigProblems, type KubeconfigSource } from './kubeconfig-check.js';

export type LoadedConfig = { ok: true; config: Config } | { ok: false; problems: string[] };

/** The line where the value at `path` is written (or its nearest ancestor that is). */
function lineOf(document: Document, lines: LineCounter, path: PropertyKey[]): number | undefined {
  let node: unknown = document.contents;
  let offset = (node as { range?: [number] } | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === key);
      if (!pair) break;
      offset = (pair.key as { range?: [number] } | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number' && node.items[key]) {
      node = node.items[key];
      offset = (node as { range?: [number] }).range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

/**
 * `kubeconfig`: also check that every kubeconfig context the config names exists (check-config
 * passes where KUBECONFIG comes from; serve leaves it out, its kubeconfig is read at start).
 */
export async function loadConfigFile(file: string, options: { kubeconfig?: KubeconfigSource } = {}): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, problems: [`${file}: ${code === 'ENOENT' ? 'no such file (set ROLLGATE_CONFIG or pass the path)' : String(error)}`] };
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, lineCounter: lines });
  if (document.errors.length > 0) {
    return { ok: false, problems: document.errors.map((e) => `${file}:${e.linePos?.[0].line ?? 1}: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`) };
  }
  const raw: unknown = document.toJS();
  const parsed = validateConfig(raw);
  const problems: ConfigProblem[] = [...(parsed.ok ? [] : parsed.problems), ...(options.kubeconfig ? kubeconfigProblems(raw, options.kubeconfig) : [])];
  if (parsed.ok && problems.length === 0) return parsed;
  // In the order of the file, as an editor walks it; problems with no place in it first.
  const placed = problems.map((p) => ({ p, line: p.at.length ? lineOf(document, lines, p.at) : undefined }));
  placed.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const where = (line: number | undefined) => (line === undefined ? file : `${file}:${line}`);
  return { ok: false, problems: placed.map(({ p, line }) => (p.path === 'KUBECONFIG' ? `${p.path}: ${p.message}` : `${where(line)}: ${p.path}: ${p.message}`)) };
}
