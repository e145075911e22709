import { Connection, OAuth2 } from 'jsforce';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { acceptedApiOrigin, type CrmApp, type Tokens } from './oauth';
import { CrmCallError, type CrmAdapter, type CrmContact, type CrmRecordWrite } from './types';

/** The REST API version Switchboard speaks (Salesforce keeps old versions for years). */
export const SALESFORCE_API_VERSION = '62.0';
/** The External ID field on activities (Task) that conversations are upserted by, created on connect. */
export const SALESFORCE_KEY_FIELD = 'Switchboard_Key__c';

/**
 * Salesforce through jsforce, at the org's instance URL (from the token answer, accepted only if it
 * is the configured one or a My Domain: `salesforceInstanceUrl`). A conversation window is a
 * completed Task on the Contact or Lead, upserted by the External ID field `Switchboard_Key__c`
 * (created through the Tooling API on connect): a retry after a lost answer updates the same Task.
 * A private note is a Note on the record, titled with its key, looked up by that title on a retry.
 * Records hold plain text (Salesforce's Description and Body are not rich text).
 */
export function salesforceAdapter(opts: { instanceUrl: string; accessToken: string }): CrmAdapter {
  const conn = new Connection({ instanceUrl: opts.instanceUrl, accessToken: opts.accessToken, version: SALESFORCE_API_VERSION });
  const asContact = (r: { Id: string; Name?: string; Email?: string | null; Phone?: string | null; MobilePhone?: string | null; attributes?: { type?: string } }): CrmContact => ({
    id: r.Id,
    name: `${r.Name ?? r.Id}${r.attributes?.type === 'Lead' ? ' (lead)' : ''}`,
    email: r.Email ?? null,
    phone: r.Phone || r.MobilePhone || null,
  });
  const returning = 'RETURNING Contact(Id, Name, Email, Phone, MobilePhone), Lead(Id, Name, Email, Phone, MobilePhone WHERE IsConverted = false)';
  const noteTitle = (key: string) => `WhatsApp note ${key}`;
  return {
    vendor: 'salesforce',

    async prepare() {
      await call(async () => {
        try {
          await conn.tooling.sobject('CustomField').create({
            FullName: `Activity.${SALESFORCE_KEY_FIELD}`,
            Metadata: { label: 'Switchboard key', type: 'Text', length: 255, externalId: true, unique: true },
          } as never);
        } catch (err) {
          if ((err as { errorCode?: string }).errorCode !== 'DUPLICATE_DEVELOPER_NAME') throw err; // already there
        }
      });
    },

    async findContact(phoneE164) {
      const parsed = parsePhoneNumberFromString(phoneE164);
      if (!parsed) return null;
      // SOSL's phone search matches a number's digits whatever its format; confirmed with libphonenumber-js.
      const found = await call(() => conn.search(`FIND {${parsed.nationalNumber}} IN PHONE FIELDS ${returning}`));
      const same = (value: unknown) => typeof value === 'string' && parsePhoneNumberFromString(value.trim().replace(/^00/, '+'), parsed.country)?.number === parsed.number;
      const hit = found.searchRecords.find((r) => same(r.Phone) || same(r.MobilePhone));
      return hit ? { id: String(hit.Id) } : null;
    },

    async getContact(id) {
      if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id)) return null;
      const type = id.startsWith('00Q') ? 'Lead' : id.startsWith('003') ? 'Contact' : null;
      if (!type) return null;
      try {
        const r = (await call(() => conn.sobject(type).retrieve(id, { fields: ['Id', 'Name', 'Email', 'Phone', 'MobilePhone'] }))) as unknown as Parameters<typeof asContact>[0];
        return asContact({ ...r, attributes: { type } });
      } catch (err) {
        if (err instanceof CrmCallError && err.status === 404) return null;
        throw err;
      }
    },

    async searchContacts(query) {
      // SOSL's reserved characters are escaped: what the agent typed is a term, never syntax.
      const term = query.replace(/[?&|!{}[\]()^~*:\\"'+-]/g, (c) => `\\${c}`);
      const found = await call(() => conn.search(`FIND {${term}} IN ALL FIELDS ${returning} LIMIT 10`));
      return found.searchRecords.map((r) => asContact(r as never));
    },

    async createContact({ name, phoneE164 }) {
      const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
      const lastName = parts.pop() ?? phoneE164;
      const created = await call(() => conn.sobject('Contact').create({ LastName: lastName, ...(parts.length && { FirstName: parts.join(' ') }), MobilePhone: phoneE164 }));
      if (!created.success) throw new CrmCallError(`Salesforce did not create the contact: ${JSON.stringify(created.errors)}`, { retryable: false });
      return { id: created.id };
    },

    async write(record: CrmRecordWrite) {
      if (record.kind === 'note') {
        let id = record.remoteId;
        if (!id && record.retry) {
          const existing = await call(async () => conn.sobject('Note').find({ ParentId: record.contactId, Title: noteTitle(record.key) }, ['Id']).limit(1).execute());
          id = (existing[0]?.Id as string | undefined) ?? null;
        }
        if (id) {
          await call(() => conn.sobject('Note').update({ Id: id!, Body: record.text }));
          return { remoteId: id };
        }
        const created = await call(() => conn.sobject('Note').create({ ParentId: record.contactId, Title: noteTitle(record.key), Body: record.text }));
        if (!created.success) throw new CrmCallError(`Salesforce did not create the note: ${JSON.stringify(created.errors)}`, { retryable: false });
        return { remoteId: created.id };
      }
      const task = {
        [SALESFORCE_KEY_FIELD]: externalId(record.key),
        Subject: 'WhatsApp conversation',
        Description: record.text.slice(0, 32_000),
        Status: 'Completed',
        ActivityDate: record.at.toISOString().slice(0, 10),
        WhoId: record.contactId,
        TaskSubtype: 'Task',
      };
      const result = await call(() => conn.sobject('Task').upsert(task, SALESFORCE_KEY_FIELD));
      if (!result.success) throw new CrmCallError(`Salesforce did not write the task: ${JSON.stringify(result.errors)}`, { retryable: false });
      // An update by external id answers without the id on older APIs: keep the one we know.
      return { remoteId: result.id ?? record.remoteId ?? record.key };
    },
  };
}

