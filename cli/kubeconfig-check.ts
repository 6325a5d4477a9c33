// check-config's look at the kubeconfig: every file KUBECONFIG names exists and parses, and
// every context the config names is in it, all reported at once (with a guess for a typo).
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { closest } from '../rollout/closest.js';
import { formatPath, type ConfigProblem } from '../rollout/config.js';

export interface KubeconfigSource {
  /** $KUBECONFIG as set (files joined by the path delimiter), if it is. */
  env?: string | undefined;
  /** $HOME, for ~/.kube/config when KUBECONFIG is not set. */
  home?: string | undefined;
}

const record = (value: unknown): Record<string, unknown> => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});

/** The contexts the config names, with where it names them. */
function neededContexts(document: unknown): { context: string; at: PropertyKey[] }[] {
  const fleet = record(record(document).fleet);
  const needed: { context: string; at: PropertyKey[] }[] = [];
  const karmada = record(fleet.karmada).context;
  if (fleet.mode === 'karmada' && typeof karmada === 'string') needed.push({ context: karmada, at: ['fleet', 'karmada', 'context'] });
  (Array.isArray(fleet.clusters) ? fleet.clusters : []).forEach((raw, i) => {
    const cluster = record(raw);
    if (typeof cluster.context === 'string') needed.push({ context: cluster.context, at: ['fleet', 'clusters', i, 'context'] });
  });
  return needed;
}

/** No KUBECONFIG and no ~/.kube/config (CI, or in a cluster): nothing to check against. */
export function kubeconfigProblems(document: unknown, source: KubeconfigSource): ConfigProblem[] {
  const files = source.env ? source.env.split(delimiter).filter(Boolean) : source.home && existsSync(join(source.home, '.kube', 'config')) ? [join(source.home, '.kube', 'config')] : [];
  const problems: ConfigProblem[] = [];
  const contexts: string[] = [];
  let read = 0;
  for (const file of files) {
    if (!existsSync(file)) {
      problems.push({ path: 'KUBECONFIG', at: [], message: `${file}: no such file; point KUBECONFIG at the kubeconfig with the fleet's contexts (or unset it to use ~/.kube/config)` });
      continue;
    }
    try {
      const kubeconfig = new KubeConfig();
      kubeconfig.loadFromFile(file);
      contexts.push(...kubeconfig.getContexts().map((c) => c.name));
      read += 1;
    } catch (error) {
      problems.push({ path: 'KUBECONFIG', at: [], message: `${file}: not a readable kubeconfig: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` });
    }
  }
  if (read === 0) return problems;
  for (const { context, at } of neededContexts(document)) {
    if (contexts.includes(context)) continue;
    const guess = closest(context, contexts);
    const message = `kubeconfig has no context "${context}" (it has: ${contexts.join(', ') || 'none'})${guess ? `; did you mean "${guess}"?` : ''}`;
    problems.push({ path: formatPath(at), at, message });
  }
  return problems;
}
