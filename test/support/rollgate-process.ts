// Runs the real `rollgate` binary as an operator would, keeping every byte it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/rollgate.js');

export interface RunningRollgate {
  child: ChildProcess;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/** The environment without anything of the test runner's own Slack or rollgate settings. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLACK_') && !k.startsWith('ROLLGATE_') && k !== 'KUBECONFIG' && k !== 'REDIS_URL'));
  return { ...clean, ...extra };
}

export function runRollgate(args: string[], env: NodeJS.ProcessEnv): RunningRollgate {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let all = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (all += d.toString()));
  child.stderr?.on('data', (d: Buffer) => {
    all += d.toString();
    err += d.toString();
  });
  const exited = new Promise<number | string>((done) => child.once('exit', (code, signal) => done(code ?? signal ?? 'unknown')));
  return { child, output: () => all, stderr: () => err, exited };
}

/** Polls `probe` every 100 ms until it gives a value; fails with `what` (and the process output) after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, proc?: RunningRollgate, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve(probe()).catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (proc && proc.child.exitCode !== null) throw new Error(`rollgate exited (${proc.child.exitCode}) while waiting for ${what}:\n${proc.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${proc ? `:\n${proc.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
