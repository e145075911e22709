import type pg from 'pg';
import type { StoredMediaItem } from '../../lib/contract/models';

/**
 * The file `index` of a message of the agent's organisation: a customer's (what the media route
 * needs to rebuild its Twilio URL) or an agent's upload (its id). Null for anything else: a file
 * an agent sent by public URL is never fetched by the server.
 */
export async function messageMediaOf(
  db: pg.Pool,
  /** The organisation asking (an agent's); null for a signed link, whose signature names the message. */
  organisationId: string | null,
  /** The conversation the agent opened; null for a signed link. */
  conversationId: string | null,
  messageId: string,
  index: number,
): Promise<{ kind: 'twilio'; messageSid: string; mediaSid: string | null; contentType: string } | { kind: 'upload'; uploadId: string } | null> {
  const { rows } = await db.query<{ media: StoredMediaItem[]; twilio_sid: string | null; direction: string }>(
    `select media, twilio_sid, direction from messages
      where id = $1 and ($2::uuid is null or conversation_id = $2) and ($3::uuid is null or organisation_id = $3) and direction in ('inbound', 'outbound')`,
    [messageId, conversationId, organisationId],
  );
  const item = rows[0]?.media[index];
  if (!item) return null;
  if (rows[0]!.direction === 'outbound') return item.uploadId ? { kind: 'upload', uploadId: item.uploadId } : null;
  if (!rows[0]!.twilio_sid) return null;
  return { kind: 'twilio', messageSid: rows[0]!.twilio_sid, mediaSid: item.sid ?? null, contentType: item.contentType };
}
