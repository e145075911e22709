import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { AgentProfile, MessageView } from '../../lib/contract/models';
import type { Availability } from '../../lib/contract/routing';
import { storeInboundBatch } from '../inbox/repository';
import { setStatus, wakeSnoozed, type StatusChange } from '../inbox/status';
import { assignConversation, createNote } from '../inbox/team';
import { createOutbound } from '../outbound/repository';
import { markConnected, markGone } from '../routing/presence';
import { setAvailability } from '../routing/repository';
import { newSid } from './twilio-stand-in/inbound';

/**
 * Writes past conversations (the demo's weeks of history, tests' scripted days) through the same
 * repository functions as live traffic: the webhook's `storeInboundBatch`, the reply route's
 * `createOutbound`, status, assignment and notes. Only the time is set, per step, by the session
 * setting `switchboard.history_clock` (supabase/migrations/…_history_clock.sql) on the writer's
 * one connection; replies written so are stored as read and never sent. Development and tests only.
 */
export interface HistoryWriter {
  /** A customer's message, as Twilio's webhook stores it. */
  inbound(at: Date, m: { from: string; to: string; body: string; profileName?: string }): Promise<{ conversationId: string; message: MessageView }>;
  /** An agent's reply: text (within the 24-hour window) or a template (any time). */
  reply(at: Date, agent: AgentProfile, conversationId: string, content: { body: string } | { templateSid: string; renderedBody: string }): Promise<MessageView>;
  note(at: Date, agent: AgentProfile, conversationId: string, body: string): Promise<void>;
  status(at: Date, agent: AgentProfile, conversationId: string, change: StatusChange): Promise<void>;
  assign(at: Date, agent: AgentProfile, conversationId: string, assigneeId: string | null): Promise<void>;
  /** The snooze sweeper's run at that time. */
  wakeSnoozed(at: Date): Promise<void>;
  /** An outbound message no agent sent (what an automatic reply stores). */
  automatic(at: Date, organisationId: string, conversationId: string, body: string): Promise<void>;
  /** The agent sets their own availability (`PUT /api/routing/availability`). */
  availability(at: Date, agent: AgentProfile, availability: Availability): Promise<void>;
  /** A browser of the agent's connects, or is still there: connected for `ttlSeconds` from `at` (routing's presence). */
  connected(at: Date, agentId: string, ttlSeconds: number): Promise<void>;
  /** The agent's last browser disconnects or goes idle. */
  gone(at: Date, agentId: string): Promise<void>;
  close(): Promise<void>;
}

/** A history writer on its own one-connection pool to the same database as `db`. */
export function historyWriter(db: pg.Pool): HistoryWriter {
  const pool = new pg.Pool({ ...db.options, max: 1 });
  // The pool's one connection is the writer's alone: each step sets its time, none needs resetting.
  const at = async <T>(time: Date, fn: () => Promise<T>): Promise<T> => {
    await pool.query("select set_config('switchboard.history_clock', $1, false)", [time.toISOString()]);
    return fn();
  };
  return {
    inbound: (time, m) =>
      at(time, async () => {
        const [r] = await storeInboundBatch(pool, [
          {
            messageSid: newSid('SM'),
            from: `whatsapp:${m.from}`,
            to: m.to,
            messagingServiceSid: null,
            body: m.body,
            profileName: m.profileName ?? null,
            media: [],
            location: null,
            raw: {},
            receivedAt: time,
          },
        ]);
        if (r?.kind !== 'stored') throw new Error(`history: the message to ${m.to} was not stored (${r?.kind})`);
        return { conversationId: r.conversation.id, message: r.message };
      }),
    reply: (time, agent, conversationId, content) =>
      at(time, async () => {
        const outbound =
          'body' in content
            ? { kind: 'text' as const, body: content.body, media: [] }
            : { kind: 'template' as const, contentSid: content.templateSid, variables: {}, renderedBody: content.renderedBody };
        return (await createOutbound(pool, agent, conversationId, randomUUID(), outbound, time.getTime())).message;
      }),
    note: (time, agent, conversationId, body) => at(time, async () => void (await createNote(pool, agent, conversationId, randomUUID(), body))),
    status: (time, agent, conversationId, change) => at(time, async () => void (await setStatus(pool, agent, conversationId, change))),
    assign: (time, agent, conversationId, assigneeId) => at(time, async () => void (await assignConversation(pool, agent, conversationId, assigneeId))),
    wakeSnoozed: (time) => at(time, async () => void (await wakeSnoozed(pool))),
    automatic: (time, organisationId, conversationId, body) =>
      at(time, async () => {
        await pool.query("insert into messages (organisation_id, conversation_id, direction, body, status) values ($1, $2, 'outbound', $3, 'sent')", [
          organisationId,
          conversationId,
          body,
        ]);
      }),
    availability: (time, agent, availability) => at(time, async () => void (await setAvailability(pool, agent, availability))),
    connected: (time, agentId, ttlSeconds) => at(time, () => markConnected(pool, [agentId], ttlSeconds)),
    gone: (time, agentId) => at(time, () => markGone(pool, agentId)),
    close: () => pool.end(),
  };
}
