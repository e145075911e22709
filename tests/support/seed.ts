import type pg from 'pg';

/**
 * A large inbox written straight into the database (for the e2e test and the benchmark): customers
 * "Customer 1"…"Customer N" with one conversation each, newest first, and `messages` messages in
 * Customer 1's conversation ("Message number 1"… oldest first, every third one outbound and read).
 */
export async function seedLargeInbox(
  db: pg.Pool,
  o: { organisationId: string; channelId: string; conversations: number; messages: number; bodySuffix?: string },
): Promise<void> {
  await db.query(
    `with ct as (
       insert into contacts (organisation_id, phone_e164, profile_name)
       select $1, '+1555' || lpad(g::text, 7, '0'), 'Customer ' || g from generate_series(1, $2) g returning id, profile_name
     )
     insert into conversations (organisation_id, channel_id, contact_id, last_message_at, last_message_preview, last_inbound_at, inbound_count)
     select $1, $3, ct.id, now() - (substring(ct.profile_name from 10)::int * interval '1 minute'), 'Preview of ' || ct.profile_name, now(), 1 from ct`,
    [o.organisationId, o.conversations, o.channelId],
  );
  await db.query(
    `insert into messages (organisation_id, conversation_id, direction, body, status, created_at)
     select $1, c.id, case when g % 3 = 0 then 'outbound' else 'inbound' end, 'Message number ' || g || $3,
            case when g % 3 = 0 then 'read' else 'received' end,
            now() - interval '1 minute' - (($2 - g) * interval '5 minutes')
       from conversations c join contacts ct on ct.id = c.contact_id, generate_series(1, $2) g
      where c.organisation_id = $1 and ct.profile_name = 'Customer 1'`,
    [o.organisationId, o.messages, o.bodySuffix ?? ''],
  );
}
