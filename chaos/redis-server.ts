// The chaos run's own Redis: append-only on, on a free port, restartable in place (the same
// directory, so the append-only file carries the data over the restart).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { freePort } from '@rollgate/demo';

export async function startRedisServer() {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'rollgate-chaos-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  async function up(): Promise<void> {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
    for (let i = 0; i < 400 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 50));
  }

  async function down(): Promise<void> {
    const current = child;
    if (!current || current.exitCode !== null) return;
    // SIGTERM: Redis shuts down cleanly, flushing the append-only file.
    await new Promise<void>((resolve) => {
      current.once('exit', () => resolve());
      current.kill('SIGTERM');
    });
  }

  await up();
  // Restarts one at a time: two at once would start two servers and lose track of one.
  let restarting = Promise.resolve();
  return {
    url,
    restart(): Promise<void> {
      restarting = restarting.then(async () => {
        await down();
        await up();
      });
      return restarting;
    },
    stop: down,
  };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}
