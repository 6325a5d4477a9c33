// rollgate on Redis Sentinel (Debian's redis-server and redis-sentinel on loopback): a primary,
// a replica and a sentinel; rollgate finds the primary through REDIS_SENTINELS (REDIS_URL points
// nowhere). The primary is killed mid-rollout, the sentinel promotes the replica, and the
// rollout goes on to the end with the gates clicked after the failover.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import { freePort } from '@rollgate/demo';
import { startStack, waitFor, type Stack } from './stack.js';

const available = ['redis-server', 'redis-sentinel'].every((bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).status === 0);
const children: ChildProcess[] = [];
let stack: Stack | undefined;

afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function start(bin: string, args: string[]): ChildProcess {
  const child = spawn(bin, args, { stdio: 'ignore' });
  children.push(child);
  return child;
}

const ask = async (port: number, ...command: string[]) => {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => undefined); // a refused connection is the answer we wait past
  try {
    await client.connect();
    return await client.call(command[0]!, ...command.slice(1));
  } finally {
    client.disconnect();
  }
};

it.skipIf(!available)('finishes a rollout across a failover of the Redis primary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rollgate-sentinel-'));
  const [primaryPort, replicaPort, sentinelPort] = [await freePort(), await freePort(), await freePort()];
  const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
  const primary = start('redis-server', ['--port', String(primaryPort), ...common, '--dbfilename', 'p.rdb']);
  start('redis-server', ['--port', String(replicaPort), ...common, '--dbfilename', 'r.rdb', '--replicaof', '127.0.0.1', String(primaryPort)]);
  const conf = join(dir, 'sentinel.conf'); // the sentinel rewrites its own config: a file of its own
  writeFileSync(conf, [
    `port ${sentinelPort}`,
    'bind 127.0.0.1',
    `sentinel monitor mymaster 127.0.0.1 ${primaryPort} 1`,
    'sentinel down-after-milliseconds mymaster 1000',
    'sentinel failover-timeout mymaster 10000',
    '',
  ].join('\n'));
  start('redis-sentinel', [conf]);
  // The sentinel has found the replica (through the primary's INFO) before anything fails.
  await waitFor('the sentinel to see the replica', async () => {
    const replicas = (await ask(sentinelPort, 'SENTINEL', 'REPLICAS', 'mymaster').catch(() => [])) as string[][];
    return replicas.some((fields) => fields.includes(String(replicaPort)) && fields[fields.indexOf('flags') + 1] === 'slave');
  }, 30_000);

  stack = await startStack({ env: { REDIS_URL: 'redis://127.0.0.1:1', REDIS_SENTINELS: `127.0.0.1:${sentinelPort}`, REDIS_SENTINEL_NAME: 'mymaster' } });
  const s = stack;
  await s.command('U0DEV', 'start http-probe-app v2');
  const root = await waitFor('the root message', () => s.roots().find((m) => m.text.startsWith('Rollout http-probe-app-')), 40_000);
  const id = /Rollout (\S+):/.exec(root.text)![1]!;
  const first = await waitFor('the member1 gate', () => s.openGate(id, 'member1'), 60_000);
  // Replication is asynchronous: the failure comes once the replica holds the rollout (a write the
  // primary took and never passed on is lost with it, as Redis documents).
  await waitFor('the rollout replicated', async () => (await ask(replicaPort, 'EXISTS', `${s.prefix}:rollout:${id}`)) === 1, 30_000);

  primary.kill('SIGKILL');
  await waitFor('the sentinel to promote the replica', async () => {
    const address = (await ask(sentinelPort, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster').catch(() => [])) as string[];
    return address[1] === String(replicaPort);
  }, 60_000);

  await s.click('U0LEAD', first.ts, 'rollout_approve');
  for (const cluster of ['member2', 'member3']) {
    const gate = await waitFor(`the ${cluster} gate`, () => s.openGate(id, cluster), 60_000);
    await s.click('U0LEAD', gate.ts, 'rollout_approve');
  }
  await waitFor('the rollout to finish', () => s.rootOf(id)?.text.includes('Rolled out v2'), 90_000);
  // Its state lives on the promoted replica, now the primary.
  expect(String(await ask(replicaPort, 'GET', `${s.prefix}:rollout:${id}`))).toContain('"phase":"succeeded"');
});
