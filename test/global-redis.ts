// Finds a Redis for the test run: REDIS_URL if set, else 127.0.0.1:6379 if it answers,
// else a throwaway `redis-server` from PATH on a free port (stopped after the run).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

let child: ChildProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  let url = process.env.REDIS_URL;
  if (!url) {
    if (await answers('127.0.0.1', 6379)) {
      url = 'redis://127.0.0.1:6379';
    } else {
      const port = await freePort();
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      child.once('error', (err) => {
        throw new Error(`no Redis: REDIS_URL is unset, nothing answers on 6379, and redis-server could not start (${err.message})`);
      });
      for (let i = 0; i < 100 && !(await answers('127.0.0.1', port)); i++) await new Promise((r) => setTimeout(r, 50));
      url = `redis://127.0.0.1:${port}`;
    }
  }
  process.env.REDIS_URL = url;
  project.provide('redisUrl', url);
}

export async function teardown(): Promise<void> {
  child?.kill('SIGTERM');
}
