import type pg from 'pg';
import type { AgentProfile, ConversationView, MessageView, StoredMediaItem } from '../../lib/contract/models';
import { replyWindow, type ReplyWindow } from '../../lib/contract/reply-window';
import { ConflictError, NotFoundError, UnprocessableError, WindowClosedError } from '../errors';
import { asAgent, conversationOf } from '../inbox/repository';
import { activityOfThisTransaction } from '../inbox/status';
import { MESSAGE_COLUMNS, messageView, previewOf, type MessageRow } from '../inbox/views';

/** Outbound's data: replies stored in the outbox, the reply window, and delivery statuses. */

/** What an agent sends: free-form text (with an optional file by URL), or an approved template. */
export type OutboundContent =
  { kind: 'text'; body: string; media: StoredMediaItem[] } | { kind: 'template'; contentSid: string; variables: Record<string, string>; renderedBody: string };

/**
 * Stores an agent's reply in the outbox (status `accepted`), keyed by the client's id so a retried
 * request stores and sends nothing new (`created: false`). Free-form text is refused outside the
 * 24-hour window; templates are allowed at any time.
 */
export async function createOutbound(
  db: pg.Pool,
  agent: AgentProfile,
  conversationId: string,
  id: string,
  content: OutboundContent,
  now: number = Date.now(),
): Promise<{ created: boolean; message: MessageView; conversation: ConversationView; activity: MessageView[] }> {
  return asAgent(db, agent, async (c) => {
    const conv = (
      await c.query<{ last_inbound_at: Date | null; opted_out_at: Date | null }>(
        'select last_inbound_at, opted_out_at from conversations where id = $1 and organisation_id = $2 for update',
        [conversationId, agent.organisationId],
      )
    ).rows[0];
    if (!conv) throw new NotFoundError('conversation not found');
    const existing = (await c.query<MessageRow & { organisation_id: string }>(`select ${MESSAGE_COLUMNS}, organisation_id from messages where id = $1`, [id]))
      .rows[0];
    if (existing) {
      if (existing.organisation_id !== agent.organisationId || existing.conversation_id !== conversationId)
        throw new ConflictError('this message id is already used');
      return { created: false, message: messageView(existing), conversation: await conversationOf(c, conversationId), activity: [] };
    }
    if (conv.opted_out_at) {
      throw new UnprocessableError(
        'opted_out',
        'The customer opted out of messages from this number (they sent STOP): nothing can be sent until they send START.',
      );
    }
    if (content.kind === 'text') {
      const window = replyWindow(conv.last_inbound_at?.toISOString() ?? null, now);
      if (!window.open) throw new WindowClosedError(window.closesAt);
    }
    const body = content.kind === 'text' ? content.body : content.renderedBody;
    const media = content.kind === 'text' ? content.media : [];
    // The agent's uploads it sends are claimed here, with the message: a reply refused above claims
    // none (the sweeper of unsent uploads still deletes them), and the sweeper, which skips locked
    // rows, never deletes one this reply is about to send. One the sweeper took first is gone.
    for (const m of media) {
      if (!m.uploadId) continue;
      const claimed = await c.query('update uploads set sent_at = coalesce(sent_at, now()) where id = $1 and organisation_id = $2', [
        m.uploadId,
        agent.organisationId,
      ]);
      if (!claimed.rowCount) throw new UnprocessableError('unknown_upload', 'this file was not uploaded here (or by another organisation): upload it again');
    }
    const inserted = (
      await c.query<MessageRow>(
        `insert into messages (id, organisation_id, conversation_id, direction, body, media, status, sent_by, content_sid, content_variables)
         values ($1, $2, $3, 'outbound', $4, $5, 'accepted', $6, $7, $8)
         returning ${MESSAGE_COLUMNS}`,
        [
          id,
          agent.organisationId,
          conversationId,
          body,
          JSON.stringify(media),
          agent.id,
          content.kind === 'template' ? content.contentSid : null,
          content.kind === 'template' ? JSON.stringify(content.variables) : null,
        ],
      )
    ).rows[0]!;
    // A reply reopens a resolved conversation (a snoozed one stays snoozed: the agent waits for an answer).
    await c.query(
      `update conversations set last_message_at = greatest(last_message_at, $2),
              last_message_preview = case when $2 >= coalesce(last_message_at, '-infinity') then $3 else last_message_preview end,
              last_reply_by = case when $2 >= coalesce(last_message_at, '-infinity') then $4 else last_reply_by end,
              status_reason = case when status = 'resolved' then 'replied' else status_reason end,
              status = case when status = 'resolved' then 'open' else status end
        where id = $1`,
      [conversationId, inserted.created_at, previewOf(body, media), agent.id],
    );
    return {
      created: true,
      message: messageView(inserted),
      conversation: await conversationOf(c, conversationId),
      activity: await activityOfThisTransaction(c, [conversationId]),
    };
  });
}

/** The reply window of a conversation of the agent's organisation. */
export async function conversationWindow(db: pg.Pool, agent: AgentProfile, conversationId: string): Promise<ReplyWindow> {
  const { rows } = await db.query<{ last_inbound_at: Date | null }>('select last_inbound_at from conversations where id = $1 and organisation_id = $2', [
    conversationId,
    agent.organisationId,
  ]);
  if (!rows[0]) throw new NotFoundError('conversation not found');
  return replyWindow(rows[0].last_inbound_at?.toISOString() ?? null);
}

/**
 * Moves a message's status forward only (Twilio's callbacks arrive in any order), keeping
 * Twilio's error on failure. By Twilio SID, or by our id right after the create call.
 */
export async function advanceStatus(
  db: pg.Pool,
  key: { twilioSid: string } | { id: string; twilioSid?: string },
  status: string,
  error: { code: number | null; message: string | null } = { code: null, message: null },
): Promise<{ organisationId: string; message: MessageView } | null> {
  const byId = 'id' in key;
  const { rows } = await db.query<MessageRow & { organisation_id: string }>(
    `update messages set status = $2,
            twilio_sid = coalesce(twilio_sid, $3),
            error_code = coalesce($4, error_code), error_message = coalesce($5, error_message)
      where ${byId ? 'id = $1::uuid' : 'twilio_sid = $1'}
        and public.message_status_rank(status) < public.message_status_rank($2)
      returning ${MESSAGE_COLUMNS}, organisation_id`,
    [byId ? key.id : key.twilioSid, status, byId ? (key.twilioSid ?? null) : null, error.code, error.message],
  );
  const r = rows[0];
  return r ? { organisationId: r.organisation_id, message: messageView(r) } : null;
}
