// The config checks beyond one field's own schema: what spans fields (an app's clusters must
// be fleet clusters, names must be unique), run on the document as written so they report in
// the same pass as the schema's problems; and zod's issues in words, with "did you mean" for
// a mistyped key.
import type { z } from 'zod';
import { closest } from './closest.js';
import { formatPath, type ConfigProblem } from './config.js';

type Path = PropertyKey[];
const problem = (at: Path, message: string): ConfigProblem => ({ path: formatPath(at) || '(top level)', message, at });

const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Two entries with the same name: each one after the first. */
function duplicates(items: unknown[], at: (i: number) => Path, what: (name: string) => string): ConfigProblem[] {
  const seen = new Set<string>();
  return items.flatMap((item, i) => {
    const name = text(record(item).name);
    if (name === undefined) return [];
    if (seen.has(name)) return [problem(at(i), what(name))];
    seen.add(name);
    return [];
  });
}

export function crossCheck(document: unknown): ConfigProblem[] {
  const fleet = record(record(document).fleet);
  const clusters = list(fleet.clusters).map(record);
  const problems: ConfigProblem[] = [];
  if (fleet.mode === 'karmada' && fleet.karmada === undefined) {
    problems.push(problem(['fleet', 'karmada'], 'karmada mode needs {context: NAME}, the kubeconfig context of the Karmada API server'));
  }
  problems.push(...duplicates(clusters, (i) => ['fleet', 'clusters', i, 'name'], (name) => `"${name}" is listed twice`));
  clusters.forEach((cluster, i) => {
    if (fleet.mode === 'direct' && !cluster.context) problems.push(problem(['fleet', 'clusters', i, 'context'], 'direct mode writes to each cluster through its kubeconfig context; name it'));
  });
  const names = clusters.map((c) => text(c.name)).filter((n) => n !== undefined);
  const apps = list(record(document).apps);
  problems.push(...duplicates(apps, (i) => ['apps', i, 'name'], (name) => `app "${name}" is configured twice`));
  apps.forEach((raw, i) => {
    const app = record(raw);
    const own = list(app.clusters);
    for (const name of Object.keys(record(record(app.approvals).clusters))) {
      if (!own.includes(name)) problems.push(problem(['apps', i, 'approvals', 'clusters', name], `"${name}" is not one of this app's clusters (${own.join(', ')})`));
    }
    own.forEach((name, j) => {
      if (typeof name !== 'string') return;
      const at = ['apps', i, 'clusters', j];
      if (!names.includes(name)) {
        const guess = closest(name, names);
        problems.push(problem(at, `"${name}" is not a fleet cluster (${names.join(', ')})${guess ? `; did you mean "${guess}"?` : ''}`));
      } else if (!clusters.find((c) => c.name === name)?.prometheus) {
        problems.push(problem(at, `cluster "${name}" has no prometheus.url, which analysis needs`));
      }
      if (own.indexOf(name) < j) problems.push(problem(at, `"${name}" is listed twice`));
    });
    const metrics = list(record(app.analysis).metrics);
    problems.push(...duplicates(metrics, (k) => ['apps', i, 'analysis', 'metrics', k, 'name'], (name) => `metric "${name}" is listed twice; each metric is judged once`));
    const hooks = list(record(app.analysis).webhooks);
    problems.push(...duplicates(hooks, (k) => ['apps', i, 'analysis', 'webhooks', k, 'name'], (name) => `webhook "${name}" is named twice; summaries and refusals name hooks, so names must differ`));
  });
  return problems;
}

/** The keys an object schema allows at `path`, through optional, default, transform and array wrappers. */
function keysAt(schema: z.ZodType, path: Path): string[] {
  let node: unknown = schema;
  const unwrap = () => {
    for (;;) {
      const def = (node as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
      if (!def) return undefined;
      if (def.innerType) node = def.innerType;
      else if (def.type === 'pipe') node = def.in;
      else return def;
    }
  };
  for (const key of path) {
    const def = unwrap();
    if (def?.type === 'object') node = (def.shape as Record<string, unknown>)[String(key)];
    else if (def?.type === 'array') node = def.element;
    else if (def?.type === 'record') node = def.valueType;
    else return [];
    if (!node) return [];
  }
  const def = unwrap();
  return def?.type === 'object' ? Object.keys(def.shape as Record<string, unknown>) : [];
}

function valueAt(document: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), document);
}

/** zod's issues as problems: unknown keys one by one with a guess, a missing field said plainly. */
export function describeIssues(issues: z.core.$ZodIssue[], document: unknown, schema: z.ZodType): ConfigProblem[] {
  const guessed = new Set<string>();
  const unknown = issues.flatMap((issue) => {
    if (issue.code !== 'unrecognized_keys') return [];
    const known = keysAt(schema, issue.path);
    return issue.keys.map((key) => {
      const guess = closest(key, known.filter((k) => valueAt(document, [...issue.path, k]) === undefined));
      if (guess) guessed.add(formatPath([...issue.path, guess]));
      const hint = guess ? `; did you mean "${guess}"?` : known.length ? ` (allowed: ${known.join(', ')})` : '';
      return problem([...issue.path, key], `unknown key "${key}"${hint}`);
    });
  });
  const rest = issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return [];
    const missing = valueAt(document, issue.path) === undefined && issue.code === 'invalid_type';
    // "intervall: 1m" is one mistake, not two: the guess above already names the missing key.
    if (missing && guessed.has(formatPath(issue.path))) return [];
    return [problem(issue.path, missing ? 'is required' : issue.message)];
  });
  return [...rest, ...unknown];
}
