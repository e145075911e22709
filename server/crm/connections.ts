import type pg from 'pg';
import type { Sealer } from './seal';
import type { CrmVendor } from './types';

/**
 * Connects an organisation to its CRM with tokens the server obtained (the OAuth code exchange,
 * or the local stand-in's): sealed before they are stored. Replaces an earlier connection.
 */
export async function connectCrm(
  db: pg.Pool,
  sealer: Sealer,
  c: {
    organisationId: string;
    vendor: CrmVendor;
    accessToken: string;
    refreshToken?: string | null;
    expiresAt?: Date | null;
    account?: string | null;
    apiUrl?: string | null;
    logMode?: 'window' | 'message';
    agentId?: string | null;
  },
): Promise<void> {
  // Another CRM (or another account of it): what was matched and owed belongs to the old one.
  const { rows } = await db.query<{ vendor: string; account: string | null }>('select vendor, account from public.crm_connections where organisation_id = $1', [
    c.organisationId,
  ]);
  if (rows[0] && (rows[0].vendor !== c.vendor || rows[0].account !== (c.account ?? null))) await disconnectCrm(db, c.organisationId);
  await db.query(
    `insert into public.crm_connections (organisation_id, vendor, access_token, refresh_token, expires_at, account, log_mode, connected_by, api_url)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (organisation_id) do update
       set vendor = excluded.vendor, access_token = excluded.access_token, refresh_token = excluded.refresh_token,
           expires_at = excluded.expires_at, account = excluded.account, log_mode = excluded.log_mode,
           connected_by = excluded.connected_by, api_url = excluded.api_url, connected_at = now(), last_error = null, last_error_at = null,
           paused_until = null, paused_reason = null, needs_setup = null, last_check = null`,
    [
      c.organisationId,
      c.vendor,
      sealer.seal(c.accessToken),
      c.refreshToken ? sealer.seal(c.refreshToken) : null,
      c.expiresAt ?? null,
      c.account ?? null,
      c.logMode ?? 'window',
      c.agentId ?? null,
      c.apiUrl ?? null,
    ],
  );
}

/** Disconnects: the tokens are deleted, and nothing more is owed to that CRM. */
export async function disconnectCrm(db: pg.Pool, organisationId: string): Promise<void> {
  await db.query('delete from public.crm_outbox where organisation_id = $1', [organisationId]);
  await db.query('delete from public.crm_contacts where organisation_id = $1', [organisationId]);
  await db.query('delete from public.crm_connections where organisation_id = $1', [organisationId]);
}
