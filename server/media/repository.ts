import type pg from 'pg';
import type { AgentProfile, StoredMediaItem } from '../../lib/contract/models';

/**
 * The customer's file `index` of an inbound message of the agent's organisation: what the media
 * route needs to rebuild its Twilio URL. Null for anything else (agents' files are never proxied).
 */
export async function inboundMediaOf(
  db: pg.Pool,
  agent: AgentProfile,
  conversationId: string,
  messageId: string,
  index: number,
): Promise<{ messageSid: string; mediaSid: string | null; contentType: string } | null> {
  const { rows } = await db.query<{ media: StoredMediaItem[]; twilio_sid: string | null }>(
    `select media, twilio_sid from messages
      where id = $1 and conversation_id = $2 and organisation_id = $3 and direction = 'inbound'`,
    [messageId, conversationId, agent.organisationId],
  );
  const item = rows[0]?.media[index];
  if (!item || !rows[0]!.twilio_sid) return null;
  return { messageSid: rows[0]!.twilio_sid, mediaSid: item.sid ?? null, contentType: item.contentType };
}
