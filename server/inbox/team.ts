import type pg from 'pg';
import type { AgentProfile, AgentSummary, MessageView } from '../../lib/contract/models';
import type { CannedReply, SearchResponse } from '../../lib/contract/api';
import { NotFoundError, UnprocessableError } from '../errors';
import { asAgent, conversationOf } from './repository';
import { activityOfThisTransaction, type ConversationChange } from './status';
import {
  agentConversationView,
  CONVERSATION_COLUMNS,
  MESSAGE_COLUMNS,
  messageView,
  type AgentConversationRow,
  type MessageRow,
  READ_STATE_COLUMNS,
} from './views';

/**
 * What agents of one organisation do together in the inbox: assign conversations, leave private
 * notes, share canned replies, and search the whole history. Every query is scoped to the
 * caller's organisation; another organisation's rows are indistinguishable from missing ones.
 */

/** The organisation's agents, by name. */
export async function listAgents(db: pg.Pool, agent: AgentProfile): Promise<AgentSummary[]> {
  const { rows } = await db.query<{ id: string; display_name: string }>(
    'select id, display_name from agents where organisation_id = $1 order by display_name, id',
    [agent.organisationId],
  );
  return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
}

/**
 * Assigns a conversation to an agent of the same organisation, or unassigns it (null). Setting
 * the assignee it already has changes nothing (no new version for colleagues to apply, no
 * activity line).
 */
export async function assignConversation(
  db: pg.Pool,
  agent: AgentProfile,
  conversationId: string,
  assigneeId: string | null,
): Promise<{ changed: boolean; change: ConversationChange }> {
  return asAgent(db, agent, async (c) => {
    const { rows } = await c.query<{ assignee_ok: boolean; changed: boolean }>(
      `with target as (
         select c.id, c.assignee_id from conversations c where c.id = $1 and c.organisation_id = $2 for update
       ), assignee as (
         select $3::uuid is null or exists (select 1 from agents where id = $3::uuid and organisation_id = $2) as ok
       ), updated as (
         update conversations c set assignee_id = $3::uuid
           from target t, assignee a
          where c.id = t.id and a.ok and t.assignee_id is distinct from $3::uuid
          returning c.id
       )
       select (select ok from assignee) as assignee_ok, (select count(*) from updated) > 0 as changed, t.id
         from target t`,
      [conversationId, agent.organisationId, assigneeId],
    );
    const r = rows[0];
    if (!r) throw new NotFoundError('conversation not found');
    if (!r.assignee_ok) throw new UnprocessableError('unknown_assignee', 'the assignee is not an agent of this organisation');
    const activity = r.changed ? await activityOfThisTransaction(c, [conversationId]) : [];
    return { changed: r.changed, change: { organisationId: agent.organisationId, conversation: await conversationOf(c, conversationId), activity } };
  });
}

/**
 * Stores a private note in a thread: seen by the organisation's agents only (it never goes to
 * Twilio), not unread, not the list's preview. Idempotent on the client's id, like replies.
 */
export async function createNote(
  db: pg.Pool,
  agent: AgentProfile,
  conversationId: string,
  id: string,
  body: string,
): Promise<{ created: boolean; message: MessageView }> {
  const { rows } = await db.query<MessageRow & { organisation_id: string; created: boolean }>(
    `with conv as (select id, organisation_id from conversations where id = $2 and organisation_id = $3),
     inserted as (
       insert into messages (id, organisation_id, conversation_id, direction, body, status, sent_by)
       select $1, conv.organisation_id, conv.id, 'note', $4, 'sent', $5 from conv
       on conflict (id) do nothing
       returning ${MESSAGE_COLUMNS}, organisation_id, true as created
     )
     select * from inserted
     union all
     select ${MESSAGE_COLUMNS}, organisation_id, false from messages where id = $1 and not exists (select 1 from inserted)`,
    [id, conversationId, agent.organisationId, body, agent.id],
  );
  const r = rows[0];
  if (!r) throw new NotFoundError('conversation not found');
  if (r.organisation_id !== agent.organisationId || r.conversation_id !== conversationId || r.direction !== 'note')
    throw new UnprocessableError('conflict', 'this message id is already used');
  return { created: r.created, message: messageView(r) };
}

/** The organisation's canned replies, by shortcut. */
export async function listCannedReplies(db: pg.Pool, organisationId: string): Promise<CannedReply[]> {
  const { rows } = await db.query<{ id: string; shortcut: string; body: string }>(
    'select id, shortcut, body from canned_replies where organisation_id = $1 order by shortcut',
    [organisationId],
  );
  return rows;
}

/** Adds or replaces a canned reply (admin). */
export async function saveCannedReply(db: pg.Pool, organisationId: string, shortcut: string, body: string): Promise<CannedReply> {
  const { rows } = await db.query<CannedReply>(
    `insert into canned_replies (organisation_id, shortcut, body) values ($1, $2, $3)
     on conflict (organisation_id, shortcut) do update set body = excluded.body
     returning id, shortcut, body`,
    [organisationId, shortcut, body],
  );
  return rows[0]!;
}

const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Conversations whose contact's name or number, or any message's text (the whole history, notes
 * included), contains the query, in every status; newest first, each with its latest matching
 * message; with the number of matches in each status (all of them, not only the first `limit`).
 */
export async function searchConversations(db: pg.Pool, agent: AgentProfile, query: string, limit: number): Promise<SearchResponse> {
  const digits = query.replace(/\D/g, '');
  const { rows } = await db.query<
    AgentConversationRow & { match_id: string | null; match_body: string | null; match_at: Date | null; n_open: string; n_snoozed: string; n_resolved: string }
  >(
    `with matched as (
       select distinct on (m.conversation_id) m.conversation_id, m.id, m.body, m.created_at
         from messages m
        where m.organisation_id = $1 and m.body ilike $2
        order by m.conversation_id, m.created_at desc
     ), found as (
       select c.id from conversations c join contacts ct on ct.id = c.contact_id
        where c.organisation_id = $1 and (ct.profile_name ilike $2 or ($3::text is not null and ct.phone_e164 like $3))
       union
       select conversation_id from matched
     )
     select ${CONVERSATION_COLUMNS}, ${READ_STATE_COLUMNS},
            h.id as match_id, h.body as match_body, h.created_at as match_at,
            -- Over every match, before the limit: where the query's conversations are.
            count(*) filter (where c.status = 'open') over () as n_open,
            count(*) filter (where c.status = 'snoozed') over () as n_snoozed,
            count(*) filter (where c.status = 'resolved') over () as n_resolved
       from found f
       join conversations c on c.id = f.id
       join contacts ct on ct.id = c.contact_id
       left join read_states rs on rs.conversation_id = c.id and rs.agent_id = $4
       left join matched h on h.conversation_id = c.id
      order by c.last_message_at desc nulls last, c.id
      limit $5`,
    [agent.organisationId, likePattern(query), digits.length >= 3 ? likePattern(digits) : null, agent.id, limit],
  );
  const first = rows[0];
  return {
    results: rows.map((r) => ({
      conversation: agentConversationView(r),
      match: r.match_id ? { messageId: r.match_id, body: r.match_body!, createdAt: r.match_at!.toISOString() } : null,
    })),
    counts: { open: Number(first?.n_open ?? 0), snoozed: Number(first?.n_snoozed ?? 0), resolved: Number(first?.n_resolved ?? 0) },
  };
}
