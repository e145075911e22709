import { Client } from '@hubspot/api-client';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { randomUUID } from 'node:crypto';
import { HUBSPOT_OAUTH_OPERATIONS, HUBSPOT_OPERATIONS, HUBSPOT_SCOPE_PURPOSE, HUBSPOT_SCOPES } from './hubspot-operations';
import { missingScopes } from './operations';
import { CRM_TIMEOUTS, idleLimitedAgent } from './timeouts';
import type { CrmAdapter, CrmCheckStep, CrmContact, CrmRecordWrite } from './types';
import { CrmCallError } from './types';

/** The property that makes a logged conversation (or note) findable, and upserted, by our idempotency key. */
export const HUBSPOT_KEY_PROPERTY = 'switchboard_key';
/**
 * A unique contact property holding the WhatsApp number of a contact Switchboard created: read
 * by id (`idProperty`), it finds that contact at once, while HubSpot's search index may not have
 * it for seconds; and a second create for the same number is refused (409), not a duplicate.
 */
export const HUBSPOT_CONTACT_KEY_PROPERTY = 'switchboard_whatsapp';

/** HubSpot objects we write, each with the key property: conversations as Communications, private notes as Notes. */
const OBJECT_OF = { conversation: 'communications', note: 'notes' } as const;
/**
 * Each object's own information group, when the portal has it. HubSpot's documentation names no
 * property groups of communications and notes, so prepare() reads the portal's groups and uses
 * the first of these it finds, else the portal's first group.
 */
const GROUPS_PREFERRED: Record<string, string[]> = {
  communications: ['communicationinformation', 'communication_information', 'engagement'],
  notes: ['noteinformation', 'note_information', 'engagement'],
  contacts: ['contactinformation'],
};
const UNIQUE_PROPERTIES = [
  { objectType: 'communications', name: HUBSPOT_KEY_PROPERTY, label: 'Switchboard key' },
  { objectType: 'notes', name: HUBSPOT_KEY_PROPERTY, label: 'Switchboard key' },
  { objectType: 'contacts', name: HUBSPOT_CONTACT_KEY_PROPERTY, label: 'WhatsApp number (Switchboard)' },
];
const CONTACT_PROPERTIES = ['firstname', 'lastname', 'email', 'phone', 'mobilephone'];

/**
 * HubSpot through its official client (`@hubspot/api-client`), at `basePath` (HubSpot's API, or
 * the local stand-in). A conversation window is a Communication with channel WhatsApp, a private
 * note a Note, each upserted by `switchboard_key` (a unique-value property created on connect): a
 * retry after a call whose answer was lost updates the record the first call made. Customers are
 * found by phone in any format through HubSpot's digits-only search properties, then confirmed
 * with libphonenumber-js; a contact we created is read by its unique WhatsApp number first, as
 * HubSpot's search finds new contacts only seconds later. Every call is an operation of
 * hubspot-operations.ts.
 */
