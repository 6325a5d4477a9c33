// A demo killed mid-run (SIGKILL, a closed laptop) leaves its keys in a shared Redis: the next
// demo removes what a dead run recorded, and leaves a live run's alone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { cleanLeftovers, recordRun } from '../src/demo-leftovers.js';

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.disconnect());

describe('cleanLeftovers', () => {
  it("deletes a dead run's keys and record, and keeps a live run's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-leftovers-'));
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    const dead = `demo-left-dead-${process.pid}`;
    const live = `demo-left-live-${process.pid}`;
    await redis.set(`${dead}:rollout:a`, '1');
    await redis.set(`${live}:rollout:a`, '1');
    recordRun({ pid: deadPid, redisUrl: inject('redisUrl'), prefix: dead }, dir);
    const forget = recordRun({ pid: process.pid, redisUrl: inject('redisUrl'), prefix: live }, dir);

    expect(await cleanLeftovers(dir)).toBe(1);
    expect(await redis.exists(`${dead}:rollout:a`)).toBe(0);
    expect(await redis.exists(`${live}:rollout:a`)).toBe(1);
    expect(readdirSync(dir)).toEqual([`${process.pid}.json`]);

    forget();
    expect(existsSync(join(dir, `${process.pid}.json`))).toBe(false);
    await redis.del(`${live}:rollout:a`);
  });
});
