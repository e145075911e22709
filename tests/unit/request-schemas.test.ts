import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Every TypeScript file under `dir`, as a path from the repository's root. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** A zod object schema defined in the file (`z.object(`, `z.strictObject(`, `z.looseObject(`). */
const DEFINES_SCHEMA = /\bz\s*\.\s*(object|strictObject|looseObject)\(/;
/** A file that registers HTTP routes (`api.post('/…'`, `http.get<…>('/…'`). */
const REGISTERS_ROUTES = /\.(get|post|put|patch|delete)(<[^>]*>)?\(\s*['"`]\//;

/**
 * Where the server may define a schema of its own: what other parties send or answer, never the
 * extension. Twilio's webhook form (Twilio's parameters), the CRMs' answers, the environment.
 */
const NOT_OURS: Record<string, string> = {
  'server/webhooks/twilio.ts': 'Twilio’s status callback parameters',
  'server/webhooks/inbound-message.ts': 'Twilio’s inbound message parameters',
  'server/crm/zoho.ts': 'Zoho CRM’s answers',
  'server/crm/hubspot-oauth.ts': 'HubSpot’s token answers',
  'server/config.ts': 'the environment',
};

describe('One schema per request: the extension and the server share lib/contract/', () => {
  const files = sources('server').filter((f) => !f.startsWith('server/dev/'));

  it('finds the server’s route files', () => {
    const routes = files.filter((f) => REGISTERS_ROUTES.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(routes).toEqual(
      expect.arrayContaining([
        'server/crm/routes.ts',
        'server/admin/routes.ts',
        'server/inbox/routes.ts',
        'server/outbound/routes.ts',
        'server/media/routes.ts',
      ]),
    );
  });

  it('defines no request schema in the server: every body, query and header set our clients send is one schema in lib/contract/', () => {
    const own = files.filter((f) => !(f in NOT_OURS) && DEFINES_SCHEMA.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(own).toEqual([]);
  });

  it('lists only files that still define such schemas (the list cannot go stale)', () => {
    for (const f of Object.keys(NOT_OURS)) expect(DEFINES_SCHEMA.test(readFileSync(join(ROOT, f), 'utf8')), f).toBe(true);
  });

  it('the extension’s messages reuse the contract’s CRM schemas (one record id pattern, one region list)', async () => {
    const { requestSchemas } = await import('../../lib/messaging/schemas');
    const { crmConnectRequest, crmRecordId } = await import('../../lib/contract/schemas');
    const link = requestSchemas['crm:link'];
    expect(link.safeParse({ conversationId: crypto.randomUUID(), recordId: 'Contacts/123' }).success).toBe(crmRecordId.safeParse('Contacts/123').success);
    expect(link.safeParse({ conversationId: crypto.randomUUID(), recordId: '../admin' }).success).toBe(false);
    expect(requestSchemas['admin:connectCrm']).toBe(crmConnectRequest);
    expect(crmConnectRequest.safeParse({ vendor: 'zoho', region: 'xx' }).success).toBe(false);
  });
});
