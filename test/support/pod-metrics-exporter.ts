// A tiny exporter serving, in Prometheus text format, what the pods of an app would expose:
// http_requests_total and an http_request_duration_seconds histogram (plain apps), and the
// Istio sidecar's istio_requests_total and istio_request_duration_milliseconds histogram.
// Every counter is a linear function of time (rate x seconds served), so each pod's rates,
// error share and latency distribution are known exactly; every value in one scrape is
// computed from the same instant, so ratios of rates read back exactly.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Observed latencies: `seconds` is an observed value, `share` the fraction of requests taking it. */
export type Latencies = { seconds: number; share: number }[];

export interface PodTraffic {
  namespace: string;
  pod: string;
  /** The Deployment the pod belongs to (Istio's destination_workload). */
  workload: string;
  requestsPerSecond: number;
  /** Share of requests answered 5xx (split between 500 and 503). */
  errorShare: number;
  latencies: Latencies;
}

/** prom-client's default buckets, in seconds (plain apps). */
export const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Istio's default request-duration buckets, in milliseconds. */
export const ISTIO_MS_BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

/** Share of requests answered 404: not an error for the success rate (only 5xx is). */
export const NOT_FOUND_SHARE = 0.01;
/** Seconds each pod has already served when the exporter starts: counters are far from zero,
 * so Prometheus never clamps rate() extrapolation at a counter's zero point. */
const SERVED_BEFORE_S = 3600;
/** Callers' sidecars report the same requests with reporter="source"; this share of 503s there
 * (client-side timeouts) makes any template that forgets reporter="destination" read wrong. */
const SOURCE_ERROR_SHARE = 0.5;

export interface PodMetricsExporter {
  /** host:port, as a Prometheus scrape target. */
  target: string;
  /** From the next scrape on, serve these pods (pods come and go as canaries do). */
  setPods(pods: PodTraffic[]): void;
  close(): Promise<void>;
}

export async function startPodMetricsExporter(initial: PodTraffic[]): Promise<PodMetricsExporter> {
  const checked = (list: PodTraffic[]) => {
    for (const pod of list) {
      const total = pod.latencies.reduce((sum, l) => sum + l.share, 0);
      if (Math.abs(total - 1) > 1e-9) throw new Error(`latency shares of ${pod.pod} add up to ${total}, not 1`);
    }
    return list;
  };
  let pods = checked(initial);
  const startedAt = Date.now();
  const server = http.createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    const servedS = SERVED_BEFORE_S + (Date.now() - startedAt) / 1000;
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end(exposition(pods, servedS));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    setPods: (next) => {
      pods = checked(next);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function exposition(pods: PodTraffic[], servedS: number): string {
  const lines: string[] = [
    '# TYPE http_requests_total counter',
    '# TYPE http_request_duration_seconds histogram',
    '# TYPE istio_requests_total counter',
    '# TYPE istio_request_duration_milliseconds histogram',
  ];
  for (const pod of pods) {
    const requests = pod.requestsPerSecond * servedS;
    const podLabels = `namespace="${pod.namespace}",pod="${pod.pod}"`;
    const byCode = codeCounts(requests, pod.errorShare);
    for (const [code, count] of byCode) lines.push(`http_requests_total{${podLabels},code="${code}",method="GET"} ${count}`);
    lines.push(...histogram('http_request_duration_seconds', podLabels, SECONDS_BUCKETS, pod.latencies, requests, 1));

    const istio = `${podLabels},destination_workload="${pod.workload}",destination_workload_namespace="${pod.namespace}"`;
    for (const [code, count] of byCode) lines.push(`istio_requests_total{${istio},reporter="destination",response_code="${code}"} ${count}`);
    for (const [code, count] of codeCounts(requests, SOURCE_ERROR_SHARE)) lines.push(`istio_requests_total{${istio},reporter="source",response_code="${code}"} ${count}`);
    lines.push(...histogram('istio_request_duration_milliseconds', `${istio},reporter="destination"`, ISTIO_MS_BUCKETS, pod.latencies, requests, 1000));
  }
  return `${lines.join('\n')}\n`;
}

function codeCounts(requests: number, errorShare: number): [string, number][] {
  return [
    ['200', requests * (1 - errorShare - NOT_FOUND_SHARE)],
    ['404', requests * NOT_FOUND_SHARE],
    ['500', (requests * errorShare) / 2],
    ['503', (requests * errorShare) / 2],
  ];
}

/** Cumulative buckets, _sum and _count of `requests` observations; `unit` scales seconds to the metric's unit. */
function histogram(name: string, labels: string, bounds: number[], latencies: Latencies, requests: number, unit: number): string[] {
  const lines = bounds.map((le) => {
    const share = latencies.filter((l) => l.seconds * unit <= le).reduce((sum, l) => sum + l.share, 0);
    return `${name}_bucket{${labels},le="${le}"} ${requests * share}`;
  });
  const sum = latencies.reduce((total, l) => total + l.seconds * unit * l.share, 0) * requests;
  lines.push(`${name}_bucket{${labels},le="+Inf"} ${requests}`, `${name}_sum{${labels}} ${sum}`, `${name}_count{${labels}} ${requests}`);
  return lines;
}
