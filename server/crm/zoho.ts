import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { ZOHO_DATA_CENTRE_IDS, ZOHO_DATA_CENTRES, type ZohoDataCentre } from '../../lib/contract/crm-places';
import { acceptedApiOrigin, expiry, type CrmApp, type Tokens } from './oauth';
import { matchOperation } from './operations';
import { CrmCallError, type CrmAdapter, type CrmCheckStep, type CrmContact, type CrmRecordWrite } from './types';
import { ZOHO_OPERATIONS, ZOHO_SCOPES } from './zoho-operations';
import { CRM_TIMEOUTS, fetchWithin, jsonOf, timeoutsOf } from './timeouts';

// Zoho CRM's data centres (each account lives in one, with its own accounts server, API domain and
// web app; the admin says which when connecting): one list with the page overlay's.
export { ZOHO_DATA_CENTRE_IDS, ZOHO_DATA_CENTRES, type ZohoDataCentre };

const API = '/crm/v8';

/** Where a data centre's servers are: Zoho's, or, on the local stack, all at the stand-in. */
export function zohoPlaces(app: CrmApp, dc: ZohoDataCentre) {
  const known = ZOHO_DATA_CENTRES[dc];
  return app.oauthUrl ? { accounts: app.oauthUrl, api: app.apiBaseUrl ?? app.oauthUrl, web: app.appUrl ?? app.oauthUrl } : known;
}

// What Zoho's answers must look like for what we read of them (its API v8).
const record = z.object({
  id: z.string(),
  Full_Name: z.string().nullish(),
  First_Name: z.string().nullish(),
  Last_Name: z.string().nullish(),
  Email: z.string().nullish(),
  Phone: z.string().nullish(),
  Mobile: z.string().nullish(),
});
const records = z.object({ data: z.array(record) });
const actionResult = z.object({
  data: z.array(
    z.object({ code: z.string(), status: z.string(), message: z.string().optional(), details: z.object({ id: z.string() }).partial().passthrough() }),
  ),
});
const notesList = z.object({ data: z.array(z.object({ id: z.string(), Note_Content: z.string().nullish() })) });
const tokenAnswer = z.object({
  access_token: z.string(),
  refresh_token: z.string().optional(),
  api_domain: z.string().optional(),
  expires_in: z.number().optional(),
});

/**
 * Zoho CRM over its REST API (v8) with fetch (Zoho's SDKs keep tokens in their own stores; ours are
 * sealed in the database), at the account's API domain (from the token answer, checked against
 * the data centre the admin chose). Conversations and private notes are Notes on the Contact or
 * Lead; a note ends with a reference line holding its key, looked up among the record's notes on
 * a retry, so a write whose answer was lost is not made twice.
 */
