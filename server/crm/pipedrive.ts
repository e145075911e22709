import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { Configuration as V1Configuration, NotesApi } from 'pipedrive/v1';
import { Configuration as V2Configuration, OAuth2Configuration, PersonsApi } from 'pipedrive/v2';
import type { AxiosError, AxiosInstance } from 'axios';
import { acceptedApiOrigin, expiry, type CrmApp, type Tokens } from './oauth';
import { matchOperation } from './operations';
import { PIPEDRIVE_OPERATIONS } from './pipedrive-operations';
import { CRM_TIMEOUTS, noAnswer, timeoutsOf } from './timeouts';
import { CrmCallError, type CrmAdapter, type CrmContact, type CrmRecordWrite } from './types';

/**
 * Pipedrive through its official client (`pipedrive`), at the company's API domain (from the token
 * answer, checked against the app's configuration: `pipedriveApiDomain`). Conversations and private
 * notes are Notes on the person. A note has no key of ours that Pipedrive can upsert by, so each
 * ends with a reference line holding the idempotency key: a write whose answer was lost (the
 * outbox has no record id yet, and this is a retry) first looks among the person's latest notes
 * for that reference and updates the note the lost call created.
 */
export function pipedriveAdapter(opts: { apiDomain: string; accessToken: string; timeoutMs?: number }): CrmAdapter {
  const timeoutMs = opts.timeoutMs ?? CRM_TIMEOUTS.callMs;
  const persons = ourErrors(new PersonsApi(new V2Configuration({ accessToken: opts.accessToken, basePath: `${opts.apiDomain}/api/v2` })), timeoutMs);
  const notes = ourErrors(new NotesApi(new V1Configuration({ accessToken: opts.accessToken, basePath: `${opts.apiDomain}/api/v1` })), timeoutMs);
  const asContact = (p: {
    id?: number;
    name?: string;
    phones?: Array<string | { value?: string }>;
    emails?: Array<string | { value?: string }>;
  }): CrmContact => {
    const first = (list: Array<string | { value?: string }> | undefined) => {
      const v = list?.[0];
      return (typeof v === 'string' ? v : v?.value) || null;
    };
    return { id: String(p.id), name: p.name || `Person ${p.id}`, email: first(p.emails), phone: first(p.phones) };
  };
  const reference = (key: string) => `Switchboard ref ${key}`;
  const getContact = async (id: string): Promise<CrmContact | null> => {
    if (!/^\d+$/.test(id)) return null;
    try {
      const p = await persons.getPerson({ id: Number(id) });
      return p.data ? asContact(p.data) : null;
    } catch (err) {
      // 410: the person was deleted (Pipedrive keeps deleted persons a while and answers Gone).
      if (err instanceof CrmCallError && (err.status === 404 || err.status === 410)) return null;
      throw err;
    }
  };
  const writeNote = async (record: CrmRecordWrite): Promise<{ remoteId: string }> => {
    const content = `${record.kind === 'note' ? '' : '<p><b>WhatsApp conversation</b></p>'}${record.html}<p><small>${reference(record.key)}</small></p>`;
    let id = record.remoteId;
    if (!id && record.retry) {
      // A call before this one may have created the note and its answer been lost.
      const latest = await notes.getNotes({ person_id: Number(record.contactId), sort: 'add_time DESC', limit: 100 });
      const mine = (latest.data ?? []).find((n) => n.content?.includes(reference(record.key)));
      if (mine?.id) id = String(mine.id);
    }
    if (id) {
      await notes.updateNote({ id: Number(id), NoteRequest: { content } });
      return { remoteId: id };
    }
    const note = await notes.addNote({
      AddNoteRequest: { content, person_id: Number(record.contactId), add_time: record.at.toISOString().slice(0, 19).replace('T', ' ') },
    });
    if (!note.data?.id) throw new CrmCallError('Pipedrive answered the note without its id', { retryable: true });
    return { remoteId: String(note.data.id) };
  };
  return {
    vendor: 'pipedrive',

    async prepare() {
      // Nothing to create: notes are written by reference.
    },

    async findContact(phoneE164) {
      const parsed = parsePhoneNumberFromString(phoneE164);
      if (!parsed) return null;
      // Pipedrive's search matches the digits of a stored number whatever its format; the national
      // number finds both "+1 415 555 0134" and "(415) 555-0134". Confirmed with libphonenumber-js.
      const found = await persons.searchPersons({ term: String(parsed.nationalNumber), fields: 'phone', limit: 20 });
      const same = (value: string) => parsePhoneNumberFromString(value.trim().replace(/^00/, '+'), parsed.country)?.number === parsed.number;
      const hit = (found.data?.items ?? []).find((i) => (i.item?.phones ?? []).some(same));
      return hit?.item?.id ? { id: String(hit.item.id) } : null;
    },

    getContact,

    async searchContacts(query) {
      const found = await persons.searchPersons({ term: query, limit: 10 });
      return (found.data?.items ?? []).flatMap((i) => (i.item ? [asContact(i.item)] : []));
    },

    async createContact({ name, phoneE164 }) {
      // Pipedrive's search finds the new person only seconds later: the writer lets one create per
      // customer run at a time and keeps the person made (crm_contacts), so none is made twice.
      const made = await persons.addPerson({
        AddPersonRequest: { name: name?.trim() || phoneE164, phones: [{ value: phoneE164, primary: true, label: 'mobile' }] },
      });
      if (!made.data?.id) throw new CrmCallError('Pipedrive answered without the new person', { retryable: true });
      return { id: String(made.data.id) };
    },

    async write(record: CrmRecordWrite) {
      try {
        return await writeNote(record);
      } catch (err) {
        // A note on a person Pipedrive no longer has is refused: that person is gone (deleted, or
        // merged into another), so the customer is looked up again instead of retried for ever.
        if (err instanceof CrmCallError && [400, 404, 410].includes(err.status ?? 0) && !(await getContact(record.contactId))) {
          throw new CrmCallError(`Pipedrive has no person ${record.contactId} any more (deleted or merged): the customer is looked up again`, {
            status: 410,
            retryable: false,
            contactGone: true,
          });
        }
        throw err;
      }
    },

    async checkAccess() {
      const label = 'Search persons by phone';
      try {
        await persons.searchPersons({ term: '0000000', fields: 'phone', limit: 1 });
        return [{ id: 'scopes.persons', label, state: 'ok', detail: 'Switchboard may search, read and write persons and notes' }];
      } catch (err) {
        if (!(err instanceof CrmCallError && err.setup)) throw err;
        return [{ id: 'scopes.persons', label, state: 'failed', detail: err.message, fix: err.setup }];
      }
    },

    async testWrite(contactId) {
      const created = await notes.addNote({
        AddNoteRequest: { content: '<p>Switchboard: a test note from Check connection, deleted at once.</p>', person_id: Number(contactId) },
      });
      if (!created.data?.id) throw new CrmCallError('Pipedrive answered the test note without its id', { retryable: false });
      await notes.deleteNote({ id: created.data.id });
    },
  };
}

