// Files a real `rollgate` process starts with when no rollout is meant to run: the test config
// (test/fixtures/config.ts) and a kubeconfig whose every context it names points at a port
// nobody listens on.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { configDocument } from '../fixtures/config.js';

export interface UnreachableFleetFiles {
  /** A fresh temporary folder holding both files, for a test's own files beside them. */
  dir: string;
  configFile: string;
  kubeconfigFile: string;
}

/** `name` tells the temporary folder apart (`rollgate-NAME-…`). */
export function writeUnreachableFleetFiles(name: string): UnreachableFleetFiles {
  const dir = mkdtempSync(join(tmpdir(), `rollgate-${name}-`));
  const config = configDocument();
  const configFile = join(dir, 'rollgate.yaml');
  writeFileSync(configFile, stringify(config));
  const contexts: string[] = [config.fleet.karmada.context, ...config.fleet.clusters.map((c: { context: string }) => c.context)];
  const kubeconfigFile = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfigFile,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'nowhere', cluster: { server: 'https://127.0.0.1:9' } }],
      users: [{ name: 'u', user: { token: 'kube-token' } }],
      contexts: contexts.map((name) => ({ name, context: { cluster: 'nowhere', user: 'u' } })),
      'current-context': 'member1',
    }),
  );
  return { dir, configFile, kubeconfigFile };
}
