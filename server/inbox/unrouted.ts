import type pg from 'pg';
import type { WaitingNumber } from '../../lib/contract/api';
import { inboundMessageOf } from '../webhooks/inbound-message';
import { storeInboundBatch, type StoreInboundResult } from './repository';

/**
 * Messages Twilio delivered for a number no channel owns ("unrouted"), and how they are routed
 * once a channel owns it. See docs/admin.md: a message attributed to an organisation came signed
 * to that organisation's own webhook URL; only those are shown to its admins.
 */

type Queryable = pg.Pool | pg.PoolClient;

/**
 * Attributes a stored unrouted message to the organisation whose webhook URL it came to (the
 * first attribution stays). False when the organisation does not exist (the message stays the
 * operator's).
 */
export async function attributeUnrouted(db: Queryable, messageSid: string, organisationId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `update unrouted_messages set organisation_id = coalesce(organisation_id, $2)
      where twilio_sid = $1 and routed_at is null and exists (select 1 from organisations where id = $2)`,
    [messageSid, organisationId],
  );
  return !!rowCount;
}

/** The numbers with messages waiting for this organisation, newest first, with the latest message of each. */
export async function waitingNumbers(db: Queryable, organisationId: string): Promise<WaitingNumber[]> {
  const { rows } = await db.query<{ to_address: string; n: number; first_at: Date; last_at: Date; from_address: string; body: string }>(
    `select u.to_address, count(*)::int as n, min(u.received_at) as first_at, max(u.received_at) as last_at,
            (array_agg(u.from_address order by u.received_at desc))[1] as from_address,
            (array_agg(coalesce(u.payload->>'Body', '') order by u.received_at desc))[1] as body
       from unrouted_messages u
      where u.organisation_id = $1 and u.routed_at is null
      group by u.to_address
      order by max(u.received_at) desc
      limit 50`,
    [organisationId],
  );
  return rows.map((r) => ({
    whatsappNumber: r.to_address,
    count: r.n,
    firstAt: r.first_at.toISOString(),
    lastAt: r.last_at.toISOString(),
    latest: { from: r.from_address, body: r.body },
  }));
}

/**
 * Routes the waiting messages to a number (those attributed to `organisationId`, or every one
 * when null: the operator's choice) now that a channel owns it, in the caller's transaction: each
 * is stored as it would have been on arrival (keeping the time it arrived) and marked routed.
 * Answers the messages stored, for the caller to announce after its commit.
 */
export async function routeWaiting(
  c: pg.PoolClient,
  whatsappNumber: string,
  organisationId: string | null,
  source: { apiBaseUrl: string; accountSid: string },
): Promise<Array<Extract<StoreInboundResult, { kind: 'stored' }>>> {
  const { rows } = await c.query<{ twilio_sid: string; payload: Record<string, string>; received_at: Date }>(
    `select twilio_sid, payload, received_at from unrouted_messages
      where routed_at is null and to_address = $1 and ($2::uuid is null or organisation_id = $2)
      order by received_at, id for update`,
    [whatsappNumber, organisationId],
  );
  const msgs = rows.flatMap((r) => {
    const parsed = inboundMessageOf(r.payload, source);
    // Stored only after the same checks: a payload that fails them now (never expected) stays waiting.
    return parsed.ok ? [{ ...parsed.msg, receivedAt: r.received_at }] : [];
  });
  if (!msgs.length) return [];
  const results = await storeInboundBatch(c, msgs);
  const done = msgs.filter((_, i) => results[i]!.kind !== 'unrouted').map((m) => m.messageSid);
  await c.query('update unrouted_messages set routed_at = now() where twilio_sid = any($1)', [done]);
  return results.filter((r): r is Extract<StoreInboundResult, { kind: 'stored' }> => r.kind === 'stored');
}
