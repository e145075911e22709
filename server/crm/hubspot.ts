import { Client } from '@hubspot/api-client';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { CrmAdapter, CrmRecordWrite } from './types';
import { CrmCallError } from './types';

/** The property that makes a logged conversation findable (and upserted) by our idempotency key. */
export const HUBSPOT_KEY_PROPERTY = 'switchboard_key';

/**
 * HubSpot through its official client (`@hubspot/api-client`), at `basePath` (HubSpot's API, or
 * the local stand-in). A conversation window is a Communication with channel WhatsApp, upserted
 * by `switchboard_key` (a unique-value property created on connect): a retry after a call whose
 * answer was lost updates the record the first call made. Customers are found by phone in any
 * format through HubSpot's digits-only search properties, then confirmed with libphonenumber-js.
 */
export function hubspotAdapter(opts: { basePath: string; accessToken: string }): CrmAdapter {
  const client = new Client({ accessToken: opts.accessToken, basePath: opts.basePath, numberOfApiCallRetries: 0 });
  return {
    vendor: 'hubspot',

    async prepare() {
      await call(async () => {
        try {
          await client.crm.properties.coreApi.create('communications', {
            name: HUBSPOT_KEY_PROPERTY,
            label: 'Switchboard key',
            type: 'string' as never,
            fieldType: 'text' as never,
            groupName: 'communicationinformation',
            hasUniqueValue: true,
          });
        } catch (err) {
          if ((err as { code?: number }).code !== 409) throw err; // already there
        }
      });
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

    async write(record: CrmRecordWrite) {
      const upserted = await call(() =>
        client.crm.objects.communications.batchApi.upsert({
          inputs: [
            {
              idProperty: HUBSPOT_KEY_PROPERTY,
              id: record.key,
              properties: {
                hs_communication_channel_type: 'WHATS_APP',
                hs_communication_logged_from: 'CRM',
                hs_communication_body: record.html,
                hs_timestamp: record.at.toISOString(),
              },
            },
          ],
        }),
      );
      const id = upserted.results[0]?.id;
      if (!id) throw new CrmCallError('HubSpot answered the upsert without a record', { retryable: true });
      // Associating twice is the same association.
      await call(() => client.crm.associations.v4.basicApi.createDefault('communications', id, 'contacts', record.contactId));
      return { remoteId: id };
    },
  };
}

/** HubSpot's errors as ours: 429 and 5xx are worth retrying (with Retry-After when given), 401 means a new token. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { code?: number; headers?: Record<string, string>; body?: unknown; message?: string };
    if (typeof e.code !== 'number') throw new CrmCallError(`HubSpot did not answer: ${e.message ?? String(err)}`, { retryable: true });
    const retryAfter = Number(e.headers?.['retry-after']);
    const message = typeof e.body === 'object' && e.body && 'message' in e.body ? String((e.body as { message: unknown }).message) : `HTTP ${e.code}`;
    throw new CrmCallError(`HubSpot: ${message}`, {
      status: e.code,
      retryable: e.code === 429 || e.code >= 500,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      unauthorised: e.code === 401,
    });
  }
}
