// SIGTERM finishes the jobs in flight, bounded by a deadline; a second signal exits at once.
// Signals and timers are given to the handler, so nothing here waits for real time.
import { EventEmitter } from 'node:events';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { exitOnSignals } from '../../cli/shutdown.js';

function setup() {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  let finish!: () => void;
  let stops = 0;
  exitOnSignals({
    stop: () => {
      stops++;
      return new Promise<void>((resolve) => (finish = resolve));
    },
    log: pino({ level: 'silent' }),
    exit: (code) => exits.push(code),
    signals,
    deadlineMs: 25_000,
    schedule: (fn, ms) => timers.push({ fn, ms }),
  });
  return { signals, exits, timers, finish: () => finish(), stops: () => stops };
}

const settle = () => new Promise((r) => setImmediate(r));

it('waits for the jobs in flight on SIGTERM, then exits 0', async () => {
  const s = setup();
  s.signals.emit('SIGTERM', 'SIGTERM');
  await settle();
  expect(s.exits).toEqual([]);
  s.finish();
  await settle();
  expect(s.exits).toEqual([0]);
  expect(s.stops()).toBe(1);
});

it('exits at once on a second signal', async () => {
  const s = setup();
  s.signals.emit('SIGTERM', 'SIGTERM');
  s.signals.emit('SIGINT', 'SIGINT');
  expect(s.exits).toEqual([130]);
  expect(s.stops()).toBe(1);
});

it('exits 1 when the jobs in flight outlast the deadline', async () => {
  const s = setup();
  s.signals.emit('SIGTERM', 'SIGTERM');
  expect(s.timers.map((t) => t.ms)).toEqual([25_000]);
  s.timers[0]!.fn();
  expect(s.exits).toEqual([1]);
});
