// Renders deploy/kustomize with the kustomize built into kubectl, as an operator would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const KUSTOMIZE = resolve(import.meta.dirname, '../../deploy/kustomize');

export const kustomizeAvailable = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: any;
}

/** `kubectl kustomize DIR`: the YAML text. Throws with kustomize's own message when it fails. */
export function renderText(dir: string): string {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr}`);
  return result.stdout;
}

export function render(dir: string): K8sObject[] {
  return parseAllDocuments(renderText(dir)).map((doc) => doc.toJS() as K8sObject);
}

/** An operator's own overlay: one of ours plus optional components, in a directory of its own (kustomize takes relative paths only). */
export function overlayWith(overlay: string, components: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-kustomize-'));
  const lines = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', `  - ${relative(dir, join(KUSTOMIZE, overlay))}`, 'components:', ...components.map((c) => `  - ${relative(dir, join(KUSTOMIZE, c))}`)];
  writeFileSync(join(dir, 'kustomization.yaml'), `${lines.join('\n')}\n`);
  return dir;
}

export const find = (objects: K8sObject[], kind: string, name?: string): K8sObject | undefined => objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
