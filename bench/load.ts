// Open-loop load: requests go out on a fixed schedule whatever the server does, and each
// latency is measured from when the request was due, so a slow server cannot slow the
// generator down and hide its own queueing (no coordinated omission).
import http from 'node:http';
import type { SignedRequest } from './slack-requests.js';

export interface LoadResult {
  latencies: number[];
  errors: number;
  statuses: Record<string, number>;
}

export async function openLoop(options: { url: string; rate: number; seconds: number; request: () => SignedRequest }): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(options.rate * options.seconds);
  const requests = Array.from({ length: total }, () => options.request());
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let done = 0;
  const start = performance.now() + 20;
  const finished = new Promise<void>((resolve) => {
    const finish = () => {
      done += 1;
      if (done === total) resolve();
    };
    let next = 0;
    const pump = () => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / options.rate <= now) {
        const due = start + (next * 1000) / options.rate;
        const { body, headers } = requests[next] as SignedRequest;
        next += 1;
        const request = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers, agent, timeout: 30_000 }, (response) => {
          response.resume();
          response.on('end', () => {
            latencies.push(performance.now() - due);
            statuses[String(response.statusCode)] = (statuses[String(response.statusCode)] ?? 0) + 1;
            finish();
          });
        });
        request.on('error', () => {
          errors += 1;
          finish();
        });
        request.on('timeout', () => request.destroy(new Error('timeout')));
        request.end(body);
      }
      if (next < total) setTimeout(pump, Math.max(0, start + (next * 1000) / options.rate - performance.now()));
    };
    pump();
  });
  await finished;
  agent.destroy();
  return { latencies, errors, statuses };
}

/** One signed POST, closed loop: resolves with the response status. */
export function post(url: string, signed: SignedRequest, agent?: http.Agent): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: signed.headers, ...(agent ? { agent } : {}) }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    request.on('error', reject);
    request.end(signed.body);
  });
}
