// A stand-in for Flagger's load tester (fluxcd/flagger pkg/loadtester/server.go), answering the
// same routes the same way, for the demo and the tests:
//   POST /                 a task: metadata.cmd (type cmd, the default, or bash); 202 for cmd
//                          (Flagger runs it in the background), 200 for bash (blocking);
//                          400 "metadata not found in payload" without metadata, 400 for another type.
//   POST /gate/approve     200        POST /gate/halt      403
//   POST /gate/check       200 once /gate/open was posted for the canary (name.namespace), else 403
//   POST /gate/open|close  202        (the same for /rollback/check|open|close, keyed rollback.name.namespace)
//   GET  /healthz          200
// What it fakes: it runs no command (no `hey`, no `bats`, no `helm`); it records each call and
// answers at once. Faults are set in-process (or with POST /_control/fault) and act on the wire:
// an HTTP status of your choice, or a connection held open without an answer (a timeout).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoadTesterCall {
  path: string;
  payload: { name?: string; namespace?: string; phase?: string; checksum?: string; metadata?: Record<string, string> } | undefined;
  status: number;
  at: number;
}

/** `status`: answer with it; `hang`: never answer. `path` limits it to one route; `times` to that many calls. */
export interface LoadTesterFault {
  path?: string;
  status?: number;
  body?: string;
  hang?: boolean;
  times?: number;
}

export interface LoadTester {
  listen(port?: number, host?: string): Promise<string>;
  url: () => string;
  calls: () => LoadTesterCall[];
  setFault(fault: LoadTesterFault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

const TASK_TYPES = new Set(['cmd', 'bash']);

export function createLoadTester(options: { clock?: () => number } = {}): LoadTester {
  const clock = options.clock ?? Date.now;
  const calls: LoadTesterCall[] = [];
  const gates = new Set<string>();
  let faults: LoadTesterFault[] = [];
  let address = '';

  function faultFor(path: string): LoadTesterFault | undefined {
    const fault = faults.find((f) => f.path === undefined || f.path === path);
    if (fault?.times !== undefined) {
      fault.times -= 1;
      if (fault.times <= 0) faults = faults.filter((f) => f !== fault);
    }
    return fault;
  }

  function answer(path: string, payload: LoadTesterCall['payload']): [number, string] {
    const canary = `${payload?.name}.${payload?.namespace}`;
    switch (path) {
      case '/gate/approve':
        return [200, 'OK'];
      case '/gate/halt':
        return [403, 'Forbidden'];
      case '/gate/check':
        return gates.has(canary) ? [200, 'Approved'] : [403, 'Forbidden'];
      case '/rollback/check':
        return gates.has(`rollback.${canary}`) ? [200, 'Approved'] : [403, 'Forbidden'];
      case '/gate/open':
      case '/rollback/open':
        gates.add(path.startsWith('/rollback') ? `rollback.${canary}` : canary);
        return [202, ''];
      case '/gate/close':
      case '/rollback/close':
        gates.delete(path.startsWith('/rollback') ? `rollback.${canary}` : canary);
        return [202, ''];
      case '/': {
        const metadata = payload?.metadata ?? {};
        if (Object.keys(metadata).length === 0) return [400, 'metadata not found in payload'];
        const type = metadata.type ?? 'cmd';
        if (!TASK_TYPES.has(type)) return [400, `unknown task type ${type}`];
        return type === 'bash' ? [200, ''] : [202, ''];
      }
      default:
        return [404, '404 page not found'];
    }
  }

  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://loadtester').pathname;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (request.method === 'GET' && path === '/healthz') return void response.end('OK');
      if (path === '/_control/fault' && request.method === 'POST') {
        const fault = JSON.parse(text || '{}') as LoadTesterFault | { clear: true };
        if ('clear' in fault) faults = [];
        else faults.push(fault);
        return void response.writeHead(204).end();
      }
      let payload: LoadTesterCall['payload'];
      try {
        payload = JSON.parse(text) as LoadTesterCall['payload'];
      } catch {
        calls.push({ path, payload: undefined, status: 400, at: clock() });
        return void response.writeHead(400).end();
      }
      const fault = faultFor(path);
      if (fault?.hang) {
        calls.push({ path, payload, status: 0, at: clock() });
        return; // never answered: the caller's timeout ends it
      }
      const [status, body] = fault?.status !== undefined ? [fault.status, fault.body ?? 'fault injected'] : answer(path, payload);
      calls.push({ path, payload, status, at: clock() });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    });
  });

  return {
    async listen(port = 0, host = '127.0.0.1') {
      await new Promise<void>((resolve) => server.listen(port, host, resolve));
      address = `http://${host}:${(server.address() as AddressInfo).port}`;
      return address;
    },
    url: () => address,
    calls: () => [...calls],
    setFault: (fault) => void faults.push({ ...fault }),
    clearFaults: () => void (faults = []),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
