import type pg from 'pg';
import type { SyncResponse } from '../../lib/contract/api';
import type { AgentProfile, ConversationView, InteractiveView, LocationView, MessageView, ReadStateView } from '../../lib/contract/models';
import { conversationFromRow, messageFromRow, readStateFromRow } from '../../lib/contract/rows';
import { NotFoundError } from '../errors';
import {
  agentConversationView,
  CONVERSATION_COLUMNS,
  conversationView,
  MESSAGE_COLUMNS,
  messageView,
  previewOf,
  READ_STATE_COLUMNS,
  type AgentConversationRow,
  type ConversationRow,
  type MessageRow,
} from './views';

/** An inbound WhatsApp message as Twilio reported it, after validation. */
export interface InboundMessage {
  messageSid: string;
  from: string; // whatsapp:+E164
  to: string; // whatsapp:+E164
  messagingServiceSid: string | null;
  body: string;
  profileName: string | null;
  /** Twilio's media sid per file (null when the URL was not this account's media of this message). */
  media: Array<{ contentType: string; sid: string | null }>;
  location: LocationView | null;
  raw: Record<string, string>;
  /** When it arrived, for a message stored later than that (routed once its number was set up); else now. */
  receivedAt?: Date;
  /** The MessageSid of the message this one quotes. */
  replyToSid?: string | null;
  /** A tapped template button or list item. */
  interactive?: InteractiveView | null;
  /** The whole message is an opt-out (STOP…) or opt-in (START…) keyword. */
  opt?: 'out' | 'in' | null;
}

export type StoreInboundResult =
  { kind: 'stored'; organisationId: string; message: MessageView; conversation: ConversationView } | { kind: 'duplicate' } | { kind: 'unrouted' };

const FULL_SYNC_CONVERSATIONS = 2000; // = the extension's CACHED_CONVERSATIONS
const DELTA_SYNC_CONVERSATIONS = 2000;
const SYNC_MESSAGES = 1000;

/**
 * Runs `fn` in one transaction on behalf of an agent: changes it makes are recorded as that
 * agent's (activity lines, who resolved or assigned), see `switchboard.actor` in the schema.
 */
export function asAgent<T>(db: pg.Pool, agent: AgentProfile, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(db, 'begin', async (c) => {
    await c.query("select set_config('switchboard.actor', $1, true)", [agent.id]);
    return fn(c);
  });
}

