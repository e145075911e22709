import { expect } from 'vitest';
import type { CrmConnectResponse, CrmStatus, CrmVendor } from '../../lib/contract/api';
import type { Stack } from '../../server/stack';
import { oauthBrowser } from './oauth-browser';
import { api } from './stack';
import { until } from './wait';

/** Connect in the admin view: the link it opens in a tab. */
export async function connectLink(stack: Stack, adminToken: string, vendor: CrmVendor, o: { region?: string } = {}): Promise<string> {
  const start = await api<CrmConnectResponse>(stack, adminToken, '/api/admin/crm/connect', 'POST', { vendor, ...o });
  expect(start.status).toBe(200);
  return start.body.authorizeUrl;
}

/**
 * An admin's browser connecting a CRM: Connect in the admin view, our start link (a cookie for
 * this browser), the vendor's consent page (`consentPage`), back to the server's callback.
 */
export async function connectByOAuth(stack: Stack, adminToken: string, vendor: CrmVendor, consentPage: string, o: { region?: string } = {}): Promise<string> {
  const link = await connectLink(stack, adminToken, vendor, o);
  expect(link.startsWith(`${stack.config.publicUrl}/api/crm/oauth/start?`)).toBe(true);
  const page = await oauthBrowser().open(link);
  expect(page.visited.map((u) => u.split('?')[0])).toEqual([
    `${stack.config.publicUrl}/api/crm/oauth/start`,
    consentPage,
    `${stack.config.publicUrl}/api/crm/oauth/callback`,
  ]);
  return page.text;
}

/**
 * The CRM's limit is reached while `send` stores a message: the connection pauses (the admin view
 * says why), then, the limit lifted and the pause over (as at the day's reset), `written` comes true.
 */
export async function pausedThenWritten(
  stack: Stack,
  o: { organisationId: string; adminToken: string; reason: RegExp; limit: (on: boolean) => void; send: () => Promise<unknown>; written: () => boolean },
): Promise<void> {
  const status = async () => (await api<CrmStatus>(stack, o.adminToken, '/api/admin/crm')).body.connection;
  o.limit(true);
  try {
    await o.send();
    await until(async () => (await status())?.pausedUntil != null, { what: 'the connection to pause' });
    expect((await status())!.pausedReason).toMatch(o.reason);
    o.limit(false);
    await stack.db.query('update crm_connections set paused_until = now() where organisation_id = $1', [o.organisationId]);
    await stack.db.query('update crm_outbox set next_attempt_at = now() where organisation_id = $1 and written_version is distinct from version', [
      o.organisationId,
    ]);
    // The writers slept until the pause's end; the clock moved by hand, so tell them.
    await stack.db.query(`select pg_notify('crm_outbox', '')`);
    await until(o.written, { what: 'the write after the pause' });
  } finally {
    o.limit(false);
  }
}
