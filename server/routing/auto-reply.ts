import type pg from 'pg';
import type { ConversationView, MessageView } from '../../lib/contract/models';
import { replyWindow } from '../../lib/contract/reply-window';
import { conversationOf, inTransaction } from '../inbox/repository';
import { MESSAGE_COLUMNS, messageView, previewOf, type MessageRow } from '../inbox/views';
import { closedPeriodStart } from './business-hours';
import { loadHours } from './team-hours';

/**
 * The auto-reply outside business hours: when a customer writes while their conversation's team
 * is closed, the team's text goes out once per conversation per closed period (the key of
 * `auto_replies`: conversation and the period's start, so two instances, or two messages at once,
 * send one), as free text only inside WhatsApp's 24-hour window and never to a customer who opted
 * out. It is a reply like an agent's (stored as `accepted`, sent by the outbox sender) with no
 * agent: it stops no SLA clock.
 */
export async function autoReplyIfClosed(
  db: pg.Pool,
  conversationId: string,
  now: Date = new Date(),
): Promise<{ organisationId: string; message: MessageView; conversation: ConversationView } | null> {
  const conv = (
    await db.query<{ organisation_id: string; team_id: string | null; last_inbound_at: Date | null; opted_out_at: Date | null }>(
      `select c.organisation_id, ch.team_id, c.last_inbound_at, c.opted_out_at
         from conversations c join channels ch on ch.id = c.channel_id where c.id = $1`,
      [conversationId],
    )
  ).rows[0];
  if (!conv?.team_id || conv.opted_out_at) return null;
  const hours = (await loadHours(db, [conv.team_id])).get(conv.team_id);
  const text = hours?.autoReply;
  if (!hours?.enabled || !text) return null;
  const periodStart = closedPeriodStart(hours, now);
  if (!periodStart) return null;
  return inTransaction(db, 'begin', async (c) => {
    // Checked again on the locked row: the customer may have opted out meanwhile.
    const locked = (
      await c.query<{ last_inbound_at: Date | null; opted_out_at: Date | null }>(
        'select last_inbound_at, opted_out_at from conversations where id = $1 for update',
        [conversationId],
      )
    ).rows[0];
    if (!locked || locked.opted_out_at) return null;
    if (!replyWindow(locked.last_inbound_at?.toISOString() ?? null, now.getTime()).open) return null;
    const claimed = await c.query('insert into auto_replies (conversation_id, period_start, organisation_id) values ($1, $2, $3) on conflict do nothing', [
      conversationId,
      periodStart,
      conv.organisation_id,
    ]);
    if (!claimed.rowCount) return null;
    const message = (
      await c.query<MessageRow>(
        `insert into messages (organisation_id, conversation_id, direction, body, status)
         values ($1, $2, 'outbound', $3, 'accepted') returning ${MESSAGE_COLUMNS}`,
        [conv.organisation_id, conversationId, text],
      )
    ).rows[0]!;
    await c.query('update auto_replies set message_id = $3 where conversation_id = $1 and period_start = $2', [conversationId, periodStart, message.id]);
    await c.query(
      `update conversations set last_message_at = greatest(last_message_at, $2),
              last_message_preview = case when $2 >= coalesce(last_message_at, '-infinity') then $3 else last_message_preview end,
              last_reply_by = case when $2 >= coalesce(last_message_at, '-infinity') then null else last_reply_by end
        where id = $1`,
      [conversationId, message.created_at, previewOf(text, [])],
    );
    return { organisationId: conv.organisation_id, message: messageView(message), conversation: await conversationOf(c, conversationId) };
  });
}
