import type { Server as HttpServer } from 'node:http';
import type pg from 'pg';
import { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents, SocketData } from '../../lib/contract/events';
import type { TokenVerifier } from '../auth/jwt';
import { findAgent } from '../inbox/repository';
import type { Logger } from '../logger';

export type SwitchboardIo = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const orgRoom = (organisationId: string) => `org:${organisationId}`;
export const agentRoom = (agentId: string) => `agent:${agentId}`;

/**
 * Socket.IO on the app's HTTP server. A connection must present a valid agent JWT
 * (`auth: { token }`); it joins its organisation's room and its own agent room.
 */
export function attachSocketIo(http: HttpServer, deps: { db: pg.Pool; verify: TokenVerifier; log: Logger }): SwitchboardIo {
  const log = deps.log.child({ name: 'socket.io' });
  const io: SwitchboardIo = new Server(http, {
    path: '/socket.io',
    // Extension pages and service workers connect from chrome-extension:// or moz-extension://.
    cors: { origin: true, credentials: false },
    serveClient: false,
  });

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    if (typeof token !== 'string' || !token) return next(new Error('unauthorized: no token'));
    try {
      const claims = await deps.verify(token);
      if (claims.role !== 'authenticated' || !claims.sub) return next(new Error('unauthorized: not a user token'));
      const agent = await findAgent(deps.db, claims.sub);
      if (!agent) return next(new Error('forbidden: not an agent'));
      socket.data = { agentId: agent.id, organisationId: agent.organisationId };
      // The socket lives no longer than its token; the client reconnects with a fresh one.
      const ttl = claims.exp * 1000 - Date.now();
      const timer = setTimeout(() => socket.disconnect(true), Math.max(0, Math.min(ttl, 2 ** 31 - 1)));
      socket.on('disconnect', () => clearTimeout(timer));
      next();
    } catch (err) {
      next(new Error(`unauthorized: ${(err as Error).message}`));
    }
  });

  io.on('connection', (socket) => {
    void socket.join([orgRoom(socket.data.organisationId), agentRoom(socket.data.agentId)]);
    log.debug({ agentId: socket.data.agentId }, 'agent connected');
  });
  return io;
}
