import { connect, createServer, type Socket } from 'node:net';
import { joinSockets } from './proxy';

/**
 * A TCP load balancer on loopback, as production puts in front of the instances: each new
 * connection goes to the next backend that accepts it (a dead one is skipped).
 */
export async function tcpBalancer(backends: () => number[]): Promise<{ url: string; close(): Promise<void> }> {
  let next = 0;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    client.pause();
    const ports = backends();
    const attempt = (tries: number) => {
      if (tries >= ports.length) return client.destroy();
      const port = ports[next++ % ports.length]!;
      const upstream = connect(port, '127.0.0.1');
      upstream.once('connect', () => {
        joinSockets(client, upstream, open);
        client.resume();
      });
      upstream.once('error', () => (upstream.connecting || !open.has(upstream) ? attempt(tries + 1) : undefined));
    };
    attempt(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
