import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { ServerConfig } from '../config';

/**
 * The client's address of a raw Node request (a WebSocket upgrade, a Socket.IO handshake), by the
 * same rule Fastify applies for `req.ip`: `X-Forwarded-For` is believed only from the proxies
 * `TRUST_PROXY` names; by default from none, so a client cannot choose its own address.
 */
export function clientAddress(trustProxy: ServerConfig['trustProxy'] | undefined): (req: IncomingMessage) => string {
  const trust =
    trustProxy === undefined || trustProxy === false
      ? () => false
      : trustProxy === true
        ? () => true
        : Array.isArray(trustProxy)
          ? proxyAddr.compile(trustProxy)
          : trustProxy;
  return (req) => proxyAddr(req, trust);
}

/** How many of something each key holds now (connections per address, sockets per agent). */
export class Holdings {
  private readonly counts = new Map<string, number>();

  of(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Counts one more for `key`; call what it returns when that one is gone. */
  hold(key: string): () => void {
    this.counts.set(key, this.of(key) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.of(key) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    };
  }
}

/**
 * The rule every WebSocket endpoint applies per client address (Socket.IO and the local
 * Realtime): at most `handshakesPerIp` connection attempts every 10 s, and at most
 * `connectionsPerIp` connections held at once. Kept per server instance.
 */
export function createAddressLimits(limits: { handshakesPerIp: number; connectionsPerIp: number }, trustProxy: ServerConfig['trustProxy'] | undefined) {
  const addressOf = clientAddress(trustProxy);
  const handshakes = new RateLimiterMemory({ points: limits.handshakesPerIp, duration: 10 });
  const open = new Holdings();
  return {
    /** The request's address if it may connect now, or why it may not. */
    async admit(req: IncomingMessage): Promise<{ ip: string } | { refused: string }> {
      const ip = addressOf(req);
      try {
        await handshakes.consume(ip);
      } catch {
        return { refused: 'too many connection attempts from this address; try again shortly' };
      }
      if (open.of(ip) >= limits.connectionsPerIp) return { refused: 'too many connections from this address' };
      return { ip };
    },
    /** A connection from `ip` is open; call what it returns when it closes. */
    opened: (ip: string) => open.hold(ip),
  };
}
