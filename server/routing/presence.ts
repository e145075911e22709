import type pg from 'pg';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { presenceRequest } from '../../lib/contract/schemas';
import type { Logger } from '../logger';
import { ADAPTER_REQUEST_TIMEOUT_MS, InFlight } from '../sockets/handled';
import { agentRoom, type SwitchboardIo } from '../sockets/rooms';

// The database's functions (…_presence_lock_order.sql) take the agent's row before the presence
// row, the order an operator's move of the agent takes them in (no deadlock between the two). Their
// clock is the database's, or generated history's (`switchboard.history_clock`, which the server
// never sets), so history writes presence through these same statements (server/dev/history.ts).

/** Marks the agents connected for `ttlSeconds` from now (a socket connected, came back, or is still there). */
export async function markConnected(db: pg.Pool, agentIds: string[], ttlSeconds: number): Promise<void> {
  if (agentIds.length === 0) return;
  await db.query('select presence_mark_connected($1::uuid[], $2)', [agentIds, ttlSeconds]);
}

/** Marks the agent gone at once (their last non-idle socket went). */
export async function markGone(db: pg.Pool, agentId: string): Promise<void> {
  await db.query('select presence_mark_gone($1)', [agentId]);
}

/**
 * Presence as routing needs it, shared by every instance through `agent_presence`:
 * - a socket that connects, or comes back from idle, marks its agent connected until now + `ttlSeconds`
 *   (and wakes routing for them: they may take waiting conversations);
 * - each instance pushes that time ahead for the agents with a connected, non-idle socket on it,
 *   four times per `ttlSeconds`;
 * - when an agent's last such socket (on any instance: Socket.IO's fetchSockets asks them all)
 *   disconnects or goes idle, the agent is cleared at once; an instance that dies without a word
 *   stops pushing, and its agents count as gone within `ttlSeconds`.
 * Two instances writing in a different order than they decided heal at the next refresh.
 */
export function trackPresence(deps: { io: SwitchboardIo; db: pg.Pool; log: Logger; ttlSeconds: number; onAvailable(agentId: string): void }): {
  /** Nothing more is written; resolves once the re-checks in flight (which ask every instance) ended. */
  stop(): Promise<void>;
} {
  const { io, db, log } = deps;
  const seen = (agentIds: string[]) => markConnected(db, agentIds, deps.ttlSeconds);
  /** Clears the agent unless another of their sockets (not `except`, whose state is `exceptAway`) is connected and not idle. */
  const recheck = async (agentId: string, except: string, exceptAway: boolean) => {
    const sockets = await io.in(agentRoom(agentId)).fetchSockets();
    const active = sockets.some((s) => (s.id === except ? !exceptAway : !s.data.away));
    if (!active) await markGone(db, agentId);
  };
  const failed = (err: unknown) => log.warn({ err }, 'presence for routing not recorded; the next refresh heals it');
  let stopped = false;
  const work = new InFlight();
  // Each `presence:set` taken is a write of the agent's presence, and may end or begin a span of
  // their time available (…042_report_availability.sql): the same budget as collaboration's
  // presence (10 a second per socket, far above a browser going idle), so a client flapping its
  // presence cannot write without end. Events over it are dropped, as collaboration drops them.
  const limiter = new RateLimiterMemory({ points: 10, duration: 1 });

  io.on('connection', (socket) => {
    const { agentId } = socket.data;
    // Not while shutting down: routing has stopped, and what is connecting goes with the rest.
    if (stopped) return;
    void seen([agentId])
      .then(() => deps.onAvailable(agentId))
      .catch(failed);
    socket.on('presence:set', async (payload) => {
      const p = presenceRequest.safeParse(payload);
      if (
        stopped ||
        !p.success ||
        !(await limiter.consume(socket.id).then(
          () => true,
          () => false,
        ))
      )
        return;
      if (p.data.state === 'away') void work.track(recheck(agentId, socket.id, true)).catch(failed);
      else
        void seen([agentId])
          .then(() => deps.onAvailable(agentId))
          .catch(failed);
    });
    // Not while shutting down: the presence of this instance's agents lapses by itself (`ttlSeconds`).
    socket.on('disconnect', () => stopped || void work.track(recheck(agentId, socket.id, true)).catch(failed));
  });

  const refresh = setInterval(
    () => {
      const agents = new Set<string>();
      for (const s of io.of('/').sockets.values()) if (!s.data.away && s.data.agentId) agents.add(s.data.agentId);
      void seen([...agents]).catch(failed);
    },
    (deps.ttlSeconds * 1000) / 4,
  );
  refresh.unref();
  return {
    stop: () => {
      stopped = true;
      clearInterval(refresh);
      return work.drain(ADAPTER_REQUEST_TIMEOUT_MS);
    },
  };
}
