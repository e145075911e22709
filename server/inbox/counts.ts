import type pg from 'pg';
import type { CountsResponse } from '../../lib/contract/api';
import type { ConversationStatus } from '../../lib/contract/models';

/**
 * The organisation's conversation counts per channel, status and assigned or not, as the database
 * keeps them (`conversation_counts`, …_conversation_counts.sql): a short read whatever the number
 * of conversations. Never another organisation's: the caller passes its own organisation's id.
 */
export async function readCounts(db: pg.Pool | pg.PoolClient, organisationId: string): Promise<CountsResponse> {
  const { rows } = await db.query<{ channel_id: string; status: ConversationStatus; assigned: boolean; count: string }>(
    'select channel_id, status, assigned, count from public.conversation_counts_of($1)',
    [organisationId],
  );
  return { channels: rows.map((r) => ({ channelId: r.channel_id, status: r.status, assigned: r.assigned, count: Number(r.count) })) };
}
