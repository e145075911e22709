import type { Server as HttpServer } from 'node:http';
import type pg from 'pg';
import { createAdapter } from '@socket.io/redis-adapter';
import type { RedisClientType } from 'redis';
import { Server } from 'socket.io';
import type { AgentPresence, ClientToServerEvents, ServerToClientEvents, SocketData, ViewingPayload } from '../../lib/contract/events';
import type { TokenVerifier } from '../auth/jwt';
import { isDatabaseUnavailable } from '../db/unavailable';
import { findAgent } from '../inbox/repository';
import { attachCollaboration } from './collaboration';
import type { Logger } from '../logger';

/** Between server instances (through the Redis adapter): what each told its agents about presence. */
export interface InterServerEvents {
  'presence:announced': (organisationId: string, presence: AgentPresence) => void;
  'viewing:announced': (organisationId: string, viewing: ViewingPayload) => void;
}

export type SwitchboardIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export const orgRoom = (organisationId: string) => `org:${organisationId}`;
export const agentRoom = (agentId: string) => `agent:${agentId}`;

/**
 * Socket.IO on the app's HTTP server. A connection must present a valid agent JWT
 * (`auth: { token }`); it joins its organisation's room and its own agent room.
 */
export function attachSocketIo(
  http: HttpServer,
  deps: {
    db: pg.Pool;
    verify: TokenVerifier;
    log: Logger;
    /** Several instances: Socket.IO's Redis adapter over these clients, and a presence sweep every `sweepMs`. */
    cluster?: { pub: RedisClientType; sub: RedisClientType; sweepMs: number };
  },
): SwitchboardIo {
  const log = deps.log.child({ name: 'socket.io' });
  const io: SwitchboardIo = new Server(http, {
    path: '/socket.io',
    // Extension pages and service workers connect from chrome-extension:// or moz-extension://.
    cors: { origin: true, credentials: false },
    serveClient: false,
    // Every client event is a few hundred bytes: a bigger frame is a broken or hostile client.
    maxHttpBufferSize: 16 * 1024,
  });
  if (deps.cluster) io.adapter(createAdapter(deps.cluster.pub, deps.cluster.sub));

  io.use(async (socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    if (typeof token !== 'string' || !token) return next(new Error('unauthorized: no token'));
    let claims: Awaited<ReturnType<typeof deps.verify>>;
    try {
      claims = await deps.verify(token);
    } catch (err) {
      return next(new Error(`unauthorized: ${(err as Error).message}`));
    }
    if (claims.role !== 'authenticated' || !claims.sub) return next(new Error('unauthorized: not a user token'));
    let agent: Awaited<ReturnType<typeof findAgent>>;
    try {
      agent = await findAgent(deps.db, claims.sub);
    } catch (err) {
      // Not the agent's fault: the client retries (the extension does after any refusal, with backoff).
      if (isDatabaseUnavailable(err)) return next(new Error('unavailable: the database is unavailable; try again shortly'));
      log.error({ err }, 'socket authentication failed');
      return next(new Error('internal: try again shortly'));
    }
    if (!agent) return next(new Error('forbidden: not an agent'));
    socket.data = { agentId: agent.id, organisationId: agent.organisationId, displayName: agent.displayName };
    expireWithToken(socket, claims.exp);
    next();
  });

  // Joins each socket to its organisation's and agent's rooms, and keeps presence and viewing.
  const collaboration = attachCollaboration(io, { db: deps.db, log, orgRoom, agentRoom, sweepMs: deps.cluster?.sweepMs });
  http.once('close', collaboration.stop);

  io.on('connection', (socket) => {
    log.debug({ agentId: socket.data.agentId }, 'agent connected');

    socket.on('auth:refresh', async (payload, ack) => {
      if (typeof ack !== 'function') return;
      const token = (payload as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string') return ack({ error: 'token must be a string' });
      try {
        const claims = await deps.verify(token);
        if (claims.sub !== socket.data.agentId || claims.role !== 'authenticated') return ack({ error: 'token is for another user' });
        expireWithToken(socket, claims.exp);
        ack({ data: { expiresAt: claims.exp } });
      } catch (err) {
        ack({ error: (err as Error).message });
      }
    });
  });
  return io;
}

const expiryTimers = new WeakMap<object, ReturnType<typeof setTimeout>>();

/** A socket lives no longer than its token; the client refreshes it (`auth:refresh`) or reconnects. */
function expireWithToken(socket: { disconnect(close: boolean): unknown; once(e: 'disconnect', fn: () => void): unknown }, exp: number): void {
  const previous = expiryTimers.get(socket);
  if (previous) clearTimeout(previous);
  else socket.once('disconnect', () => clearTimeout(expiryTimers.get(socket)));
  const ttl = exp * 1000 - Date.now();
  expiryTimers.set(socket, setTimeout(() => socket.disconnect(true), Math.max(0, Math.min(ttl, 2 ** 31 - 1))));
}
