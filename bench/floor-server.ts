// The ack floor: a bare Node HTTP server doing only what every Slack app must do per request
// (read the body, check the timestamp and the HMAC signature in constant time) and answer 200.
// Run as its own process: node floor-server.js SECRET; prints its port.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const secret = process.argv[2] ?? '';
const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (c: Buffer) => chunks.push(c));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const timestamp = String(request.headers['x-slack-request-timestamp'] ?? '');
    const given = Buffer.from(String(request.headers['x-slack-signature'] ?? ''));
    const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`);
    const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
    const ok = fresh && given.length === expected.length && timingSafeEqual(given, expected);
    response.writeHead(ok ? 200 : 401).end();
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
