// The end-of-rollout chart is drawn on a thread of its own. Drawing takes Skia tens of
// milliseconds (loading it, the first time, more), and on the main thread every click and
// tick of the process waited meanwhile: a 69 ms stall in the middle of clicks, CPU profile at
// 1,000 rollouts (issue 13). One thread, started on the first chart, keeping the process alive
// only while it draws; a thread that dies fails the charts it held and the next chart starts another.
// Run from TypeScript sources (the tests), there is no built thread script: drawn here.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { renderMetricCharts, type MetricChartsInput } from './metric-chart.js';

const SCRIPT = fileURLToPath(new URL('./chart-worker.js', import.meta.url));
/** Looked for once, at load: the build does not change under a running process. */
const BUILT = existsSync(SCRIPT);

let thread: Worker | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve(png: Buffer): void; reject(error: Error): void }>();

function start(): Worker {
  // None of the process's node flags: a thread needs none, and some (--input-type, --cpu-prof
  // into the process's file) do not belong to it.
  const worker = new Worker(SCRIPT, { execArgv: [] });
  worker.on('message', ({ id, png, error }: { id: number; png?: Uint8Array; error?: string }) => {
    const call = waiting.get(id);
    waiting.delete(id);
    if (waiting.size === 0) worker.unref();
    if (!call) return;
    if (png) call.resolve(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
    else call.reject(new Error(`chart not drawn: ${error ?? 'no reason given'}`));
  });
  const fail = (error: Error) => {
    if (thread === worker) thread = undefined;
    for (const call of waiting.values()) call.reject(error);
    waiting.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the chart thread exited (code ${code})`)));
  return worker;
}

/** The PNG of renderMetricCharts(input), drawn off the main thread where the built script is there. */
export function drawCharts(input: MetricChartsInput): Promise<Buffer> {
  if (!BUILT) return Promise.resolve().then(() => renderMetricCharts(input));
  thread ??= start();
  const id = nextId++;
  const drawn = new Promise<Buffer>((resolve, reject) => waiting.set(id, { resolve, reject }));
  // Held while it draws (a process waiting for its chart stays up for it), let go once idle.
  thread.ref();
  thread.postMessage({ id, input });
  return drawn;
}
