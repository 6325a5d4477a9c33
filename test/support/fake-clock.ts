// A clock that only the test moves, with the `sleep` that goes with it: a sleeper wakes when
// the test advances the clock past its time, never by itself. Given to the code under test
// (and to the Slack emulator, so the times it records are on the same clock), it makes time
// rules exact and independent of how fast the machine is.
export interface FakeClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** How many sleepers are waiting. */
  sleeping(): number;
  /** Moves the clock by `ms` and wakes every sleeper whose time has come. */
  advance(ms: number): void;
  /** Moves the clock to the earliest sleeper's time and wakes it (and any due with it). */
  advanceToNextWake(): void;
}

export function createFakeClock(start: number): FakeClock {
  let now = start;
  let sleepers: { until: number; wake: () => void }[] = [];
  const wakeDue = () => {
    const due = sleepers.filter((s) => s.until <= now);
    sleepers = sleepers.filter((s) => s.until > now);
    for (const s of due) s.wake();
  };
  return {
    now: () => now,
    sleep: (ms) => (ms <= 0 ? Promise.resolve() : new Promise<void>((wake) => sleepers.push({ until: now + ms, wake }))),
    sleeping: () => sleepers.length,
    advance(ms) {
      now += ms;
      wakeDue();
    },
    advanceToNextWake() {
      if (sleepers.length === 0) return;
      now = Math.max(now, Math.min(...sleepers.map((s) => s.until)));
      wakeDue();
    },
  };
}