/** The key as an External ID value: it goes in the upsert's URL path, where "/" would be a separator. */
const externalId = (key: string) => key.replaceAll('/', '_');

/**
 * jsforce's errors as ours. Salesforce's limits: REQUEST_LIMIT_EXCEEDED is the org's API requests
 * over 24 hours (a rolling window: we look again in an hour), or, for "concurrent" requests, a
 * burst; INVALID_SESSION_ID means a new token.
 */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CrmCallError) throw err;
    const e = err as { errorCode?: string; message?: string; name?: string };
    const code = e.errorCode ?? '';
    if (!code || /^E[A-Z]+$/.test(code) || /^ERROR_HTTP_5\d\d$/.test(code) || code === 'SERVER_UNAVAILABLE') {
      throw new CrmCallError(`Salesforce did not answer: ${e.message ?? String(err)}`, { retryable: true });
    }
    if (code === 'REQUEST_LIMIT_EXCEEDED') {
      const burst = /concurren/i.test(e.message ?? '');
      throw new CrmCallError(burst ? `Salesforce: ${e.message}` : 'Salesforce: the org’s daily API request limit is reached', {
        status: 403,
        retryable: true,
        retryAfterMs: burst ? 5_000 + Math.random() * 5_000 : 3_600_000 + Math.random() * 60_000,
        limit: burst ? 'burst' : 'daily',
      });
    }
    const status = code === 'INVALID_SESSION_ID' ? 401 : code === 'NOT_FOUND' ? 404 : 400;
    throw new CrmCallError(`Salesforce: ${e.message ?? code}`, { status, retryable: false, unauthorised: status === 401 });
  }
}

/** The org's instance URL from a token answer: the configured one, or a My Domain (`https://<domain>.my.salesforce.com`, sandboxes too). */
export const salesforceInstanceUrl = (app: CrmApp, instanceUrl: unknown): string =>
  acceptedApiOrigin(app, instanceUrl, { what: 'Salesforce’s instance URL', hosted: /^[a-z0-9-]+(?:\.sandbox)?\.my\.salesforce\.com$/ });

const oauthOf = (app: CrmApp, redirectUri?: string) =>
  new OAuth2({ loginUrl: app.oauthUrl ?? 'https://login.salesforce.com', clientId: app.clientId ?? '', clientSecret: app.clientSecret ?? '', ...(redirectUri && { redirectUri }) });

/** Where an admin's browser goes to connect the org. */
export function salesforceAuthorizeUrl(app: CrmApp, redirectUri: string, state: string): string {
  return oauthOf(app, redirectUri).getAuthorizationUrl({ scope: 'api refresh_token', state });
}

/** The authorization code for tokens, the org (its id) and its instance URL (checked). */
export async function exchangeSalesforceCode(app: CrmApp, code: string, redirectUri: string): Promise<Tokens & { account: string | null; apiUrl: string }> {
  const t = await call(() => oauthOf(app, redirectUri).requestToken(code));
  const apiUrl = salesforceInstanceUrl(app, t.instance_url);
  // The identity URL ends with /id/<org id>/<user id>.
  const account = /\/id\/([^/]+)\//.exec(t.id ?? '')?.[1] ?? null;
  return { accessToken: t.access_token, refreshToken: t.refresh_token ?? null, expiresAt: null, account, apiUrl };
}

/** A new access token (Salesforce's refresh tokens stay). Access tokens carry no expiry: a 401 tells. */
export async function refreshSalesforceToken(app: CrmApp, refreshToken: string): Promise<Tokens> {
  const t = await call(() => oauthOf(app).refreshToken(refreshToken));
  return { accessToken: t.access_token, refreshToken: t.refresh_token ?? refreshToken, expiresAt: null };
}
