// Stopping on SIGTERM/SIGINT: stop taking jobs and finish the ones in flight (BullMQ's
// Worker.close waits for them), but never longer than a deadline under the orchestrator's
// grace period (Kubernetes: 30 s); a second signal exits at once.
import type { Logger } from 'pino';

/** Under Kubernetes' default 30 s grace period, with room for the exit itself. */
export const SHUTDOWN_DEADLINE_MS = 25_000;

export interface SignalSource {
  on(signal: 'SIGTERM' | 'SIGINT', listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface ShutdownOptions {
  stop: () => Promise<void>;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  exit: (code: number) => void;
  signals?: SignalSource;
  deadlineMs?: number;
  /** setTimeout by default; tests pass their own. */
  schedule?: (fn: () => void, ms: number) => void;
}

/** Installs the signal handlers; `begin(code)` starts the same bounded shutdown from code (a fatal error). */
export function exitOnSignals(options: ShutdownOptions): { begin(code: number): void } {
  const signals = options.signals ?? process;
  const deadlineMs = options.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  const schedule = options.schedule ?? ((fn, ms) => void setTimeout(fn, ms).unref());
  let stopping = false;
  const begin = (code: number) => {
    if (stopping) return;
    stopping = true;
    schedule(() => {
      options.log.error({ deadlineMs }, `shutdown: not finished after ${deadlineMs} ms (ROLLGATE_SHUTDOWN_MS); exiting anyway with jobs in flight, which another worker takes over once their lock expires`);
      options.exit(1);
    }, deadlineMs);
    options.stop().then(
      () => options.exit(code),
      (error: unknown) => {
        options.log.error({ err: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        options.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.log.warn({ signal }, 'second signal: exiting now; jobs in flight are taken over by another worker once their lock expires');
      options.exit(signal === 'SIGINT' ? 130 : 143);
      return;
    }
    options.log.info({ signal, deadlineMs }, 'shutting down: finishing the jobs in flight (a second signal exits at once)');
    begin(0);
  };
  signals.on('SIGTERM', onSignal);
  signals.on('SIGINT', onSignal);
  return { begin };
}
