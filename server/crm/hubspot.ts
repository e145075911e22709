import { Client } from '@hubspot/api-client';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CrmAdapter, CrmContact, CrmRecordWrite } from './types';
import { CrmCallError } from './types';

/** The property that makes a logged conversation (or note) findable, and upserted, by our idempotency key. */
export const HUBSPOT_KEY_PROPERTY = 'switchboard_key';

/** HubSpot objects we write, each with the key property: conversations as Communications, private notes as Notes. */
const OBJECT_OF = { conversation: 'communications', note: 'notes' } as const;
const GROUP_OF = { communications: 'communicationinformation', notes: 'note_information' } as const;
const CONTACT_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'mobilephone'];

/**
 * HubSpot through its official client (`@hubspot/api-client`), at `basePath` (HubSpot's API, or
 * the local stand-in). A conversation window is a Communication with channel WhatsApp, a private
 * note a Note, each upserted by `switchboard_key` (a unique-value property created on connect): a
 * retry after a call whose answer was lost updates the record the first call made. Customers are
 * found by phone in any format through HubSpot's digits-only search properties, then confirmed
 * with libphonenumber-js.
 */
export function hubspotAdapter(opts: { basePath: string; accessToken: string }): CrmAdapter {
  const client = new Client({ accessToken: opts.accessToken, basePath: opts.basePath, numberOfApiCallRetries: 0 });
  const asContact = (c: { id: string; properties: Record<string, string | null> }): CrmContact => ({
    id: c.id,
    name: [c.properties.firstname, c.properties.lastname].filter(Boolean).join(' ') || c.properties.email || `Contact ${c.id}`,
    email: c.properties.email ?? null,
    phone: c.properties.phone || c.properties.mobilephone || null,
  });
  return {
    vendor: 'hubspot',

    async prepare() {
      for (const objectType of Object.values(OBJECT_OF)) {
        await call(async () => {
          try {
            await client.crm.properties.coreApi.create(objectType, {
              name: HUBSPOT_KEY_PROPERTY,
              label: 'Switchboard key',
              type: 'string' as never,
              fieldType: 'text' as never,
              groupName: GROUP_OF[objectType],
              hasUniqueValue: true,
            });
          } catch (err) {
            if ((err as { code?: number }).code !== 409) throw err; // already there
          }
        });
      }
    },

    async findContact(phoneE164) {
      const parsed = parsePhoneNumberFromString(phoneE164);
      if (!parsed) return null;
      const digits = String(parsed.nationalNumber);
      const filter = (propertyName: string) => ({ filters: [{ propertyName, operator: 'EQ' as never, value: digits }] });
      const found = await call(() =>
        client.crm.contacts.searchApi.doSearch({
          filterGroups: [filter('hs_searchable_calculated_phone_number'), filter('hs_searchable_calculated_mobile_number')],
          properties: ['phone', 'mobilephone', 'firstname', 'lastname'],
          limit: 10,
        }),
      );
      // The digits match in any format; the country must too.
      const same = (value: string | null | undefined) => !!value && parsePhoneNumberFromString(value, parsed.country)?.number === parsed.number;
      const hit = found.results.find((c) => same(c.properties.phone) || same(c.properties.mobilephone));
      return hit ? { id: hit.id } : null;
    },

    async getContact(id) {
      try {
        return asContact(await call(() => client.crm.contacts.basicApi.getById(id, CONTACT_PROPERTIES)));
      } catch (err) {
        if (err instanceof CrmCallError && err.status === 404) return null;
        throw err;
      }
    },

    async searchContacts(query) {
      const found = await call(() => client.crm.contacts.searchApi.doSearch({ query, properties: CONTACT_PROPERTIES, limit: 10 }));
      return found.results.map(asContact);
    },

    async createContact({ name, phoneE164 }) {
      const [firstname, ...rest] = (name ?? '').trim().split(/\s+/).filter(Boolean);
      const created = await call(() =>
        client.crm.contacts.basicApi.create({ properties: { phone: phoneE164, ...(firstname && { firstname }), ...(rest.length && { lastname: rest.join(' ') }) }, associations: [] }),
      );
      return { id: created.id };
    },

    async write(record: CrmRecordWrite) {
      const objectType = OBJECT_OF[record.kind];
      const properties: Record<string, string> =
        record.kind === 'note'
          ? { hs_note_body: record.html, hs_timestamp: record.at.toISOString() }
          : { hs_communication_channel_type: 'WHATS_APP', hs_communication_logged_from: 'CRM', hs_communication_body: record.html, hs_timestamp: record.at.toISOString() };
      const input = { inputs: [{ idProperty: HUBSPOT_KEY_PROPERTY, id: record.key, properties }] };
      const upserted = await call(() => (objectType === 'notes' ? client.crm.objects.notes.batchApi.upsert(input) : client.crm.objects.communications.batchApi.upsert(input)));
      const id = upserted.results[0]?.id;
      if (!id) throw new CrmCallError('HubSpot answered the upsert without a record', { retryable: true });
      // Associating twice is the same association.
      await call(() => client.crm.associations.v4.basicApi.createDefault(objectType, id, 'contacts', record.contactId));
      return { remoteId: id };
    },
  };
}

/**
 * HubSpot's errors as ours: 429 and 5xx are worth retrying (with Retry-After when given), 401 means
 * a new token. A 429 is the account's limit, so every write waits: the daily budget (policy
 * `DAILY`, reset at midnight in the account's time zone, which we do not know: we look again at
 * the next full hour) or the burst limit (its Retry-After, else a few seconds).
 */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { code?: number; headers?: Record<string, string>; body?: unknown; message?: string };
    if (typeof e.code !== 'number') throw new CrmCallError(`HubSpot did not answer: ${e.message ?? String(err)}`, { retryable: true });
    const body = typeof e.body === 'object' && e.body ? (e.body as { message?: unknown; policyName?: unknown }) : {};
    const retryAfter = Number(e.headers?.['retry-after']);
    let retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
    const daily = e.code === 429 && body.policyName === 'DAILY';
    if (daily) retryAfterMs ??= msToNextHour();
    else if (e.code === 429) retryAfterMs ??= 10_000;
    const message = daily ? 'HubSpot’s daily API limit for this account is reached' : body.message ? String(body.message) : `HTTP ${e.code}`;
    throw new CrmCallError(`HubSpot: ${message}`, {
      status: e.code,
      retryable: e.code === 429 || e.code >= 500,
      retryAfterMs,
      unauthorised: e.code === 401,
      limit: e.code === 429 ? (daily ? 'daily' : 'burst') : undefined,
    });
  }
}

const msToNextHour = (now = Date.now()) => 3_600_000 - (now % 3_600_000) + Math.random() * 60_000;
