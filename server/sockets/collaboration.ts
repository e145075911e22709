import type pg from 'pg';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { conversationRef, presenceRequest, watchRequest } from '../../lib/contract/schemas';
import { describeIssues } from '../errors';
import { TYPING_TTL_MS, type AgentPresence, type PresenceState, type ViewingPayload } from '../../lib/contract/events';
import type { Logger } from '../logger';
import type { SwitchboardIo, SwitchboardSocket } from './rooms';
import { ADAPTER_REQUEST_TIMEOUT_MS, Closing, handled, InFlight } from './handled';

/**
 * Typing, presence and viewing over Socket.IO. Volatile by design, and derived from the sockets
 * themselves, so it is the same with one server or several joined by the Redis adapter:
 * - presence: an agent is online while any of its sockets (on any instance) is connected and not
 *   idle, away when all are idle (`socket.data.away`), offline when none is left. Changes of an
 *   organisation are coalesced: one `presence:changes` per `flushMs` carrying what changed, and a
 *   newcomer is answered from the presence already announced (no read of the organisation's
 *   sockets), so n agents connecting cost O(n) events, not n²/2;
 * - viewing: the agents whose sockets are in a conversation's room;
 * - typing: expiring 3 s after the last start.
 * Typing and viewing go only to the sockets that show that conversation: its open thread
 * (`conversation:<id>`) or its row or CRM badge (`watch:<id>`, `conversations:watch`). Typing is
 * volatile (dropped for a socket that is busy: each start is repeated and expires in 3 s anyway);
 * viewing is not, because it is state: a lost "nobody is viewing" would leave a stale indicator.
 * `fetchSockets()` answers across instances; an instance that dies takes its sockets with it,
 * and the periodic sweep tells the remaining instances' agents what changed.
 * Every event is validated, tenant-checked and rate limited.
 */
export const conversationRoom = (id: string) => `conversation:${id}`;
export const watchRoom = (id: string) => `watch:${id}`;
/** Everyone who shows a conversation: its open threads and its rows and badges. */
const showing = (id: string) => [conversationRoom(id), watchRoom(id)];
/** How long presence changes of an organisation gather before one `presence:changes` carries them. */
export const PRESENCE_FLUSH_MS = 200;
const CONVERSATION_PREFIX = 'conversation:';

type SocketLike = { id: string; data: { agentId: string; organisationId: string; displayName: string; away?: boolean }; rooms: Set<string> };

function presenceFrom(sockets: SocketLike[]): Map<string, AgentPresence> {
  const byAgent = new Map<string, { displayName: string; total: number; away: number }>();
  for (const s of sockets) {
    const a = byAgent.get(s.data.agentId) ?? { displayName: s.data.displayName, total: 0, away: 0 };
    a.total++;
    if (s.data.away) a.away++;
    byAgent.set(s.data.agentId, a);
  }
  return new Map([...byAgent].map(([agentId, a]) => [agentId, { agentId, displayName: a.displayName, state: a.away === a.total ? 'away' : 'online' }]));
}

function viewingFrom(conversationId: string, sockets: SocketLike[]): ViewingPayload {
  const agents = new Map<string, string>();
  for (const s of sockets) if (s.rooms.has(conversationRoom(conversationId))) agents.set(s.data.agentId, s.data.displayName);
  return { conversationId, agents: [...agents].map(([agentId, displayName]) => ({ agentId, displayName })) };
}

