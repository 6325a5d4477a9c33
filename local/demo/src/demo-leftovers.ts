// What a demo leaves behind if it is killed (SIGKILL, a closed laptop): its keys in a shared
// Redis and its throwaway redis-server. Each run records them in a file named for its pid; the
// next run removes whatever a dead run recorded, then records its own.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface DemoRun {
  pid: number;
  redisUrl: string;
  prefix: string;
  /** The throwaway redis-server this run started, if any. */
  redisPid?: number;
}

export const LEFTOVERS_DIR = join(tmpdir(), 'rollgate-demo');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // That Redis is gone (a throwaway one died with its demo): nothing left to delete.
  } finally {
    redis.disconnect();
  }
}

/** Removes what dead demo runs left; returns how many runs it cleaned up after. */
export async function cleanLeftovers(dir: string = LEFTOVERS_DIR): Promise<number> {
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return 0;
  }
  let cleaned = 0;
  for (const file of files) {
    let run: DemoRun;
    try {
      run = JSON.parse(readFileSync(join(dir, file), 'utf8')) as DemoRun;
    } catch {
      rmSync(join(dir, file), { force: true });
      continue;
    }
    if (run.pid === process.pid || alive(run.pid)) continue;
    if (run.redisPid && alive(run.redisPid)) process.kill(run.redisPid, 'SIGTERM');
    else await deleteKeys(run.redisUrl, run.prefix);
    rmSync(join(dir, file), { force: true });
    cleaned += 1;
  }
  return cleaned;
}

/** Records this run; the returned function forgets it (after a clean shutdown). */
export function recordRun(run: DemoRun, dir: string = LEFTOVERS_DIR): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${run.pid}.json`);
  // The URL may hold a password: readable by this user only.
  writeFileSync(file, JSON.stringify(run), { mode: 0o600 });
  return () => rmSync(file, { force: true });
}