export function hubspotAdapter(opts: { basePath: string; accessToken: string; timeoutMs?: number }): CrmAdapter {
  const client = new Client({
    accessToken: opts.accessToken,
    basePath: opts.basePath,
    numberOfApiCallRetries: 0,
    // The client has no timeout of its own; its agent option is where a call that never ends is cut (docs/crm.md, "Timeouts").
    httpAgent: idleLimitedAgent(opts.basePath, opts.timeoutMs ?? CRM_TIMEOUTS.callMs),
  });
  const asContact = (c: { id: string; properties: Record<string, string | null> }): CrmContact => ({
    id: c.id,
    name: [c.properties.firstname, c.properties.lastname].filter(Boolean).join(' ') || c.properties.email || `Contact ${c.id}`,
    email: c.properties.email ?? null,
    phone: c.properties.phone || c.properties.mobilephone || null,
  });
  /** A contact by id (or by a unique property's value); null when HubSpot has none. */
  const contactById = async (id: string, idProperty?: string) => {
    try {
      return await call(() => client.crm.contacts.basicApi.getById(id, CONTACT_PROPERTIES, undefined, undefined, false, idProperty));
    } catch (err) {
      if (err instanceof CrmCallError && err.status === 404) return null;
      // Our key property is not created yet (prepare() has not run for this connection): no contact can hold it.
      if (idProperty && err instanceof CrmCallError && err.status === 400) return null;
      throw err;
    }
  };
  /** Creates one of our unique properties, in a property group the portal has (HubSpot documents none for communications and notes). */
  const createProperty = async (p: (typeof UNIQUE_PROPERTIES)[number]) => {
    const groups = (await call(() => client.crm.properties.groupsApi.getAll(p.objectType))).results.map((g) => g.name);
    const groupName = GROUPS_PREFERRED[p.objectType]!.find((g) => groups.includes(g)) ?? groups[0];
    if (!groupName) throw new CrmCallError(`HubSpot has no property group for ${p.objectType} in this account`, { retryable: false });
    await call(async () => {
      try {
        await client.crm.properties.coreApi.create(p.objectType, {
          name: p.name,
          label: p.label,
          type: 'string' as never,
          fieldType: 'text' as never,
          groupName,
          hasUniqueValue: true,
        });
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err; // already there
      }
    });
  };
  /** Upserts one record by its key; HubSpot's per-item errors (207) as ours. */
  const upsert = async (objectType: 'communications' | 'notes', key: string, properties: Record<string, string>) => {
    const input = { inputs: [{ idProperty: HUBSPOT_KEY_PROPERTY, id: key, properties }] };
    const upserted = await call(() =>
      objectType === 'notes' ? client.crm.objects.notes.batchApi.upsert(input) : client.crm.objects.communications.batchApi.upsert(input),
    );
    const id = upserted.results[0]?.id;
    if (id) return id;
    const itemError = 'errors' in upserted ? upserted.errors?.[0] : undefined;
    if (itemError) throw itemErrorOf(itemError);
    throw new CrmCallError('HubSpot answered the upsert without a record', { retryable: true });
  };
  const associate = (objectType: 'communications' | 'notes', id: string, contactId: string) =>
    call(() => client.crm.associations.v4.basicApi.createDefault(objectType, id, 'contacts', contactId));

  return {
    vendor: 'hubspot',

    async prepare() {
      for (const p of UNIQUE_PROPERTIES) await createProperty(p);
    },

    async findContact(phoneE164) {
      const parsed = parsePhoneNumberFromString(phoneE164);
      if (!parsed) return null;
      // A contact we made is read by its key at once; HubSpot's search index lags seconds behind a create.
      const made = await contactById(parsed.number, HUBSPOT_CONTACT_KEY_PROPERTY);
      if (made) return { id: made.id };
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
      const c = await contactById(id);
      return c ? asContact(c) : null;
    },

    async searchContacts(query) {
      const found = await call(() => client.crm.contacts.searchApi.doSearch({ query, properties: CONTACT_PROPERTIES, limit: 10 }));
      return found.results.map(asContact);
    },

    async createContact({ name, phoneE164 }) {
      const [firstname, ...rest] = (name ?? '').trim().split(/\s+/).filter(Boolean);
      const properties = {
        phone: phoneE164,
        [HUBSPOT_CONTACT_KEY_PROPERTY]: phoneE164,
        ...(firstname && { firstname }),
        ...(rest.length && { lastname: rest.join(' ') }),
      };
      const create = () => call(() => client.crm.contacts.basicApi.create({ properties, associations: [] }));
      try {
        try {
          return { id: (await create()).id };
        } catch (err) {
          // An agent creating a contact before the first write prepared the connection: the key property first.
          if (!(err instanceof CrmCallError && err.status === 400 && err.message.includes(HUBSPOT_CONTACT_KEY_PROPERTY))) throw err;
          await createProperty(UNIQUE_PROPERTIES.find((p) => p.objectType === 'contacts')!);
          return { id: (await create()).id };
        }
      } catch (err) {
        // Made a moment ago (another agent, a second click) and not yet searchable: that one, not a second.
        if (!(err instanceof CrmCallError && err.status === 409)) throw err;
        const existing = await contactById(phoneE164, HUBSPOT_CONTACT_KEY_PROPERTY);
        if (!existing) throw err;
        return { id: existing.id };
      }
    },

    async write(record: CrmRecordWrite) {
      const objectType = OBJECT_OF[record.kind];
      const properties: Record<string, string> =
        record.kind === 'note'
          ? { hs_note_body: record.html, hs_timestamp: record.at.toISOString() }
          : {
              hs_communication_channel_type: 'WHATS_APP',
              hs_communication_logged_from: 'CRM',
              hs_communication_body: record.html,
              hs_timestamp: record.at.toISOString(),
            };
      const id = await upsert(objectType, record.key, properties);
      try {
        // Associating twice is the same association.
        await associate(objectType, id, record.contactId);
      } catch (err) {
        if (!(err instanceof CrmCallError && err.status === 404) || (await contactById(record.contactId))) throw err;
        // The contact was deleted (or merged away) in HubSpot: retrying cannot help; the customer needs a contact again.
        throw new CrmCallError(`HubSpot has no contact ${record.contactId} any more (deleted or merged): the customer is looked up again`, {
          status: 404,
          retryable: false,
          contactGone: true,
        });
      }
      return { remoteId: id };
    },

    async checkAccess() {
      const info = await call(() => client.oauth.accessTokensApi.get(opts.accessToken));
      const lacking = new Set(HUBSPOT_OPERATIONS.filter((op) => !HUBSPOT_OAUTH_OPERATIONS.has(op.id)).flatMap((op) => missingScopes(op, info.scopes)));
      // Name each unmet need by the scope we ask for, as HubSpot's consent screen lists it.
      const named = HUBSPOT_SCOPES.filter((s) => [...lacking].some((group) => group.split(' or ').includes(s)));
      const step: CrmCheckStep = named.length
        ? {
            id: 'scopes',
            label: 'Scopes granted',
            state: 'failed',
            detail: named.map((s) => `${s} is missing (to ${HUBSPOT_SCOPE_PURPOSE[s]})`).join('; '),
            fix: reconnectFix(named),
          }
        : { id: 'scopes', label: 'Scopes granted', state: 'ok', detail: `HubSpot account ${info.hubId} granted ${HUBSPOT_SCOPES.join(', ')}` };
      return [step];
    },

    async testWrite(contactId) {
      const id = await upsert('communications', `check/${randomUUID()}`, {
        hs_communication_channel_type: 'WHATS_APP',
        hs_communication_logged_from: 'CRM',
        hs_communication_body: '<p>Switchboard connection check (deleted right away)</p>',
        hs_timestamp: new Date().toISOString(),
      });
      try {
        await associate('communications', id, contactId);
      } finally {
        await call(() => client.crm.objects.communications.basicApi.archive(id));
      }
    },
  };
}

