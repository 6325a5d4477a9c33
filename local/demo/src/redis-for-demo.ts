// Local mode's Redis: REDIS_URL when set (an error if it does not answer: never silently
// another Redis), else 127.0.0.1:6379, else a throwaway redis-server from PATH; else one line
// saying how to get one.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

function answers(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG') || d.toString().startsWith('-NOAUTH')));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/** The URL without its password, for messages. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export async function redisForDemo(envUrl: string | undefined): Promise<{ url: string; child?: ChildProcess } | { hint: string }> {
  if (envUrl) {
    if (await answers(envUrl)) return { url: envUrl };
    return { hint: `REDIS_URL=${redactedUrl(envUrl)} does not answer: start that Redis, or unset REDIS_URL to use 127.0.0.1:6379 or a throwaway redis-server.` };
  }
  if (await answers('redis://127.0.0.1:6379')) return { url: 'redis://127.0.0.1:6379' };
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const started = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    const poll = async (n: number): Promise<void> => {
      if (await answers(`redis://127.0.0.1:${port}`)) return resolve(true);
      if (n <= 0 || child.exitCode !== null) return resolve(false);
      setTimeout(() => void poll(n - 1), 50);
    };
    void poll(100);
  });
  if (started) return { url: `redis://127.0.0.1:${port}`, child };
  child.kill();
  return { hint: 'rollgate needs Redis: set REDIS_URL, start one on 127.0.0.1:6379, or install redis-server (apt-get install redis-server / brew install redis).' };
}
