// A warm cluster costs no TLS handshake: calls to one cluster reuse its connection.
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { buildKubeconfig } from '@rollgate/fleet-sim';
import { closeTlsServers, countingTlsServer, testCa } from '../support/counting-tls-server.js';
import { connectCluster, DEPLOYMENTS } from '../../rollout/kube/cluster-api.js';

async function apiServer() {
  const requests: string[] = [];
  const { baseUrl, handshakes } = await countingTlsServer((request, response) => {
    requests.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`);
    const body = request.url?.includes('/pods')
      ? { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'web-canary-1' } }] }
      : { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec: { replicas: 2 } };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromString(buildKubeconfig({ baseUrl, caPem: testCa().toString('utf8'), token: 'secret-token', servers: [['member1', '']] }));
  return { kubeconfig, handshakes, requests };
}

afterEach(closeTlsServers);

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
