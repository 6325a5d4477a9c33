// /_fleet control routes for tests and the demo; the same operations as the in-process helpers.
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { sendJson } from './kube/api-handler.js';
import { describeFleet } from './describe.js';
import { faultSchema } from './faults.js';
import type { Fleet } from './fleet-state.js';

export interface ControlRequest {
  fleet: Fleet;
  path: string;
  method: string;
  body: string;
  res: ServerResponse;
}


export function handleControl({ fleet, path, method, body, res }: ControlRequest): void {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  if (route === 'GET /_fleet/state') return sendJson(res, 200, fleet.snapshot());
  if (route === 'GET /_fleet/describe') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    return void res.end(describeFleet(fleet.snapshot()));
  }
  if (route === 'GET /_fleet/faults') return sendJson(res, 200, { faults: fleet.faults.list() });
  if (route === 'POST /_fleet/faults') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body || 'null');
    } catch {
      return sendJson(res, 400, { error: 'body is not JSON: send one fault object or an array of them' });
    }
    const result = (Array.isArray(parsed) ? z.array(faultSchema) : faultSchema).safeParse(parsed);
    if (!result.success) {
      const issues = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
      return sendJson(res, 400, { error: `invalid fault: ${issues.join('; ')}`, issues });
    }
    const list = Array.isArray(result.data) ? result.data : [result.data];
    const added = list.map((f) => fleet.faults.add(f));
    fleet.reconcile();
    return sendJson(res, 201, { faults: added });
  }
  if (route === 'DELETE /_fleet/faults') {
    fleet.faults.clear();
    fleet.reconcile();
    return sendJson(res, 200, { faults: [] });
  }
  const one = /^DELETE \/_fleet\/faults\/([^/]+)$/.exec(route);
  if (one) {
    fleet.faults.clear(decodeURIComponent(one[1]!));
    fleet.reconcile();
    return sendJson(res, 200, { faults: fleet.faults.list() });
  }
  if (route === 'POST /_fleet/reset') {
    fleet.reset();
    return sendJson(res, 200, { reset: true });
  }
  if (route === 'POST /_fleet/reconcile') {
    fleet.reconcile();
    return sendJson(res, 200, { reconciled: true });
  }
  sendJson(res, 404, { error: `no control route ${route}; see GET /_fleet/state, /_fleet/describe, /_fleet/faults, POST /_fleet/reset` });
}