/**
 * The client's HTTP answers as ours (its own error handler keeps only the body). Pipedrive's
 * token-based rate limiting tells its two limits apart in the headers (its "Rate limiting" page and
 * what its API sends): `x-daily-ratelimit-token-remaining: 0` is the company's daily token budget
 * spent, which resets at the company's server midnight, a time no header gives, so the connection
 * looks again in an hour; any other 429 is the 2-second burst window (or the search API's own
 * limit), over in `x-ratelimit-reset` seconds (Retry-After if one is sent). A 403 "Scope and URL
 * mismatch" is a scope the app lacks: setup, as is an uninstalled app (refresh refused). No answer
 * within `timeoutMs` is retryable, like any other call that got no answer.
 */
function ourErrors<T extends object>(api: T, timeoutMs: number): T {
  const http = (api as unknown as { axios: AxiosInstance }).axios;
  // axios's own timeout (the client's instance): a call with no byte for this long is aborted, "did not answer".
  http.defaults.timeout = timeoutMs;
  http.interceptors.response.clear();
  http.interceptors.response.use(
    (res) => res.data,
    (err: AxiosError<{ error?: string }>) => {
      const res = err.response;
      // Out of time before the answer, or in its body (axios then keeps the headers it had and says the stream was aborted).
      if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT' || (res && res.status < 300)) return Promise.reject(noAnswer('Pipedrive', timeoutMs));
      if (!res) return Promise.reject(new CrmCallError(`Pipedrive did not answer: ${err.message}`, { retryable: true }));
      if (res.status === 403 && /scope/i.test(res.data?.error ?? '')) {
        const op = matchOperation(PIPEDRIVE_OPERATIONS, err.config?.method ?? '', new URL(err.config?.url ?? '/', 'http://x').pathname);
        const scopes = op ? op.scopes.map((g) => g.join(' or ')).join(' and ') : 'a scope';
        return Promise.reject(
          new CrmCallError(`Pipedrive refused “${op?.id ?? 'a call'}”: the app lacks ${scopes}`, {
            status: 403,
            retryable: false,
            setup: `Pipedrive did not give Switchboard ${scopes}. The Switchboard app needs “Contacts: full access” (contacts:full) and “Search: read” in Pipedrive’s Marketplace Manager; then, in Switchboard’s admin view, connect Pipedrive again.`,
          }),
        );
      }
      const header = (name: string) => {
        const v = res.headers[name] as unknown;
        return v === undefined || v === null || v === '' ? null : Number(v);
      };
      const daily = res.status === 429 && header('x-daily-ratelimit-token-remaining') === 0;
      const burstSeconds = header('retry-after') ?? header('x-ratelimit-reset') ?? 2;
      const message = daily
        ? 'Pipedrive’s daily API budget for this company is spent'
        : res.status === 429
          ? 'too many requests in its 2-second window'
          : (res.data?.error ?? `HTTP ${res.status}`);
      return Promise.reject(
        new CrmCallError(`Pipedrive: ${message}`, {
          status: res.status,
          retryable: res.status === 429 || res.status >= 500,
          retryAfterMs: daily ? 3_600_000 + Math.random() * 60_000 : res.status === 429 ? Math.max(1, burstSeconds) * 1000 + Math.random() * 500 : undefined,
          unauthorised: res.status === 401,
          limit: res.status === 429 ? (daily ? 'daily' : 'burst') : undefined,
        }),
      );
    },
  );
  return api;
}

