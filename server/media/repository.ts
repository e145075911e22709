import type pg from 'pg';
import type { AgentProfile, StoredMediaItem } from '../../lib/contract/models';

/**
 * The file `index` of a message of the agent's organisation: a customer's (what the media route
 * needs to rebuild its Twilio URL) or an agent's upload (its id). Null for anything else: a file
 * an agent sent by public URL is never fetched by the server.
 */
export async function messageMediaOf(
  db: pg.Pool,
  agent: AgentProfile,
  conversationId: string,
  messageId: string,
  index: number,
): Promise<{ kind: 'twilio'; messageSid: string; mediaSid: string | null; contentType: string } | { kind: 'upload'; uploadId: string } | null> {
  const { rows } = await db.query<{ media: StoredMediaItem[]; twilio_sid: string | null; direction: string }>(
    `select media, twilio_sid, direction from messages
      where id = $1 and conversation_id = $2 and organisation_id = $3 and direction in ('inbound', 'outbound')`,
    [messageId, conversationId, agent.organisationId],
  );
  const item = rows[0]?.media[index];
  if (!item) return null;
  if (rows[0]!.direction === 'outbound') return item.uploadId ? { kind: 'upload', uploadId: item.uploadId } : null;
  if (!rows[0]!.twilio_sid) return null;
  return { kind: 'twilio', messageSid: rows[0]!.twilio_sid, mediaSid: item.sid ?? null, contentType: item.contentType };
}
