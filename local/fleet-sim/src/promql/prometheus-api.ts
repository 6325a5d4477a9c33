// Prometheus HTTP API for one simulated cluster: /api/v1/query (GET and form POST) and
// /api/v1/query_range, answering in Prometheus' JSON envelope and error types.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fleet } from '../fleet-state.js';
import type { Value } from './ast.js';
import { evaluate, PromQLExecutionError } from './evaluator.js';
import { PromQLParseError } from './lexer.js';
import { parsePromQL } from './parser.js';
import { seriesForPods } from './series.js';
import { canaryWeights, requestFactors, routesSeenBy } from '../traffic/traffic-split.js';

export interface PrometheusRequest {
  fleet: Fleet;
  cluster: string;
  path: string;
  req: IncomingMessage;
  res: ServerResponse;
  body: string;
  query: URLSearchParams;
  now: () => number;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** strconv.FormatFloat(v, 'f', -1, 64), as Prometheus renders sample values. */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  if (!/e/i.test(s)) return s;
  const [mantissa, exp] = s.split(/e/i) as [string, string];
  const e = Number(exp);
  const digits = mantissa.replace('-', '').replace('.', '');
  const intLen = mantissa.replace('-', '').split('.')[0]!.length;
  const sign = v < 0 ? '-' : '';
  if (e > 0) return sign + digits.padEnd(intLen + e, '0');
  return `${sign}0.${'0'.repeat(-e - intLen)}${digits}`;
}

function parseTime(raw: string | null, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new ApiError(400, 'bad_data', `invalid parameter "time": cannot parse "${raw}" to a valid timestamp`);
  return ms / 1000;
}

const ts = (t: number) => Math.round(t * 1000) / 1000;

function render(v: Value, t: number): { resultType: string; result: unknown } {
  switch (v.type) {
    case 'scalar':
      return { resultType: 'scalar', result: [ts(t), formatSampleValue(v.value)] };
    case 'string':
      return { resultType: 'string', result: [ts(t), v.value] };
    case 'vector':
      return { resultType: 'vector', result: v.samples.map((s) => ({ metric: s.labels, value: [ts(t), formatSampleValue(s.value)] })) };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: v.series.map((s) => ({ metric: s.labels, values: s.points.map(([pt, pv]) => [ts(pt), formatSampleValue(pv)]) })),
      };
  }
}

function evalAt(o: PrometheusRequest, expr: ReturnType<typeof parsePromQL>, t: number): Value {
  const mode = o.fleet.faults.prometheus(o.cluster)?.mode;
  const pods = mode === 'empty' ? [] : o.fleet.members.get(o.cluster)!.registry.store.list('pods');
  return evaluate(expr, { series: seriesForPods(pods, t, requestSplit(o.fleet, o.cluster, pods)), t });
}

/** The simulated mesh: each Service's requests split by the weights on the routes this cluster sees. */
function requestSplit(fleet: Fleet, cluster: string, pods: Parameters<typeof seriesForPods>[0]): Map<string, number> {
  const server = fleet.karmada ?? fleet.members.get(cluster)!;
  const store = server.registry.store;
  const routes = routesSeenBy(cluster, [...store.list('virtualservices'), ...store.list('httproutes')], fleet.karmada ? store.list('overridepolicies') : undefined);
  return requestFactors(store.list('services'), canaryWeights(routes), pods);
}

function parse(q: string | null) {
  try {
    return parsePromQL(q ?? '');
  } catch (e) {
    if (e instanceof PromQLParseError) throw new ApiError(400, 'bad_data', `invalid parameter "query": ${e.message}`);
    throw e;
  }
}

function execute(o: PrometheusRequest, params: URLSearchParams): unknown {
  const nowSec = o.now() / 1000;
  if (o.path === '/api/v1/query') {
    const t = parseTime(params.get('time'), nowSec);
    return render(evalAt(o, parse(params.get('query')), t), t);
  }
  const start = parseTime(params.get('start'), NaN);
  const end = parseTime(params.get('end'), NaN);
  const step = Number(params.get('step'));
  if (!Number.isFinite(start)) throw new ApiError(400, 'bad_data', 'invalid parameter "start": cannot parse "" to a valid timestamp');
  if (!Number.isFinite(end)) throw new ApiError(400, 'bad_data', 'invalid parameter "end": cannot parse "" to a valid timestamp');
  if (!(step > 0)) throw new ApiError(400, 'bad_data', 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
  if ((end - start) / step > 11000) throw new ApiError(400, 'bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
  const expr = parse(params.get('query'));
  const series = new Map<string, { metric: Record<string, string>; values: [number, string][] }>();
  for (let t = start; t <= end + 1e-9; t += step) {
    const v = evalAt(o, expr, t);
    const samples = v.type === 'vector' ? v.samples : v.type === 'scalar' ? [{ labels: {}, value: v.value }] : [];
    for (const s of samples) {
      const key = JSON.stringify(s.labels);
      const entry = series.get(key) ?? { metric: s.labels, values: [] };
      entry.values.push([ts(t), formatSampleValue(s.value)]);
      series.set(key, entry);
    }
  }
  return { resultType: 'matrix', result: [...series.values()] };
}

export async function handlePrometheus(o: PrometheusRequest): Promise<void> {
  const { res } = o;
  if (o.path === '/-/ready' || o.path === '/-/healthy') {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    return void res.end(o.path === '/-/ready' ? 'Prometheus Server is Ready.\n' : 'Prometheus Server is Healthy.\n');
  }
  if (o.path !== '/api/v1/query' && o.path !== '/api/v1/query_range') {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    return void res.end('404 page not found\n');
  }
  const fault = o.fleet.faults.prometheus(o.cluster);
  if (fault?.mode === 'error') return send(res, 503, { status: 'error', errorType: 'unavailable', error: 'injected fault: Prometheus is unavailable' });
  if (fault?.mode === 'timeout') {
    await new Promise((r) => setTimeout(r, fault.timeoutMs ?? 30_000).unref());
    if (res.destroyed) return;
    return send(res, 503, { status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' });
  }
  if (o.req.method !== 'GET' && o.req.method !== 'POST') return send(res, 405, { status: 'error', errorType: 'bad_data', error: 'method not allowed' });
  const params = new URLSearchParams(o.query);
  if (o.req.method === 'POST' && (o.req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(o.body)) params.append(k, v);
  }
  try {
    send(res, 200, { status: 'success', data: execute(o, params) });
  } catch (e) {
    if (e instanceof ApiError) return send(res, e.status, { status: 'error', errorType: e.errorType, error: e.message });
    if (e instanceof PromQLExecutionError) return send(res, 422, { status: 'error', errorType: 'execution', error: e.message });
    throw e;
  }
}
