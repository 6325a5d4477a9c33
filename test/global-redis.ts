// Finds a Redis for the test run the way local mode does: REDIS_URL if set, else
// 127.0.0.1:6379 if it answers, else a throwaway `redis-server` from PATH (stopped after).
import type { ChildProcess } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { redisForDemo } from '@rollgate/demo';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let child: ChildProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  const found = await redisForDemo(process.env.REDIS_URL);
  if ('hint' in found) throw new Error(`no Redis for the tests: ${found.hint}`);
  child = found.child;
  process.env.REDIS_URL = found.url;
  project.provide('redisUrl', found.url);
}

export async function teardown(): Promise<void> {
  child?.kill('SIGTERM');
}
