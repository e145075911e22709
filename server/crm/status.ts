import type pg from 'pg';
import type { CrmCheckResult, CrmStatus } from '../../lib/contract/api';
import type { CrmApp } from './oauth';
import type { CrmVendor } from './types';
import { CRM_VENDOR_IDS, CRM_VENDORS } from './vendors';
import { ZOHO_DATA_CENTRE_IDS, ZOHO_DATA_CENTRES } from './zoho';

/** The CRMs this server can connect: those whose app is configured, when it has the key that seals tokens. */
export const crmVendorsAvailable = (deps: { tokenKey: Buffer | null; apps: Record<CrmVendor, CrmApp> }): CrmVendor[] =>
  deps.tokenKey ? CRM_VENDOR_IDS.filter((v) => deps.apps[v].clientId && deps.apps[v].clientSecret) : [];

/** The organisation's CRM write-back as the admin view shows it. */
export async function crmStatus(db: pg.Pool, organisationId: string, available: CrmVendor[]): Promise<CrmStatus> {
  const { rows } = await db.query<{
    vendor: CrmVendor;
    account: string | null;
    log_mode: 'window' | 'message';
    connected_at: Date;
    last_write_at: Date | null;
    last_error: string | null;
    last_error_at: Date | null;
    pending: string;
    oldest: number | null;
    unmatched: string;
    paused_until: Date | null;
    paused_reason: string | null;
    needs_setup: string | null;
    last_check: CrmCheckResult | null;
  }>(
    `select c.vendor, c.account, c.log_mode, c.connected_at, c.last_write_at, c.last_error, c.last_error_at, c.needs_setup, c.last_check,
            case when c.paused_until > now() then c.paused_until end as paused_until, case when c.paused_until > now() then c.paused_reason end as paused_reason,
            (select count(*) from crm_outbox o where o.organisation_id = c.organisation_id and o.written_version is distinct from o.version) as pending,
            (select extract(epoch from now() - min(o.changed_at))::float from crm_outbox o
              where o.organisation_id = c.organisation_id and o.written_version is distinct from o.version) as oldest,
            (select count(*) from crm_contacts k where k.organisation_id = c.organisation_id and k.remote_id is null) as unmatched
       from crm_connections c where c.organisation_id = $1`,
    [organisationId],
  );
  const c = rows[0];
  return {
    vendors: available.map((vendor) => {
      const regions = vendor === 'zoho' ? ZOHO_DATA_CENTRE_IDS.map((id) => ({ id, name: ZOHO_DATA_CENTRES[id].name })) : undefined;
      return { vendor, name: CRM_VENDORS[vendor].name, ...(regions && { regions }) };
    }),
    connection: c
      ? {
          vendor: c.vendor,
          vendorName: CRM_VENDORS[c.vendor].name,
          account: c.account,
          logMode: c.log_mode,
          connectedAt: c.connected_at.toISOString(),
          lastWriteAt: c.last_write_at?.toISOString() ?? null,
          lastError: c.last_error,
          lastErrorAt: c.last_error_at?.toISOString() ?? null,
          pending: Number(c.pending),
          oldestPendingSeconds: c.oldest === null ? null : Math.round(c.oldest),
          unmatched: Number(c.unmatched),
          pausedUntil: c.paused_until?.toISOString() ?? null,
          pausedReason: c.paused_reason,
          needsSetup: c.needs_setup,
          lastCheck: c.last_check,
        }
      : null,
  };
}
