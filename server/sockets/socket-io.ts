import type { Server as HttpServer } from 'node:http';
import type pg from 'pg';
import { createAdapter } from '@socket.io/redis-adapter';
import type { RedisClientType } from 'redis';
import { Server } from 'socket.io';
import type { ServerConfig } from '../config';
import { createAddressLimits, Holdings } from '../http/client-address';
import { originAllowed, type OriginPolicy } from '../http/origins';
import { authRefreshRequest } from '../../lib/contract/schemas';
import type { SocketData } from '../../lib/contract/events';
import type { TokenVerifier } from '../auth/jwt';
import { isDatabaseUnavailable } from '../db/unavailable';
import { findAgent } from '../inbox/repository';
import { attachCollaboration } from './collaboration';
import { agentRoom, orgRoom, ROWS_BY_SOCKET, type SwitchboardIo } from './rooms';
import { ADAPTER_REQUEST_TIMEOUT_MS, INTERNAL, UNAVAILABLE } from './handled';
import { attachWholeInbox, scopeRoomsOf } from './scope';

import type { Logger } from '../logger';

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
    origins: OriginPolicy;
    limits: ServerConfig['limits'];
    trustProxy?: ServerConfig['trustProxy'];
    /** How often this instance re-reads its agents (removed or moved agents are cut). */
    agentRecheckMs?: number;
    /** Several instances: Socket.IO's Redis adapter over these clients, and a presence sweep every `sweepMs`. */
    cluster?: { pub: RedisClientType; sub: RedisClientType; sweepMs: number };
  },
): { io: SwitchboardIo; stop(): Promise<void> } {
  const log = deps.log.child({ name: 'socket.io' });
  const io: SwitchboardIo = new Server(http, {
    path: '/socket.io',
    // Extension pages and service workers connect from chrome-extension:// or moz-extension://.
    cors: { origin: (origin, cb) => cb(null, originAllowed(origin, deps.origins)), credentials: false },
    serveClient: false,
    // Every client event is a few hundred bytes: a bigger frame is a broken or hostile client.
    maxHttpBufferSize: 16 * 1024,
    // A web page (a CRM, or a script on it) is not a client: only the extension and non-browser clients.
    allowRequest: (req, cb) => {
      const allowed = originAllowed(req.headers.origin, deps.origins);
      cb(allowed ? null : 'origin not allowed', allowed);
    },
  });
  if (deps.cluster) io.adapter(createAdapter(deps.cluster.pub, deps.cluster.sub, { requestsTimeout: ADAPTER_REQUEST_TIMEOUT_MS }));

  const addresses = createAddressLimits(deps.limits, deps.trustProxy);
  const perAgent = new Holdings();

  // Who may connect: within the address's limits, with a user's valid token, an agent still.
  const admit = async (socket: Parameters<Parameters<typeof io.use>[0]>[0], next: (err?: Error) => void) => {
    const admitted = await addresses.admit(socket.request);
    if ('refused' in admitted) return next(new Error(`rate_limited: ${admitted.refused}`));
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
      if (isDatabaseUnavailable(err)) return next(new Error(UNAVAILABLE));
      log.error({ err }, 'socket authentication failed');
      return next(new Error(INTERNAL));
    }
    if (!agent) return next(new Error('forbidden: not an agent'));
    if (perAgent.of(agent.id) >= deps.limits.socketsPerAgent) {
      return next(new Error(`rate_limited: this agent already holds ${deps.limits.socketsPerAgent} connections`));
    }
    socket.data = { agentId: agent.id, organisationId: agent.organisationId, displayName: agent.displayName };
    // The rooms of its delivery scope, joined before the client hears it is connected (its catch-up
    // then starts after them): what is committed from here on reaches it, with its rows until the
    // client says its Realtime has them (`inbox:rows`, ./rooms.ts).
    try {
      await socket.join([...(await scopeRoomsOf(deps.db, agent.id, agent.organisationId)), ROWS_BY_SOCKET]);
    } catch (err) {
      if (isDatabaseUnavailable(err)) return next(new Error(UNAVAILABLE));
      log.error({ err }, 'socket scope failed');
      return next(new Error(INTERNAL));
    }
    expireWithToken(socket, claims.exp);
    // Counted from here: a refused handshake never connects, so it never disconnects either.
    const releases = [addresses.opened(admitted.ip), perAgent.hold(agent.id)];
    socket.once('disconnect', () => releases.forEach((release) => release()));
    next();
  };
  io.use((socket, next) => void admit(socket, next).catch((err: Error) => next(err)));

  /**
   * An agent removed from its organisation, or moved to another, keeps nothing of the old one:
   * its sockets are told (`session:revoked`) and cut. Checked on every `auth:refresh` and by a
   * periodic sweep of this instance's sockets (one query for all of them).
   */
  const revokeIfChanged = (
    socket: { data: SocketData; emit: SwitchboardIo['emit']; disconnect(close: boolean): unknown },
    agent: { organisationId: string } | null,
  ): boolean => {
    if (agent && agent.organisationId === socket.data.organisationId) return false;
    log.info({ agentId: socket.data.agentId, reason: agent ? 'moved' : 'removed' }, 'agent no longer of this organisation: socket cut');
    socket.emit('session:revoked', { reason: agent ? 'moved' : 'removed' });
    socket.disconnect(true);
    return true;
  };
  const recheckAgents = async () => {
    const sockets = [...io.of('/').sockets.values()];
    if (sockets.length === 0) return;
    try {
      const ids = [...new Set(sockets.map((s) => s.data.agentId))];
      const { rows } = await deps.db.query<{ id: string; organisation_id: string }>('select id, organisation_id from agents where id = any($1::uuid[])', [ids]);
      const now = new Map(rows.map((r) => [r.id, { organisationId: r.organisation_id }]));
      for (const socket of sockets) revokeIfChanged(socket, now.get(socket.data.agentId) ?? null);
    } catch (err) {
      if (!isDatabaseUnavailable(err)) log.error({ err }, 'agent re-check failed');
    }
  };
  const recheck = setInterval(() => void recheckAgents(), deps.agentRecheckMs ?? 30_000);
  recheck.unref();

  // Joins each socket to its organisation's and agent's rooms, and keeps presence and viewing.
  const collaboration = attachCollaboration(io, { db: deps.db, log, orgRoom, agentRoom, sweepMs: deps.cluster?.sweepMs });
  /**
   * Before the sockets are closed on shutdown: their disconnects then ask nothing of other
   * instances, and what events started ends before the adapter's clients close.
   */
  const stop = async () => {
    clearInterval(recheck);
    await collaboration.stop();
  };
  http.once('close', () => void stop());
  attachWholeInbox(io);

  io.on('connection', (socket) => {
    log.debug({ agentId: socket.data.agentId }, 'agent connected');

    // Answered at once: an answer that does not come means this process is not answering.
    socket.on('heartbeat', (ack) => {
      if (typeof ack === 'function') ack({ data: { at: Date.now() } });
    });

    socket.on('auth:refresh', async (payload, ack) => {
      if (typeof ack !== 'function') return;
      const request = authRefreshRequest.safeParse(payload);
      if (!request.success) return ack({ error: 'token must be a string' });
      const { token } = request.data;
      let claims: Awaited<ReturnType<typeof deps.verify>>;
      try {
        claims = await deps.verify(token);
      } catch (err) {
        return ack({ error: (err as Error).message }); // the token's own fault: expired, bad signature
      }
      if (claims.sub !== socket.data.agentId || claims.role !== 'authenticated') return ack({ error: 'token is for another user' });
      try {
        if (revokeIfChanged(socket, await findAgent(deps.db, socket.data.agentId))) return ack({ error: 'this agent is no longer of this organisation' });
      } catch (err) {
        // Not the token's fault, and not the database's words for the client.
        if (!isDatabaseUnavailable(err)) log.error({ err }, 'token refresh failed');
        return ack({ error: isDatabaseUnavailable(err) ? UNAVAILABLE : INTERNAL });
      }
      expireWithToken(socket, claims.exp);
      ack({ data: { expiresAt: claims.exp } });
    });
  });
  return { io, stop };
}

const expiryTimers = new WeakMap<object, ReturnType<typeof setTimeout>>();

/** A socket lives no longer than its token; the client refreshes it (`auth:refresh`) or reconnects. */
function expireWithToken(socket: { disconnect(close: boolean): unknown; once(e: 'disconnect', fn: () => void): unknown }, exp: number): void {
  const previous = expiryTimers.get(socket);
  if (previous) clearTimeout(previous);
  else socket.once('disconnect', () => clearTimeout(expiryTimers.get(socket)));
  const ttl = exp * 1000 - Date.now();
  expiryTimers.set(
    socket,
    setTimeout(() => socket.disconnect(true), Math.max(0, Math.min(ttl, 2 ** 31 - 1))),
  );
}