/** Runs `fn` in one transaction opened with `begin`; rolled back if it throws. */
export async function inTransaction<T>(db: pg.Pool, begin: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Stores an inbound message idempotently on its MessageSid, creating the contact and the
 * conversation as needed, in one transaction (a batch of one). A message for a sender no channel
 * owns goes to `unrouted_messages`.
 */
export async function storeInbound(db: pg.Pool, msg: InboundMessage): Promise<StoreInboundResult> {
  return (await storeInboundBatch(db, [msg]))[0]!;
}

/**
 * Stores several inbound messages in one statement (one transaction), set-based: the same outcome
 * for each as `storeInbound` one after another, in the order given. Results come in that order.
 */
export async function storeInboundBatch(db: pg.Pool | pg.PoolClient, msgs: InboundMessage[]): Promise<StoreInboundResult[]> {
  const items = msgs.map((m, ord) => ({
    ord,
    sid: m.messageSid,
    from_address: m.from,
    to_address: m.to,
    messaging_service_sid: m.messagingServiceSid,
    body: m.body,
    profile_name: m.profileName,
    media: m.media,
    preview: previewOf(m.body, m.media, m.location),
    raw: m.raw,
    location: m.location,
    received_at: m.receivedAt?.toISOString() ?? null,
    reply_to_sid: m.replyToSid ?? null,
    interactive: m.interactive ?? null,
    opt: m.opt ?? null,
  }));
  const { rows } = await db.query<{ r: StoreRow }>('select r from public.store_inbound_batch($1::jsonb) r', [JSON.stringify(items)]);
  return rows.map((row) => storeResult(row.r));
}

type StoreRow = { kind: string; organisation_id?: string; message?: Record<string, unknown>; conversation?: Record<string, unknown> };

function storeResult(r: StoreRow): StoreInboundResult {
  if (r.kind !== 'stored') return { kind: r.kind as 'duplicate' | 'unrouted' };
  // The stored procedure returns JSON rows (timestamps as strings): the same mapping as Realtime's.
  const conversation = r.conversation!;
  const contact = {
    id: String(conversation.contact_id),
    phone: String(conversation.phone_e164),
    profileName: (conversation.profile_name as string | null) ?? null,
  };
  return { kind: 'stored', organisationId: r.organisation_id!, message: messageFromRow(r.message!), conversation: conversationFromRow(conversation, contact) };
}

/**
 * Everything in the agent's organisation that changed after `cursor` (a snapshot taken by an
 * earlier sync), read in one repeatable-read transaction whose own snapshot becomes the next
 * cursor. Without a cursor: the newest conversations.
 */
export async function sync(db: pg.Pool, agent: AgentProfile, cursor: string | null): Promise<SyncResponse> {
  // `cursor` is a snapshot this server issued (the routes check its signature, ./cursor.ts).
  return inTransaction(db, 'begin isolation level repeatable read read only', (c) => syncIn(c, agent, cursor));
}

async function syncIn(c: pg.PoolClient, agent: AgentProfile, cursor: string | null): Promise<SyncResponse> {
  const snapshot = (await c.query<{ s: string }>('select pg_current_snapshot()::text as s')).rows[0]!.s;
  const conversations = async (since: string | null, limit: number) =>
    (
      await c.query<AgentConversationRow>(
        `select ${CONVERSATION_COLUMNS}, ${READ_STATE_COLUMNS}
           from conversations c
           join contacts ct on ct.id = c.contact_id
           left join read_states rs on rs.conversation_id = c.id and rs.agent_id = $2
          where c.organisation_id = $1
            and ($3::pg_snapshot is null
                 or changed_since(c.change_xid, $3::pg_snapshot)
                 or changed_since(ct.change_xid, $3::pg_snapshot)
                 or (rs.change_xid is not null and changed_since(rs.change_xid, $3::pg_snapshot)))
          order by c.last_message_at desc nulls last, c.id
          limit $4`,
        [agent.organisationId, agent.id, since, limit],
      )
    ).rows;

  if (cursor === null) {
    const rows = await conversations(null, FULL_SYNC_CONVERSATIONS);
    return { cursor: snapshot, full: true, conversations: rows.map(agentConversationView), messages: [], messagesTruncated: false };
  }
  const changed = await conversations(cursor, DELTA_SYNC_CONVERSATIONS + 1);
  if (changed.length > DELTA_SYNC_CONVERSATIONS) {
    // Too far behind for a delta: start over from the newest page.
    const rows = await conversations(null, FULL_SYNC_CONVERSATIONS);
    return { cursor: snapshot, full: true, conversations: rows.map(agentConversationView), messages: [], messagesTruncated: true };
  }
  const messages = (
    await c.query<MessageRow>(
      `select ${MESSAGE_COLUMNS} from messages
        where organisation_id = $1 and changed_since(change_xid, $2::pg_snapshot)
        order by created_at, id limit $3`,
      [agent.organisationId, cursor, SYNC_MESSAGES + 1],
    )
  ).rows;
  return {
    cursor: snapshot,
    full: false,
    conversations: changed.map(agentConversationView),
    messages: messages.slice(0, SYNC_MESSAGES).map(messageView),
    messagesTruncated: messages.length > SYNC_MESSAGES,
  };
}

/** A page of a conversation's messages, newest first, before `before` (an ISO time). */
export async function messagesPage(
  db: pg.Pool,
  agent: AgentProfile,
  conversationId: string,
  before: string | null,
  limit: number,
): Promise<{ messages: MessageView[]; hasMore: boolean }> {
  await assertConversationOf(db, agent, conversationId);
  const { rows } = await db.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages
      where conversation_id = $1 and ($2::timestamptz is null or created_at < $2)
      order by created_at desc, id desc limit $3`,
    [conversationId, before, limit + 1],
  );
  return { messages: rows.slice(0, limit).map(messageView), hasMore: rows.length > limit };
}

/** Marks everything in the conversation up to its latest message as read by the agent. */
export async function markRead(db: pg.Pool, agent: AgentProfile, conversationId: string): Promise<ReadStateView> {
  await assertConversationOf(db, agent, conversationId);
  const { rows } = await db.query<{ last_read_at: Date; read_inbound_count: string }>(
    `insert into read_states (agent_id, conversation_id, organisation_id, last_read_at, read_inbound_count)
     select $1, c.id, c.organisation_id,
            coalesce((select max(m.created_at) from messages m where m.conversation_id = c.id), now()),
            c.inbound_count
       from conversations c where c.id = $2
     on conflict (agent_id, conversation_id) do update
       set last_read_at = greatest(read_states.last_read_at, excluded.last_read_at),
           read_inbound_count = greatest(read_states.read_inbound_count, excluded.read_inbound_count)
     returning conversation_id, last_read_at, read_inbound_count, version`,
    [agent.id, conversationId],
  );
  return readStateFromRow(rows[0]!);
}

/** A conversation as the whole organisation sees it (no agent's read state): what broadcasts carry. In the caller's transaction when given a client. */
export async function conversationOf(db: pg.Pool | pg.PoolClient, conversationId: string): Promise<ConversationView> {
  const row = (
    await db.query<ConversationRow>(`select ${CONVERSATION_COLUMNS} from conversations c join contacts ct on ct.id = c.contact_id where c.id = $1`, [
      conversationId,
    ])
  ).rows[0];
  if (!row) throw new NotFoundError('conversation not found');
  return conversationView(row);
}

/** Throws NotFoundError unless the conversation is of the agent's organisation. */
export async function assertConversationOf(db: pg.Pool, agent: AgentProfile, conversationId: string): Promise<void> {
  const { rowCount } = await db.query('select 1 from conversations where id = $1 and organisation_id = $2', [conversationId, agent.organisationId]);
  // Another organisation's conversation is indistinguishable from a missing one.
  if (!rowCount) throw new NotFoundError('conversation not found');
}

/** The agent behind an auth user id, or null if that user is not an agent. */
export async function findAgent(db: pg.Pool, userId: string): Promise<AgentProfile | null> {
  const { rows } = await db.query<{ id: string; organisation_id: string; display_name: string; email: string | null; role: AgentProfile['role'] }>(
    `select a.id, a.organisation_id, a.display_name, a.role, u.email
       from agents a left join auth.users u on u.id = a.id where a.id = $1`,
    [userId],
  );
  const r = rows[0];
  return r ? { id: r.id, organisationId: r.organisation_id, displayName: r.display_name, email: r.email, role: r.role } : null;
}

/**
 * The conversation with a phone number on the organisation's first channel, created (with its
 * contact) if there is none yet: an agent starts a WhatsApp conversation from a CRM page.
 */
export async function startConversation(db: pg.Pool, agent: AgentProfile, phone: string): Promise<{ created: boolean; conversation: ConversationView }> {
  return inTransaction(db, 'begin', async (c) => {
    const channel = (
      await c.query<{ id: string }>('select id from channels where organisation_id = $1 order by created_at, id limit 1', [agent.organisationId])
    ).rows[0];
    if (!channel) throw new NotFoundError('this organisation has no WhatsApp channel yet');
    const contact = (
      await c.query<{ id: string }>(
        `insert into contacts (organisation_id, phone_e164) values ($1, $2)
         on conflict (organisation_id, phone_e164) do update set phone_e164 = excluded.phone_e164 returning id`,
        [agent.organisationId, phone],
      )
    ).rows[0]!;
    const inserted = (
      await c.query<{ id: string }>(
        `insert into conversations (organisation_id, channel_id, contact_id) values ($1, $2, $3)
         on conflict (channel_id, contact_id) do nothing returning id`,
        [agent.organisationId, channel.id, contact.id],
      )
    ).rows[0];
    const row = (
      await c.query<ConversationRow>(
        `select ${CONVERSATION_COLUMNS} from conversations c join contacts ct on ct.id = c.contact_id
          where c.organisation_id = $1 and ct.id = $2 order by c.last_message_at desc nulls last, c.id limit 1`,
        [agent.organisationId, contact.id],
      )
    ).rows[0]!;
    return { created: !!inserted, conversation: conversationView(row) };
  });
}
