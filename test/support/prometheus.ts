// A real Prometheus (Debian's `prometheus` package) for one test file: its own port, a temp
// TSDB, and a generated config scraping the given targets every second. Tests that need it
// are skipped where /usr/bin/prometheus is missing (CI installs it; see .ci/run).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@rollgate/demo';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const prometheusAvailable = existsSync(PROMETHEUS_BIN);
const SETPRIV = '/usr/bin/setpriv';

/** The job name of the scraped targets (the `job` label of their series, and of `up`). */
export const SCRAPE_JOB = 'pods';

export interface RunningPrometheus {
  url: string;
  /** Resolves once every target has been scraped at least `scrapes` times in the last 30 s. */
  scraped(scrapes: number, timeoutMs?: number): Promise<void>;
  /** Resolves once `query` (a function: made afresh for each try) has a value that `accept` accepts. */
  until(what: string, query: string | (() => string), accept: (value: number) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** `scrapeInterval`: a Prometheus duration, '1s' unless given (whole-stack tests with 2 s analysis intervals scrape every 250ms). */
export async function startPrometheus(options: { targets: string[]; scrapeInterval?: string }): Promise<RunningPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'rollgate-prometheus-'));
  const every = options.scrapeInterval ?? '1s';
  const config = {
    global: { scrape_interval: every, scrape_timeout: every, evaluation_interval: every },
    // honor_labels keeps the exporter's namespace/pod labels as Kubernetes service discovery would set them.
    scrape_configs: [{ job_name: SCRAPE_JOB, honor_labels: true, static_configs: [{ targets: options.targets }] }],
  };
  await writeFile(join(dir, 'prometheus.yml'), JSON.stringify(config)); // JSON is YAML
  const port = await freePort();
  const args = [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'];
  // setpriv (util-linux) execs Prometheus with a parent-death signal, so a test process that
  // dies or ends without stopping it (a failed test, a killed worker) does not leave it running.
  const [command, argv] = existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'TERM', PROMETHEUS_BIN, ...args]] : [PROMETHEUS_BIN, args];
  const child = spawn(command, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChild(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(`Prometheus on ${url} ready`, async () => (await fetch(`${url}/-/ready`)).ok, 20_000, () => child.exitCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\nprometheus log:\n${log}`);
  }
  return {
    url,
    stop,
    until: (what, query, accept, timeoutMs = 20_000) =>
      waitUntil(what, async () => {
        const value = await instantValue(url, typeof query === 'string' ? query : query());
        return value !== undefined && accept(value);
      }, timeoutMs),
    scraped: (scrapes, timeoutMs = 20_000) =>
      waitUntil(`${scrapes} scrapes of every target`, async () => {
        const fewest = await instantValue(url, `min(count_over_time(up{job="${SCRAPE_JOB}"}[30s])) and min(up{job="${SCRAPE_JOB}"}) == 1`);
        return fewest !== undefined && fewest >= scrapes;
      }, timeoutMs),
  };
}

async function instantValue(url: string, query: string): Promise<number | undefined> {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await response.json()) as { data?: { result?: { value: [number, string] }[] } };
  const value = body.data?.result?.[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, gaveUp: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !gaveUp()) {
    if (await probe().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** SIGTERM, then wait for the exit (Prometheus closes its TSDB); SIGKILL if it takes over 10 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
