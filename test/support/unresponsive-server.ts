// Servers standing in for a Prometheus that hangs: `silent` accepts connections and never
// answers; `trickling` sends headers, then a space every 50 ms and never finishes the body.
import http from 'node:http';
import net from 'node:net';

export interface UnresponsiveServer {
  url: string;
  close(): Promise<void>;
}

export async function startUnresponsiveServer(kind: 'silent' | 'trickling'): Promise<UnresponsiveServer> {
  const sockets = new Set<net.Socket>();
  const server =
    kind === 'silent'
      ? net.createServer(() => {})
      : http.createServer((_request, response) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          const timer = setInterval(() => response.write(' '), 50);
          response.on('close', () => clearInterval(timer));
        });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