export function attachCollaboration(
  io: SwitchboardIo,
  deps: { db: pg.Pool; log: Logger; orgRoom: (id: string) => string; agentRoom: (id: string) => string; sweepMs?: number; flushMs?: number },
) {
  const log = deps.log.child({ name: 'collaboration' });
  const failed = (what: string) => (err: unknown) => err instanceof Closing || log.warn({ err, what }, 'collaboration update failed');
  // What socket events started: a closing server lets it end before the adapter's clients close.
  const work = new InFlight();
  const guarded = <A extends unknown[]>(event: string, fn: (...args: A) => Promise<unknown>) => handled(log, event, fn, work);
  /** Every instance's sockets in a room; refused once the server is closing (the adapter's clients quit next). */
  const socketsIn = async (room: string) => {
    work.open();
    return (await io.in(room).fetchSockets()) as unknown as SocketLike[];
  };
  // Several instances (Redis adapter): they share what they announce, and sweep for dead ones.
  const clustered = deps.sweepMs !== undefined;
  // Stopped with the server: the adapter's Redis clients close right after, so nothing more is sent to other instances.
  let stopped = false;
  const toInstances = () => clustered && !stopped;
  const typingTimers = new Map<string, ReturnType<typeof setTimeout>>(); // `${conversation}:${agent}`
  // What was last announced about each agent, by any instance (org -> agent -> presence).
  const announced = new Map<string, Map<string, AgentPresence>>();
  // Organisations this instance has learnt the presence of (the others' announcements before it started).
  const learnt = new Set<string>();
  // Changes not yet sent, per organisation: one `presence:changes` per flush carries them all.
  const pending = new Map<string, Map<string, AgentPresence>>();
  const flushMs = deps.flushMs ?? PRESENCE_FLUSH_MS;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    flushTimer = null;
    for (const [org, changes] of pending) io.to(deps.orgRoom(org)).emit('presence:changes', [...changes.values()]);
    pending.clear();
  };
  const queueChange = (org: string, p: AgentPresence) => {
    const changes = pending.get(org) ?? new Map<string, AgentPresence>();
    changes.set(p.agentId, p);
    pending.set(org, changes);
    flushTimer ??= setTimeout(flush, flushMs);
  };
  // Chatty events: 10 per second per socket is far above a human's typing cadence (one per 1.5 s).
  const limiter = new RateLimiterMemory({ points: 10, duration: 1 });
  // Presence changes of one agent are worked out one at a time, in the order they happened.
  const queues = new Map<string, Promise<unknown>>();
  const serially = (key: string, fn: () => Promise<void>) => {
    const next = (queues.get(key) ?? Promise.resolve()).then(fn).catch((err) => err instanceof Closing || log.error({ err }, 'presence update failed'));
    queues.set(key, work.track(next));
    void next.finally(() => queues.get(key) === next && queues.delete(key));
    return next;
  };

  const remember = (org: string, p: AgentPresence) => {
    const m = announced.get(org) ?? new Map<string, AgentPresence>();
    announced.set(org, m);
    if (p.state === 'offline') m.delete(p.agentId);
    else m.set(p.agentId, p);
  };
  const stateOf = (org: string, agentId: string): PresenceState => announced.get(org)?.get(agentId)?.state ?? 'offline';

  /** Works out an agent's presence from its sockets everywhere; tells the organisation if it changed. */
  const updatePresence = (organisationId: string, agentId: string, displayName: string) =>
    serially(agentId, async () => {
      const sockets = await socketsIn(deps.agentRoom(agentId));
      const now = presenceFrom(sockets).get(agentId) ?? { agentId, displayName, state: 'offline' as const };
      if (now.state === stateOf(organisationId, agentId)) return;
      remember(organisationId, now);
      queueChange(organisationId, now);
      // The other instances learn it too, so any of them can tell when it stops being true.
      if (toInstances()) io.serverSideEmit('presence:announced', organisationId, now);
    });
  io.on('presence:announced', (organisationId, p) => remember(organisationId, p));

  // Who was last said to be viewing each conversation (`${org}/${conversation}` -> agent ids).
  const viewed = new Map<string, string>();
  const rememberViewing = (organisationId: string, v: ViewingPayload): boolean => {
    const key = `${organisationId}/${v.conversationId}`;
    const ids = v.agents
      .map((a) => a.agentId)
      .sort()
      .join();
    const changed = (viewed.get(key) ?? '') !== ids;
    if (ids) viewed.set(key, ids);
    else viewed.delete(key);
    return changed;
  };
  const updateViewing = async (organisationId: string, conversationId: string) => {
    const sockets = await socketsIn(conversationRoom(conversationId));
    const viewing = viewingFrom(conversationId, sockets);
    rememberViewing(organisationId, viewing);
    io.to(showing(conversationId)).emit('viewing:update', viewing);
    if (toInstances()) io.serverSideEmit('viewing:announced', organisationId, viewing);
    return viewing;
  };
  io.on('viewing:announced', (organisationId, v) => rememberViewing(organisationId, v));

  io.on(
    'connection',
    guarded('connection', async (socket: SwitchboardSocket) => {
      const { agentId, organisationId, displayName } = socket.data;
      const org = deps.orgRoom(organisationId);
      const allowed = new Set<string>(); // conversations this socket joined (owned by its organisation)
      socket.data.away = false;
      // Handlers first (events may arrive while the presence is worked out), then the rooms.
      const guard = async (event: string): Promise<boolean> => {
        try {
          await limiter.consume(`${socket.id}:${event}`);
          return true;
        } catch {
          log.warn({ agentId, event }, 'rate limited');
          return false;
        }
      };

      const stopTyping = (conversationId: string) => {
        const key = `${conversationId}:${agentId}`;
        const timer = typingTimers.get(key);
        if (!timer) return;
        clearTimeout(timer);
        typingTimers.delete(key);
        socket.volatile
          .to(showing(conversationId))
          .except(deps.agentRoom(agentId))
          .emit('typing:update', { conversationId, agentId, displayName, typing: false });
      };

      socket.on(
        'conversation:join',
        guarded('conversation:join', async (payload, ack) => {
          const reply = typeof ack === 'function' ? ack : () => {};
          const p = conversationRef.safeParse(payload);
          if (!p.success) return reply({ error: 'conversationId must be a UUID' });
          if (!(await guard('join'))) return reply({ error: 'rate limited' });
          const { rowCount } = await deps.db.query('select 1 from conversations where id = $1 and organisation_id = $2', [
            p.data.conversationId,
            organisationId,
          ]);
          // Checked here, never trusted from the client: another organisation's conversation is "not found".
          if (!rowCount) return reply({ error: 'conversation not found' });
          allowed.add(p.data.conversationId);
          await socket.join(conversationRoom(p.data.conversationId));
          reply({ data: { viewing: await updateViewing(organisationId, p.data.conversationId) } });
        }),
      );

      const leave = async (conversationId: string) => {
        if (!allowed.delete(conversationId)) return;
        await socket.leave(conversationRoom(conversationId));
        stopTyping(conversationId);
        await updateViewing(organisationId, conversationId);
      };

      socket.on('conversation:leave', (payload) => {
        const p = conversationRef.safeParse(payload);
        if (p.success && !work.closed) work.track(leave(p.data.conversationId)).catch(failed('conversation:leave'));
      });

      // Rows and badges on screen: their conversations' typing and viewing, checked to be the organisation's.
      let watching = new Set<string>();
      socket.on(
        'conversations:watch',
        guarded('conversations:watch', async (payload, ack) => {
          const reply = typeof ack === 'function' ? ack : () => {};
          const p = watchRequest.safeParse(payload);
          if (!p.success) return reply({ error: describeIssues(p.error) });
          if (!(await guard('watch'))) return reply({ error: 'rate limited' });
          const wanted = [...new Set(p.data.conversationIds)];
          const { rows } = wanted.length
            ? await deps.db.query<{ id: string }>('select id from conversations where organisation_id = $1 and id = any($2::uuid[])', [organisationId, wanted])
            : { rows: [] };
          const next = new Set(rows.map((r) => r.id));
          for (const id of watching) if (!next.has(id)) await socket.leave(watchRoom(id));
          const added = [...next].filter((id) => !watching.has(id));
          if (added.length) await socket.join(added.map(watchRoom));
          watching = next;
          reply({ data: { watching: next.size } });
          // What is going on in the newly shown ones now: who views them.
          for (const id of added) {
            const v = viewed.get(`${organisationId}/${id}`);
            if (v) socket.emit('viewing:update', viewingFrom(id, await socketsIn(conversationRoom(id))));
          }
        }),
      );

      socket.on(
        'typing:start',
        guarded('typing:start', async (payload) => {
          const p = conversationRef.safeParse(payload);
          if (!p.success || !allowed.has(p.data.conversationId) || !(await guard('typing'))) return;
          const { conversationId } = p.data;
          const key = `${conversationId}:${agentId}`;
          clearTimeout(typingTimers.get(key));
          // A client that crashes mid-sentence never leaves a stuck indicator.
          typingTimers.set(
            key,
            setTimeout(() => stopTyping(conversationId), TYPING_TTL_MS),
          );
          // Each start is relayed, so receivers extend their own 3 s timers too.
          socket.volatile
            .to(showing(conversationId))
            .except(deps.agentRoom(agentId))
            .emit('typing:update', { conversationId, agentId, displayName, typing: true });
        }),
      );

      socket.on('typing:stop', (payload) => {
        const p = conversationRef.safeParse(payload);
        if (p.success && allowed.has(p.data.conversationId)) stopTyping(p.data.conversationId);
      });

      socket.on(
        'presence:set',
        guarded('presence:set', async (payload) => {
          const p = presenceRequest.safeParse(payload);
          if (!p.success || !(await guard('presence'))) return;
          socket.data.away = p.data.state === 'away';
          await updatePresence(organisationId, agentId, displayName);
        }),
      );

      socket.on('disconnecting', () => {
        for (const id of allowed) stopTyping(id);
      });
      socket.on('disconnect', () => {
        if (stopped) return; // the server is shutting down: every socket goes, nothing to tell
        // The socket has left its rooms: what is left is everyone else.
        for (const id of allowed) updateViewing(organisationId, id).catch(failed('viewing'));
        allowed.clear();
        void updatePresence(organisationId, agentId, displayName);
      });

      await socket.join([org, deps.agentRoom(agentId)]);
      if (socket.disconnected) return;
      // With several instances, presence announced before this one started is read once per organisation.
      if (clustered && !learnt.has(organisationId)) {
        learnt.add(organisationId);
        const everyone = await socketsIn(org);
        // The newcomer itself is left to updatePresence below, which announces it.
        for (const p of presenceFrom(everyone).values())
          if (p.agentId !== agentId && !announced.get(organisationId)?.has(p.agentId)) remember(organisationId, p);
      }
      // Presence: first what is known now (the newcomer included), then changes.
      await updatePresence(organisationId, agentId, displayName);
      if (socket.disconnected) return;
      socket.emit('presence:state', [...(announced.get(organisationId)?.values() ?? [])]);
    }),
  );

  /**
   * With several instances, one can die without a word: its sockets simply vanish. Every instance
   * regularly recomputes the presence and viewing of the organisations it serves and tells its own
   * agents what changed.
   */
  const sweep = async () => {
    const orgs = [...io.of('/').adapter.rooms.keys()].filter((r) => r.startsWith('org:'));
    for (const org of orgs) {
      const organisationId = org.slice('org:'.length);
      // What was said before looking: anything announced while we look is newer than what we see.
      const said = new Map([...(announced.get(organisationId) ?? [])].map(([agentId, p]) => [agentId, p.state]));
      const seen = new Map([...viewed].filter(([key]) => key.startsWith(`${organisationId}/`)));
      const sockets = await socketsIn(org);
      const now = presenceFrom(sockets);
      const changes: AgentPresence[] = [];
      for (const [agentId, state] of said) {
        if (stateOf(organisationId, agentId) !== state) continue;
        const p = now.get(agentId) ?? { agentId, displayName: announced.get(organisationId)?.get(agentId)?.displayName ?? '', state: 'offline' as const };
        if (p.state === state) continue;
        remember(organisationId, p);
        changes.push(p);
      }
      if (changes.length) io.local.to(org).emit('presence:changes', changes);
      const conversations = new Set(
        sockets.flatMap((s) => [...s.rooms].filter((r) => r.startsWith(CONVERSATION_PREFIX)).map((r) => r.slice(CONVERSATION_PREFIX.length))),
      );
      for (const key of seen.keys()) conversations.add(key.slice(organisationId.length + 1));
      for (const conversationId of conversations) {
        const key = `${organisationId}/${conversationId}`;
        if ((viewed.get(key) ?? '') !== (seen.get(key) ?? '')) continue;
        const v = viewingFrom(conversationId, sockets);
        if (rememberViewing(organisationId, v)) io.local.to(showing(conversationId)).emit('viewing:update', v);
      }
    }
  };
  let sweeping = false;
  const tick = () => {
    if (sweeping) return;
    sweeping = true;
    work
      .track(sweep())
      .catch((err) => err instanceof Closing || log.warn({ err }, 'presence sweep failed'))
      .finally(() => (sweeping = false));
  };
  const timer = deps.sweepMs ? setInterval(tick, deps.sweepMs) : null;
  timer?.unref();
  return {
    /** Tells other instances nothing more; resolves once the work in flight ended (at most the adapter's request timeout). */
    stop: (): Promise<void> => {
      stopped = true;
      if (timer) clearInterval(timer);
      if (flushTimer) clearTimeout(flushTimer);
      return work.drain(ADAPTER_REQUEST_TIMEOUT_MS);
    },
  };
}
