// Counts rollgate's HTTP calls to Slack, Kubernetes and Prometheus by result, at the one place
// all three clients meet: node:http (axios, node-fetch and rollgate's own getJson all use it),
// through its diagnostics channels. A call is attributed by the URL prefixes it was given
// (Slack's API base, the kubeconfig's servers, the Prometheus URLs); the longest match wins.
import dc from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

export type CallTarget = 'slack' | 'kubernetes' | 'prometheus';
export const CALL_RESULTS = ['ok', 'client_error', 'rate_limited', 'server_error', 'network_error'] as const;
export type CallResult = (typeof CALL_RESULTS)[number];

interface Endpoint {
  target: CallTarget;
  protocol: string;
  host: string;
  path: string;
}

export function resultOf(status: number): CallResult {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'client_error';
  return 'ok';
}

export function createCallCounter(count: (target: CallTarget, result: CallResult) => void) {
  const endpoints: Endpoint[] = [];
  const counted = new WeakSet<ClientRequest>();

  function targetOf(request: ClientRequest): CallTarget | undefined {
    const host = String(request.getHeader('host') ?? request.host);
    const under = (path: string) => request.path === path || request.path.startsWith(`${path}/`) || request.path.startsWith(`${path}?`);
    const matches = endpoints.filter((e) => e.protocol === request.protocol && e.host === host && under(e.path));
    return matches.sort((a, b) => b.path.length - a.path.length)[0]?.target;
  }
  function record(request: ClientRequest, result: CallResult): void {
    if (counted.has(request)) return;
    const target = targetOf(request);
    if (!target) return;
    counted.add(request);
    count(target, result);
  }
  const onResponse = (message: unknown) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    record(request, resultOf(response.statusCode ?? 0));
  };
  const onError = (message: unknown) => record((message as { request: ClientRequest }).request, 'network_error');
  dc.subscribe('http.client.response.finish', onResponse);
  dc.subscribe('http.client.request.error', onError);

  return {
    /** Attributes calls under these URLs (undefined entries are skipped) to `target`. */
    watch(target: CallTarget, urls: (string | undefined)[]): void {
      for (const url of urls) {
        if (!url) continue;
        const parsed = new URL(url);
        endpoints.push({ target, protocol: parsed.protocol, host: parsed.host, path: parsed.pathname.replace(/\/$/, '') });
      }
    },
    close(): void {
      dc.unsubscribe('http.client.response.finish', onResponse);
      dc.unsubscribe('http.client.request.error', onError);
    },
  };
}
