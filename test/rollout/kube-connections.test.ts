// A warm cluster costs no TLS handshake: calls to one cluster reuse its connection.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { buildKubeconfig, TLS_DIR as TLS } from '@rollgate/fleet-sim';
import { connectCluster, DEPLOYMENTS } from '../../rollout/kube/cluster-api.js';

const servers: https.Server[] = [];

async function apiServer() {
  let handshakes = 0;
  const requests: string[] = [];
  const server = https.createServer({ cert: readFileSync(join(TLS, 'server.crt')), key: readFileSync(join(TLS, 'server.key')) }, (request, response) => {
    requests.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`);
    const body = request.url?.includes('/pods')
      ? { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'web-canary-1' } }] }
      : { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2 } };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  server.keepAliveTimeout = 60_000;
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromString(
    buildKubeconfig({ baseUrl: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caPem: readFileSync(join(TLS, 'ca.crt'), 'utf8'), token: 'secret-token', servers: [['member1', '']] }),
  );
  return { kubeconfig, handshakes: () => handshakes, requests };
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('connections to a cluster', () => {
  it('makes one TLS handshake for many sequential calls, each still authenticated', async () => {
    const { kubeconfig, handshakes, requests } = await apiServer();
    const api = connectCluster({ kubeconfig, context: 'member1', cluster: 'member1' });
    for (let i = 0; i < 5; i++) expect((await api.get<{ metadata: { name: string } }>(DEPLOYMENTS, 'default', 'web'))?.metadata.name).toBe('web');
    expect((await api.listPods('default', 'app=web')).map((p) => p.metadata?.name)).toEqual(['web-canary-1']);
    expect(requests).toHaveLength(6);
    expect(requests.every((r) => r.endsWith('Bearer secret-token'))).toBe(true);
    expect(handshakes()).toBe(1);
  });
});