/** The company's API domain from a token answer: the configured one, or `https://<company>.pipedrive.com`. */
export const pipedriveApiDomain = (app: CrmApp, apiDomain: unknown): string =>
  acceptedApiOrigin(app, apiDomain, { what: 'Pipedrive’s API domain', hosted: /^[a-z0-9-]+\.pipedrive\.com$/ });

const oauthOf = (app: CrmApp, redirectUri: string) =>
  ourErrors(
    new OAuth2Configuration({
      clientId: app.clientId ?? '',
      clientSecret: app.clientSecret ?? '',
      redirectUri,
      host: app.oauthUrl ?? 'https://oauth.pipedrive.com',
    }),
    timeoutsOf(app).tokenMs,
  );

/** Where an admin's browser goes to connect the company (Pipedrive's consent page). */
export function pipedriveAuthorizeUrl(app: CrmApp, redirectUri: string, state: string): string {
  const url = new URL(oauthOf(app, redirectUri).authorizationUrl);
  url.searchParams.set('state', state);
  return url.toString();
}

interface PipedriveToken {
  access_token: string;
  refresh_token?: string;
  expires_in?: number;
  api_domain?: string;
}

/** The authorization code for tokens, and the company's API domain (checked). */
export async function exchangePipedriveCode(app: CrmApp, code: string, redirectUri: string): Promise<Tokens & { account: string | null; apiUrl: string }> {
  const t = (await oauthOf(app, redirectUri).authorize(code)) as unknown as PipedriveToken;
  const apiUrl = pipedriveApiDomain(app, t.api_domain);
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token ?? null,
    expiresAt: expiry(t.expires_in),
    account: new URL(apiUrl).hostname.split('.')[0] ?? null,
    apiUrl,
  };
}

/** A new access token (Pipedrive may give a new refresh token too). */
export async function refreshPipedriveToken(app: CrmApp, refreshToken: string): Promise<Tokens> {
  const oauth = oauthOf(app, 'unused:');
  oauth.updateToken({ refresh_token: refreshToken } as never);
  let t: PipedriveToken;
  try {
    t = (await oauth.tokenRefresh()) as unknown as PipedriveToken;
  } catch (err) {
    // "Invalid grant": the company uninstalled the app (or revoked it); only connecting again helps.
    if (!(err instanceof CrmCallError) || err.status !== 400) throw err;
    throw new CrmCallError('Pipedrive no longer accepts Switchboard’s access (the app was uninstalled or its refresh token revoked)', {
      status: 400,
      retryable: false,
      setup: 'Pipedrive revoked Switchboard’s access. In Switchboard’s admin view, connect Pipedrive again; nothing waiting to be written is lost.',
    });
  }
  return { accessToken: t.access_token, refreshToken: t.refresh_token ?? refreshToken, expiresAt: expiry(t.expires_in) };
}
