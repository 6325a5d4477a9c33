// A Prometheus asked once per analysis interval keeps its connection: Node's global agent would
// drop it after 5 s idle and pay a new TLS handshake on every tick.
import { afterEach, describe, expect, it } from 'vitest';
import { getJson } from '../../rollout/metrics/http-json.js';
import { closeTlsServers, countingTlsServer, testCa } from '../support/counting-tls-server.js';

afterEach(closeTlsServers);

describe('connections to Prometheus', () => {
  it('reuses one TLS connection across queries more than 5 s apart', async () => {
    const { baseUrl, handshakes } = await countingTlsServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    });
    const url = `${baseUrl}/api/v1/query?query=up`;
    const ca = testCa();

    expect((await getJson(url, { timeoutMs: 5000, ca })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 6000)); // longer than Node's global agent keeps an idle socket
    expect((await getJson(url, { timeoutMs: 5000, ca })).status).toBe(200);
    expect(handshakes()).toBe(1);
  }, 20_000);
});
