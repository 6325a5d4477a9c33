// rollgate processes under chaos: started from the built bin/rollgate.js, killed with
// SIGKILL and started again in place (same role, same environment).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';

export interface Managed {
  name: string;
  child: ChildProcess;
  restarts: number;
  /** The last lines the process printed (for a failure report). */
  tail: string[];
  /** Set once this incarnation logged that it started; a process still starting does no work worth killing. */
  up: boolean;
}

/** `logDir`: each process's output is appended to NAME.log there, across restarts. */
export function manageRollgate(root: string, env: NodeJS.ProcessEnv, logDir: string) {
  const all: Managed[] = [];
  const launch = (managed: Managed, args: string[]) => {
    const child = spawn(process.execPath, [join(root, 'bin/rollgate.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    managed.up = false;
    const keep = (d: Buffer) => {
      if (d.toString().includes('rollgate started')) managed.up = true;
      managed.tail.push(...d.toString().split('\n').filter(Boolean));
      managed.tail.splice(0, Math.max(0, managed.tail.length - 40));
    };
    const file = createWriteStream(join(logDir, `${managed.name}.log`), { flags: 'a' });
    file.write(`--- started (restart ${managed.restarts})\n`);
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.stdout?.pipe(file, { end: false });
    child.stderr?.pipe(file, { end: false });
    child.once('exit', (code, signal) => file.end(`--- exited ${code ?? signal}\n`));
    managed.child = child;
  };
  const argsOf = new Map<Managed, string[]>();
  return {
    all,
    start(name: string, ...args: string[]): Managed {
      const managed = { name, restarts: 0, tail: [], up: false } as unknown as Managed;
      launch(managed, args);
      argsOf.set(managed, args);
      all.push(managed);
      return managed;
    },
    /** SIGKILL, wait for the exit, start again. */
    async kill(managed: Managed): Promise<void> {
      const child = managed.child;
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        });
      }
      managed.restarts++;
      launch(managed, argsOf.get(managed) ?? []);
    },
    async stopAll(): Promise<void> {
      await Promise.all(
        all.map(
          (m) =>
            new Promise<void>((resolve) => {
              if (m.child.exitCode !== null || m.child.signalCode !== null) return resolve();
              m.child.once('exit', () => resolve());
              m.child.kill('SIGTERM');
              setTimeout(() => m.child.kill('SIGKILL'), 30_000).unref();
            }),
        ),
      );
    },
  };
}
