// The kubeconfig handed to clients: one context per simulated API server, each with its own
// cluster entry (CA-verified HTTPS) and bearer-token user.
import { stringify } from 'yaml';

export interface KubeconfigInput {
  baseUrl: string;
  caPem: string;
  token: string;
  /** [contextName, urlPrefix] in order; the first is the current context. */
  servers: [string, string][];
  namespace?: string;
}

export function buildKubeconfig({ baseUrl, caPem, token, servers, namespace = 'default' }: KubeconfigInput): string {
  const ca = Buffer.from(caPem, 'utf8').toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: servers.map(([name, prefix]) => ({ name, cluster: { server: `${baseUrl}${prefix}`, 'certificate-authority-data': ca } })),
    users: servers.map(([name]) => ({ name: `${name}-admin`, user: { token } })),
    contexts: servers.map(([name]) => ({ name, context: { cluster: name, user: `${name}-admin`, namespace } })),
    'current-context': servers[0]?.[0] ?? '',
  });
}