export function zohoAdapter(opts: { apiDomain: string; accessToken: string; timeoutMs?: number }): CrmAdapter {
  const request = async <T>(method: string, path: string, schema: z.ZodType<T> | null, body?: unknown): Promise<T | null> => {
    const { res, text } = await fetchWithin('Zoho', opts.timeoutMs ?? CRM_TIMEOUTS.callMs, `${opts.apiDomain}${API}${path}`, {
      method,
      headers: { authorization: `Zoho-oauthtoken ${opts.accessToken}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      redirect: 'error',
    });
    if (res.status === 204) return null; // a search that found nothing (no body)
    const answer = jsonOf(text) as { code?: string; message?: string } | null;
    if (!res.ok) throw zohoError(res, answer, `${API}${path}`, method);
    if (!schema) return answer as T;
    const parsed = schema.safeParse(answer);
    if (!parsed.success) throw new CrmCallError(`Zoho answered ${method} ${path} in a shape we do not know`, { retryable: false });
    return parsed.data;
  };
  const asContact = (r: z.infer<typeof record>, module: string): CrmContact => ({
    id: `${module}/${r.id}`,
    name: `${r.Full_Name || [r.First_Name, r.Last_Name].filter(Boolean).join(' ') || r.id}${module === 'Leads' ? ' (lead)' : ''}`,
    email: r.Email ?? null,
    phone: r.Phone || r.Mobile || null,
  });
  // Our id of a Zoho record says its module: "Contacts/<id>" or "Leads/<id>".
  const split = (id: string) => {
    const m = /^(Contacts|Leads)\/(\d{1,30})$/.exec(id);
    return m ? { module: m[1]!, id: m[2]! } : null;
  };
  const reference = (key: string) => `Switchboard ref ${key}`;
  const fields = 'Full_Name,First_Name,Last_Name,Email,Phone,Mobile';
  const getRecord = async (module: string, id: string) => (await request('GET', `/${module}/${id}?fields=${fields}`, records))?.data[0] ?? null;
  /** Each search Zoho must allow this token, as the admin reads it; a missing scope fails its step. */
  const searchStep = async (module: 'Contacts' | 'Leads'): Promise<CrmCheckStep> => {
    const id = `scopes.${module.toLowerCase()}`;
    const label = `Search ${module} by phone`;
    try {
      await request('GET', `/${module}/search?phone=0000000`, records);
      return { id, label, state: 'ok', detail: `Switchboard may search ${module}` };
    } catch (err) {
      if (!(err instanceof CrmCallError && err.setup)) throw err;
      return { id, label, state: 'failed', detail: err.message, fix: err.setup };
    }
  };
  return {
    vendor: 'zoho',
    async prepare() {},

    async findContact(phoneE164) {
      const parsed = parsePhoneNumberFromString(phoneE164);
      if (!parsed) return null;
      const same = (value: string | null | undefined) =>
        !!value && parsePhoneNumberFromString(value.trim().replace(/^00/, '+'), parsed.country)?.number === parsed.number;
      // Zoho's phone search looks in every phone field of the module and matches what *contains*
      // the digits (its v8 Search Records page), so each hit is confirmed as this very number.
      // `fields` is not a parameter of search in crm-oas's module_search.json: the answer has them all.
      for (const module of ['Contacts', 'Leads']) {
        const found = await request('GET', `/${module}/search?phone=${encodeURIComponent(String(parsed.nationalNumber))}`, records);
        const hit = found?.data.find((r) => same(r.Phone) || same(r.Mobile));
        if (hit) return { id: `${module}/${hit.id}` };
      }
      return null;
    },

    async getContact(id) {
      const ref = split(id);
      if (!ref) return null;
      try {
        const found = await getRecord(ref.module, ref.id);
        return found ? asContact(found, ref.module) : null;
      } catch (err) {
        if (err instanceof CrmCallError && (err.status === 404 || err.status === 400)) return null;
        throw err;
      }
    },

    async searchContacts(query) {
      const out: CrmContact[] = [];
      for (const module of ['Contacts', 'Leads']) {
        const found = await request('GET', `/${module}/search?word=${encodeURIComponent(query)}&per_page=10`, records);
        out.push(...(found?.data ?? []).map((r) => asContact(r, module)));
      }
      return out.slice(0, 10);
    },

    async createContact({ name, phoneE164 }) {
      const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
      const last = parts.pop() ?? phoneE164;
      const made = await request('POST', '/Contacts', actionResult, {
        data: [{ Last_Name: last, ...(parts.length && { First_Name: parts.join(' ') }), Mobile: phoneE164 }],
      });
      const id = made?.data[0]?.code === 'SUCCESS' ? made.data[0].details.id : undefined;
      if (!id) throw new CrmCallError(`Zoho did not create the contact: ${made?.data[0]?.message ?? 'no answer'}`, { retryable: false });
      return { id: `Contacts/${id}` };
    },

    async checkAccess() {
      return [await searchStep('Contacts'), await searchStep('Leads')];
    },

    async testWrite(contactId) {
      const parent = split(contactId);
      if (!parent) throw new CrmCallError(`not a Zoho record: ${contactId}`, { retryable: false });
      const made = await request('POST', '/Notes', actionResult, {
        data: [
          {
            Note_Title: 'Switchboard: test note',
            Note_Content: 'Written by Check connection and deleted at once.',
            Parent_Id: { module: { api_name: parent.module }, id: parent.id },
          },
        ],
      });
      const id = made?.data[0]?.code === 'SUCCESS' ? made.data[0].details.id : undefined;
      if (!id) throw new CrmCallError(`Zoho did not create the test note: ${made?.data[0]?.message ?? ''}`, { retryable: false });
      await request('DELETE', `/Notes/${encodeURIComponent(id)}`, actionResult);
    },

    async write(w: CrmRecordWrite) {
      try {
        return await writeNote(w);
      } catch (err) {
        // A note refused on a record Zoho no longer has: the record is gone (deleted, or merged into
        // another), so the customer is looked up again instead of retried for ever.
        const parent = split(w.contactId);
        const gone = async () =>
          getRecord(parent!.module, parent!.id).then(
            (r) => r === null,
            (e: unknown) => e instanceof CrmCallError && (e.status === 404 || e.status === 400),
          );
        if (err instanceof CrmCallError && [400, 404].includes(err.status ?? 0) && parent && (await gone())) {
          throw new CrmCallError(`Zoho CRM has no record ${w.contactId} any more (deleted or merged): the customer is looked up again`, {
            status: 404,
            retryable: false,
            contactGone: true,
          });
        }
        throw err;
      }
    },
  };

  /** A conversation's or a note's Note on the record: updated by its id, or found by its reference line on a retry, or made. */
  async function writeNote(w: CrmRecordWrite): Promise<{ remoteId: string }> {
    const parent = split(w.contactId);
    if (!parent) throw new CrmCallError(`not a Zoho record: ${w.contactId}`, { retryable: false });
    const content = `${w.text}\n\n${reference(w.key)}`;
    const title = w.kind === 'note' ? 'WhatsApp: private note' : `WhatsApp conversation ${w.at.toISOString().slice(0, 10)}`;
    let id = w.remoteId;
    if (!id && w.retry) {
      const latest = await request(
        'GET',
        `/${parent.module}/${parent.id}/Notes?fields=Note_Content&per_page=100&sort_by=Created_Time&sort_order=desc`,
        notesList,
      );
      id = latest?.data.find((n) => n.Note_Content?.includes(reference(w.key)))?.id ?? null;
    }
    if (id) {
      const updated = await request('PUT', `/Notes/${encodeURIComponent(id)}`, actionResult, { data: [{ Note_Title: title, Note_Content: content }] });
      if (updated?.data[0]?.code !== 'SUCCESS')
        throw new CrmCallError(`Zoho did not update the note: ${updated?.data[0]?.message ?? ''}`, { retryable: false });
      return { remoteId: id };
    }
    const made = await request('POST', '/Notes', actionResult, {
      data: [{ Note_Title: title, Note_Content: content, Parent_Id: { module: { api_name: parent.module }, id: parent.id } }],
    });
    const newId = made?.data[0]?.code === 'SUCCESS' ? made.data[0].details.id : undefined;
    if (!newId) throw new CrmCallError(`Zoho did not create the note: ${made?.data[0]?.message ?? ''}`, { retryable: false });
    return { remoteId: newId };
  }
}

/**
 * Zoho's errors as ours. Its API credits are counted over a rolling 24 hours: when they are
 * spent (LIMIT_EXCEEDED) we look again in an hour; TOO_MANY_REQUESTS is a burst (concurrency),
 * with Retry-After when Zoho gives one. OAUTH_SCOPE_MISMATCH (401) is a scope the admin did not
 * grant: refreshing cannot help, the admin must connect again (the scopes come from our table, as
 * Zoho's answer does not name them).
 */
function zohoError(res: Response, answer: { code?: string; message?: string } | null, path: string, method: string): CrmCallError {
  const code = answer?.code ?? `HTTP_${res.status}`;
  if (code === 'OAUTH_SCOPE_MISMATCH') {
    const op = matchOperation(ZOHO_OPERATIONS, method, path);
    const scopes = op ? op.scopes.map((g) => g[0]).join(' and ') : 'a scope';
    return new CrmCallError(`Zoho CRM refused “${op?.id ?? `${method} ${path}`}”: the connection lacks ${scopes}`, {
      status: res.status,
      retryable: false,
      setup: `Zoho CRM did not grant Switchboard ${scopes}. In Switchboard’s admin view, connect Zoho CRM again and accept every permission Zoho’s consent page lists; a Zoho CRM administrator must make the connection if your profile cannot grant them.`,
    });
  }
  const retryAfter = Number(res.headers.get('retry-after'));
  const daily = code === 'LIMIT_EXCEEDED' || code === 'API_LIMIT_EXCEEDED';
  if (res.status === 429 || daily) {
    return new CrmCallError(daily ? 'Zoho: the account’s API credits for the day are spent' : `Zoho: ${answer?.message ?? 'too many requests'}`, {
      status: res.status,
      retryable: true,
      retryAfterMs: retryAfter > 0 ? retryAfter * 1000 : daily ? 3_600_000 + Math.random() * 60_000 : 5_000 + Math.random() * 5_000,
      limit: daily ? 'daily' : 'burst',
    });
  }
  return new CrmCallError(`Zoho: ${answer?.message ?? code}`, {
    status: res.status,
    retryable: res.status >= 500,
    unauthorised: res.status === 401 || code === 'INVALID_TOKEN',
  });
}

/** Where an admin's browser goes to connect the account, at the data centre they chose. */
export function zohoAuthorizeUrl(app: CrmApp, redirectUri: string, state: string, dc: ZohoDataCentre): string {
  const url = new URL('/oauth/v2/auth', zohoPlaces(app, dc).accounts);
  for (const [k, v] of Object.entries({
    scope: ZOHO_SCOPES.join(','),
    client_id: app.clientId ?? '',
    response_type: 'code',
    access_type: 'offline',
    prompt: 'consent',
    redirect_uri: redirectUri,
    state,
  }))
    url.searchParams.set(k, v);
  return url.toString();
}

const tokenCall = async (app: CrmApp, dc: ZohoDataCentre, params: Record<string, string>) => {
  const { res, text } = await fetchWithin('Zoho accounts', timeoutsOf(app).tokenMs, new URL('/oauth/v2/token', zohoPlaces(app, dc).accounts), {
    method: 'POST',
    body: new URLSearchParams({ client_id: app.clientId ?? '', client_secret: app.clientSecret ?? '', ...params }),
    redirect: 'error',
  });
  const answer = jsonOf(text) as { error?: string } | null;
  // Zoho answers a refused code with 200 and an `error`.
  if (!res.ok || !answer || answer.error)
    throw new CrmCallError(`Zoho accounts: ${answer?.error ?? `HTTP ${res.status}`}`, { status: res.status, retryable: res.status >= 500 });
  const t = tokenAnswer.safeParse(answer);
  if (!t.success) throw new CrmCallError('Zoho accounts answered in a shape we do not know', { retryable: false });
  return t.data;
};

/** The API domain from a token answer: the chosen data centre's (or the configured stand-in). */
export const zohoApiDomain = (app: CrmApp, dc: ZohoDataCentre, apiDomain: unknown): string =>
  acceptedApiOrigin(app, apiDomain, {
    what: 'Zoho’s API domain',
    hosted: new RegExp(`^${new URL(ZOHO_DATA_CENTRES[dc].api).hostname.replaceAll('.', '\\.')}$`),
  });

/** The authorization code for tokens at the chosen data centre; the account is the data centre. */
export async function exchangeZohoCode(
  app: CrmApp,
  code: string,
  redirectUri: string,
  dc: ZohoDataCentre,
): Promise<Tokens & { account: string; apiUrl: string }> {
  const t = await tokenCall(app, dc, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token ?? null,
    expiresAt: expiry(t.expires_in),
    account: dc,
    apiUrl: zohoApiDomain(app, dc, t.api_domain),
  };
}

/**
 * A new access token. Zoho answers a refresh token it no longer honours (revoked by the user, the
 * connection removed in Zoho's "Connected Apps", too many refresh tokens) with `invalid_code`:
 * nothing but connecting again helps; what waits to be written stays in the outbox.
 */
export async function refreshZohoToken(app: CrmApp, refreshToken: string, dc: ZohoDataCentre): Promise<Tokens> {
  let t: z.infer<typeof tokenAnswer>;
  try {
    t = await tokenCall(app, dc, { grant_type: 'refresh_token', refresh_token: refreshToken });
  } catch (err) {
    if (!(err instanceof CrmCallError) || err.retryable || !/invalid_code|invalid_grant/.test(err.message)) throw err;
    throw new CrmCallError('Zoho CRM no longer accepts Switchboard’s access (its refresh token was revoked)', {
      status: err.status,
      retryable: false,
      setup: 'Zoho CRM revoked Switchboard’s access. In Switchboard’s admin view, connect Zoho CRM again; nothing waiting to be written is lost.',
    });
  }
  return { accessToken: t.access_token, refreshToken, expiresAt: expiry(t.expires_in) };
}
