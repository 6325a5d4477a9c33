// The processes a benchmark starts (a private redis-server, rollgate serve/worker, the floor
// server), their CPU and memory from /proc, and stopping every one of them.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
const CLOCK_TICKS = 100;
const started = new Set<ChildProcess>();

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => done(port));
    });
  });
}

export interface Proc {
  name: string;
  child: ChildProcess;
  output(): string;
}

export function start(name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): Proc {
  const child = spawn(command, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.on('exit', () => started.delete(child));
  let text = '';
  const keep = (d: Buffer) => {
    text += d.toString();
    if (text.length > 20_000) text = text.slice(-10_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // BENCH_PROC_LOG_DIR: every process's whole output in a file of its own (--node-args=--trace-gc, say).
  if (process.env.BENCH_PROC_LOG_DIR) {
    const file = createWriteStream(join(process.env.BENCH_PROC_LOG_DIR, `${name}-${child.pid}.log`));
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  return { name, child, output: () => text };
}

/** SIGTERM, then SIGKILL after `graceMs` (a process writing its CPU profile at exit needs longer). */
export async function stop(proc: Proc, graceMs = 5000): Promise<void> {
  const { child } = proc;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Last resort on exit: every child still running gets SIGKILL. */
export function killAll(): void {
  for (const child of started) child.kill('SIGKILL');
}

export async function startRedis(): Promise<{ proc: Proc; url: string; port: number }> {
  const port = await freePort();
  const proc = start('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes']);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((done) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        done(true);
      });
      socket.on('error', () => done(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`redis-server did not start:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc, url: `redis://127.0.0.1:${port}`, port };
}

export function rollgate(role: 'serve' | 'worker', env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Proc {
  return start(`rollgate ${role}`, process.execPath, [...nodeArgs, join(ROOT, 'bin/rollgate.js'), role], env);
}

export async function waitHealthy(port: number, procs: Proc[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok) {
    const dead = procs.find((p) => p.child.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited with ${dead.child.exitCode}:\n${dead.output()}`);
    if (Date.now() > deadline) throw new Error(`rollgate did not answer on :${port}:\n${procs.map((p) => p.output()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** CPU seconds (user + system) and resident memory (MiB) of a process, from /proc. */
export function procStats(pid: number | undefined): { cpuSec: number; rssMiB: number } {
  if (!pid) return { cpuSec: 0, rssMiB: 0 };
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSec = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuSec, rssMiB: rss ? Number(rss[1]) / 1024 : 0 };
  } catch {
    return { cpuSec: 0, rssMiB: 0 };
  }
}

export function machine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  const mem = /MemTotal:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1];
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const cores = readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length;
  return `${cores} cores (${cpu.trim()}), ${mem ? Math.round(Number(mem) / 1024 / 1024) : '?'} GiB, Node ${process.version}, load average at start ${load}`;
}
