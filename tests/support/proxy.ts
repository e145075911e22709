import { createServer, connect, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a local port that a test can cut, as a lost connection would: open
 * connections are dropped and new ones refused until it is back up.
 */
export async function cuttableProxy(targetPort: number): Promise<{ url: string; setUp(up: boolean): void; close(): Promise<void> }> {
  let up = true;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    if (!up) return client.destroy();
    joinSockets(client, connect(targetPort, '127.0.0.1'), open);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    setUp(value) {
      up = value;
      if (!value) for (const s of open) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Pipes two sockets both ways, tracked in `open` until either side ends (then both close). */
export function joinSockets(client: Socket, upstream: Socket, open: Set<Socket>): void {
  tiePair(client, upstream, open);
  client.pipe(upstream).pipe(client);
}

/** Tracks two sockets in `open` until either side ends, then closes both. */
function tiePair(client: Socket, upstream: Socket, open: Set<Socket>): void {
  open.add(client).add(upstream);
  const drop = () => {
    client.destroy();
    upstream.destroy();
    open.delete(client);
    open.delete(upstream);
  };
  client.on('error', drop).on('close', drop);
  upstream.on('error', drop).on('close', drop);
}

/**
 * A TCP proxy in front of a local port that a test can black-hole, as a frozen server or a network
 * that swallows packets would: connections stay open and new ones are accepted, but nothing passes
 * either way until it thaws; what was sent meanwhile then arrives, in order. For a part that runs
 * inside the test's own process (the local Realtime), which cannot be stopped with SIGSTOP.
 */
export async function freezableProxy(targetPort: number): Promise<{ url: string; freeze(frozen: boolean): void; close(): Promise<void> }> {
  let frozen = false;
  let held: Array<() => void> = [];
  const open = new Set<Socket>();
  const forward = (from: Socket, to: Socket) =>
    from.on('data', (chunk: Buffer) => {
      const pass = () => void (to.destroyed || to.write(chunk));
      if (frozen) held.push(pass);
      else pass();
    });
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    tiePair(client, upstream, open);
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    freeze(value) {
      frozen = value;
      if (value) return;
      const pending = held;
      held = [];
      for (const pass of pending) pass();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
