// A TCP pass-through that reports the bytes a client sends, in order, as they go by: a test can
// see when a process wrote something to Redis relative to other things it observes.
import net from 'node:net';

export interface TcpTap {
  url: string;
  /** Called with every chunk the client sends, before it is forwarded. */
  onClientData(listener: (chunk: Buffer) => void): void;
  close(): Promise<void>;
}

export async function startTcpTap(target: { host: string; port: number }, scheme = 'redis'): Promise<TcpTap> {
  const listeners: ((chunk: Buffer) => void)[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => {
      for (const listener of listeners) listener(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    onClientData: (listener) => void listeners.push(listener),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
