import type pg from 'pg';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { z } from 'zod';
import { TYPING_TTL_MS, type AgentPresence, type ViewingPayload } from '../../lib/contract/events';
import type { Logger } from '../logger';
import type { SwitchboardIo } from './socket-io';

/**
 * Typing, presence and viewing over Socket.IO. Volatile by design: kept in this process's memory,
 * keyed by agent, and expiring on their own (typing 3 s after the last start; presence when the
 * last socket of an agent goes, which Socket.IO's ping timeout ensures for vanished clients).
 * Every event is validated, tenant-checked and rate limited.
 */
export const conversationRoom = (id: string) => `conversation:${id}`;

const conversationPayload = z.object({ conversationId: z.uuid() });
const presencePayload = z.object({ state: z.enum(['online', 'away']) });

interface AgentSockets {
  displayName: string;
  sockets: Set<string>;
  away: Set<string>;
}

export function attachCollaboration(io: SwitchboardIo, deps: { db: pg.Pool; log: Logger; orgRoom: (id: string) => string; agentRoom: (id: string) => string }) {
  const log = deps.log.child({ name: 'collaboration' });
  const presence = new Map<string, Map<string, AgentSockets>>(); // org -> agent -> sockets
  const typingTimers = new Map<string, ReturnType<typeof setTimeout>>(); // `${conversation}:${agent}`
  const viewers = new Map<string, Map<string, { displayName: string; sockets: Set<string> }>>(); // conversation -> agent
  // Chatty events: 10 per second per socket is far above a human's typing cadence (one per 1.5 s).
  const limiter = new RateLimiterMemory({ points: 10, duration: 1 });

  const presenceOf = (orgId: string, agentId: string): AgentPresence => {
    const a = presence.get(orgId)?.get(agentId);
    const state = !a || a.sockets.size === 0 ? 'offline' : a.away.size === a.sockets.size ? 'away' : 'online';
    return { agentId, displayName: a?.displayName ?? '', state };
  };

  const viewingOf = (conversationId: string): ViewingPayload => ({
    conversationId,
    agents: [...(viewers.get(conversationId) ?? new Map()).entries()].map(([agentId, v]) => ({ agentId, displayName: v.displayName })),
  });

  io.on('connection', (socket) => {
    const { agentId, organisationId, displayName } = socket.data;
    const org = deps.orgRoom(organisationId);
    const allowed = new Set<string>(); // conversations this socket joined (owned by its organisation)

    // Presence: first the organisation's current state, then changes.
    const agents = presence.get(organisationId) ?? new Map<string, AgentSockets>();
    presence.set(organisationId, agents);
    const mine = agents.get(agentId) ?? { displayName, sockets: new Set(), away: new Set() };
    agents.set(agentId, mine);
    const before = presenceOf(organisationId, agentId).state;
    mine.sockets.add(socket.id);
    socket.emit('presence:state', [...agents.keys()].map((id) => presenceOf(organisationId, id)));
    if (before !== 'online') socket.to(org).emit('presence:update', presenceOf(organisationId, agentId));

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
      socket.to(org).except(deps.agentRoom(agentId)).emit('typing:update', { conversationId, agentId, displayName, typing: false });
    };

    socket.on('conversation:join', async (payload, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const p = conversationPayload.safeParse(payload);
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
      const v = viewers.get(p.data.conversationId) ?? new Map();
      viewers.set(p.data.conversationId, v);
      const entry = v.get(agentId) ?? { displayName, sockets: new Set<string>() };
      entry.sockets.add(socket.id);
      v.set(agentId, entry);
      io.to(org).emit('viewing:update', viewingOf(p.data.conversationId));
      reply({ data: { viewing: viewingOf(p.data.conversationId) } });
    });

    const leave = (conversationId: string) => {
      if (!allowed.delete(conversationId)) return;
      void socket.leave(conversationRoom(conversationId));
      stopTyping(conversationId);
      const v = viewers.get(conversationId);
      const entry = v?.get(agentId);
      entry?.sockets.delete(socket.id);
      if (entry && entry.sockets.size === 0) v!.delete(agentId);
      if (v && v.size === 0) viewers.delete(conversationId);
      io.to(org).emit('viewing:update', viewingOf(conversationId));
    };

    socket.on('conversation:leave', (payload) => {
      const p = conversationPayload.safeParse(payload);
      if (p.success) leave(p.data.conversationId);
    });

    socket.on('typing:start', async (payload) => {
      const p = conversationPayload.safeParse(payload);
      if (!p.success || !allowed.has(p.data.conversationId) || !(await guard('typing'))) return;
      const { conversationId } = p.data;
      const key = `${conversationId}:${agentId}`;
      clearTimeout(typingTimers.get(key));
      // A client that crashes mid-sentence never leaves a stuck indicator.
      typingTimers.set(key, setTimeout(() => stopTyping(conversationId), TYPING_TTL_MS));
      // Each start is relayed, so receivers extend their own 3 s timers too.
      socket.to(org).except(deps.agentRoom(agentId)).emit('typing:update', { conversationId, agentId, displayName, typing: true });
    });

    socket.on('typing:stop', (payload) => {
      const p = conversationPayload.safeParse(payload);
      if (p.success && allowed.has(p.data.conversationId)) stopTyping(p.data.conversationId);
    });

    socket.on('presence:set', async (payload) => {
      const p = presencePayload.safeParse(payload);
      if (!p.success || !(await guard('presence'))) return;
      const was = presenceOf(organisationId, agentId).state;
      if (p.data.state === 'away') mine.away.add(socket.id);
      else mine.away.delete(socket.id);
      const now = presenceOf(organisationId, agentId);
      if (now.state !== was) io.to(org).emit('presence:update', now);
    });

    socket.on('disconnect', () => {
      for (const id of [...allowed]) leave(id);
      const was = presenceOf(organisationId, agentId).state;
      mine.sockets.delete(socket.id);
      mine.away.delete(socket.id);
      const now = presenceOf(organisationId, agentId);
      if (now.state !== was) io.to(org).emit('presence:update', now);
      if (mine.sockets.size === 0) agents.delete(agentId);
    });
  });
}
