// Watches and the local-fleet entry point: an informer-style watch over the path-prefixed server,
// and runLocalFleet writing a kubeconfig client-node can load.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { runLocalFleet } from '../src/index.js';
import { clientsFor, eventually, FAST } from './helpers.js';

describe('watch and runLocalFleet', () => {
  it('streams pod events to a client-node Watch and writes a usable kubeconfig', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-'));
    const lines: string[] = [];
    const sim = await runLocalFleet({ ...FAST, kubeconfigPath: join(dir, 'kubeconfig'), print: (l) => lines.push(l) });
    try {
      expect(lines[0]).toMatch(/^simulated fleet \(karmada mode\) on https:\/\/127\.0\.0\.1:\d+$/);
      expect(lines.join('\n')).not.toContain('local-fleet-token');
      const kc = new KubeConfig();
      kc.loadFromString(await readFile(join(dir, 'kubeconfig'), 'utf8'));
      kc.setCurrentContext('member1');
      const events: string[] = [];
      const req = await new Watch(kc).watch(
        '/api/v1/namespaces/default/pods',
        { labelSelector: 'app=checkout' },
        (type, obj) => events.push(`${type} ${obj.metadata.name}`),
        () => {},
      );
      await eventually(() => events.filter((e) => e.startsWith('ADDED')).length === 7, 30_000, 'initial ADDED events');
      const karmada = clientsFor(sim, 'karmada-apiserver');
      await karmada.apps.patchNamespacedDeployment(
        { name: 'checkout', namespace: 'default', body: [{ op: 'replace', path: '/spec/replicas', value: 8 }] },
      );
      await eventually(() => events.filter((e) => e.startsWith('ADDED')).length === 8, 30_000, 'ADDED for the 8th pod');
      await eventually(() => events.some((e) => e.startsWith('MODIFIED')), 30_000, 'MODIFIED when the pod turns Ready');
      req.abort();
    } finally {
      await sim.close();
      await rm(dir, { recursive: true });
    }
  });
});
