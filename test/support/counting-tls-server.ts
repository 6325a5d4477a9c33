// An HTTPS server with the local test certificate that counts TLS handshakes (new connections)
// and keeps idle connections a minute, as real API servers and Prometheus do.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { RequestListener } from 'node:http';
import { TLS_DIR } from '@rollgate/fleet-sim';

const servers: https.Server[] = [];

export const testCa = (): Buffer => readFileSync(join(TLS_DIR, 'ca.crt'));

export async function countingTlsServer(handler: RequestListener): Promise<{ baseUrl: string; handshakes(): number }> {
  let handshakes = 0;
  const server = https.createServer({ cert: readFileSync(join(TLS_DIR, 'server.crt')), key: readFileSync(join(TLS_DIR, 'server.key')) }, handler);
  server.keepAliveTimeout = 60_000;
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { baseUrl: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, handshakes: () => handshakes };
}

/** For afterEach: closes every server started, and their kept-alive connections. */
export async function closeTlsServers(): Promise<void> {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