/** What an admin does in HubSpot about scopes the connection lacks. */
const reconnectFix = (scopes: readonly string[]) =>
  `Reconnect HubSpot (admin view → CRM → Connect HubSpot) and approve the access HubSpot lists (${scopes.join(', ')}); a Super Admin of the HubSpot account, or a user allowed to install apps, must approve it.`;

/** A 207's per-item error: retried when HubSpot may take it later, else refused with HubSpot's reason. */
function itemErrorOf(e: { category: string; message: string; status: string; context?: Record<string, string[]> }): CrmCallError {
  const status = Number(e.status) || undefined;
  if (e.category === 'MISSING_SCOPES') {
    const scopes = e.context?.requiredGranularScopes ?? [];
    return new CrmCallError(`HubSpot: ${e.message}`, { status, retryable: false, setup: reconnectFix(scopes.length ? scopes : HUBSPOT_SCOPES) });
  }
  const retryable =
    e.category === 'RATE_LIMITS' || e.category === 'CONFLICT' || e.category === 'LOCKED' || (status !== undefined && (status === 429 || status >= 500));
  return new CrmCallError(`HubSpot ${retryable ? 'could not take' : 'refused'} the record: ${e.message}`, { status, retryable });
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
    const body = typeof e.body === 'object' && e.body ? (e.body as { message?: unknown; policyName?: unknown; category?: unknown; errors?: unknown }) : {};
    if (e.code === 403 && body.category === 'MISSING_SCOPES') {
      // HubSpot names what the call needed: one or more of `requiredGranularScopes`.
      const needed = (Array.isArray(body.errors) ? body.errors : []).flatMap((d: { context?: { requiredGranularScopes?: unknown } }) =>
        Array.isArray(d?.context?.requiredGranularScopes) ? (d.context.requiredGranularScopes as string[]) : [],
      );
      const ours = HUBSPOT_SCOPES.filter((s) => needed.includes(s));
      const scopes = ours.length ? ours : needed;
      throw new CrmCallError(`HubSpot: this connection lacks ${scopes.join(' or ') || 'a scope'}: reconnect HubSpot and approve it`, {
        status: 403,
        retryable: false,
        setup: reconnectFix(scopes),
      });
    }
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
