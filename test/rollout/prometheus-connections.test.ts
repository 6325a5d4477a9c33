// A Prometheus asked once per analysis interval keeps its connection: Node's global agent would
// drop it after 5 s idle and pay a new TLS handshake on every tick.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TLS_DIR as TLS } from '@rollgate/fleet-sim';
import { getJson } from '../../rollout/metrics/http-json.js';

const servers: https.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('connections to Prometheus', () => {
  it('reuses one TLS connection across queries more than 5 s apart', async () => {
    let handshakes = 0;
    const server = https.createServer({ cert: readFileSync(join(TLS, 'server.crt')), key: readFileSync(join(TLS, 'server.key')) }, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    });
    server.keepAliveTimeout = 60_000; // as Prometheus, which keeps idle connections minutes
    server.on('secureConnection', () => handshakes++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/query?query=up`;
    const ca = readFileSync(join(TLS, 'ca.crt'));

    expect((await getJson(url, { timeoutMs: 5000, ca })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 6000)); // longer than Node's global agent keeps an idle socket
    expect((await getJson(url, { timeoutMs: 5000, ca })).status).toBe(200);
    expect(handshakes).toBe(1);
  }, 20_000);
});
