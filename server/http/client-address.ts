import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';
import type { ServerConfig } from '../config';

/**
 * The client's address of a raw Node request (a WebSocket upgrade, a Socket.IO handshake), by the
 * same rule Fastify applies for `req.ip`: `X-Forwarded-For` is believed only from the proxies
 * `TRUST_PROXY` names; by default from none, so a client cannot choose its own address.
 */
export function clientAddress(trustProxy: ServerConfig['trustProxy'] | undefined): (req: IncomingMessage) => string {
  const trust =
    trustProxy === undefined || trustProxy === false ? () => false : trustProxy === true ? () => true : Array.isArray(trustProxy) ? proxyAddr.compile(trustProxy) : trustProxy;
  return (req) => proxyAddr(req, trust);
}
