import formbody from '@fastify/formbody';
import Fastify, { type FastifyReply } from 'fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import escapeHtml from 'escape-html';
import { dropAfterWrite } from './drop';
import { installHang, type StandInHang } from './hang';
import type { DeleteNoteResponse, GetNotesResponse, UpsertNoteResponse } from 'pipedrive/v1';
import { matchOperation, missingScopes } from '../../crm/operations';
import { PIPEDRIVE_OPERATIONS } from '../../crm/pipedrive-operations';
import type { GetPersonSearchResponse, Person, UpsertPersonResponse } from 'pipedrive/v2';

/**
 * A local stand-in for Pipedrive (out of reach here), for development and tests: its OAuth server
 * (consent page; token endpoint with the app's Basic credentials, answering the company's
 * `api_domain`: this stand-in) and the company API the official client (`pipedrive`) calls for
 * Switchboard (docs/crm.md): persons (search, get, add: v2) and notes (list, add, update: v1).
 * Answers are typed with the client's own models, generated from Pipedrive's OpenAPI description.
 * Bearer tokens are checked, with their scopes (server/crm/pipedrive-operations.ts: a token lacking
 * one is answered 403 "Scope and URL mismatch"; a call matching no operation is recorded in
 * `unlisted`). Limits as Pipedrive's token-based rate limiting tells them, by its headers: the
 * 2-second burst window per token in `x-ratelimit-limit/-remaining/-reset` (and the Search API's
 * own window, told the same way), the company's daily
 * token budget in `x-daily-ratelimit-token-limit/-remaining` (a search costs more than a read). On
 * demand: a burst 429, the daily budget spent, a write performed and its answer lost, token
 * expiry, the app uninstalled (every token revoked).
 */
export interface PipedriveStandIn {
  url: string;
  tokens: Set<string>;
  persons: Map<number, PipedrivePerson>;
  notes: Map<number, PipedriveNote>;
  /** The next n API calls are refused as over the burst window, which resets in `retryAfterSeconds`. */
  rateLimitNext: number;
  retryAfterSeconds: number;
  /** The company's API tokens left today (null: no daily budget played); spent, every call is refused until it is reset. */
  dailyTokensLeft: number | null;
  /** Scopes the app's tokens carry (its Marketplace Manager settings). */
  scopes: string[];
  /** API calls that are no operation of PIPEDRIVE_OPERATIONS. */
  unlisted: string[];
  /** The company uninstalled the app: its access and refresh tokens stop working. */
  revokeApp(): void;
  /** An access token with these scopes (for calling the adapter directly). */
  issueToken(scopes?: readonly string[]): { accessToken: string; refreshToken: string; expiresInSeconds: number };
  /** Pipedrive's burst limit per token, as a sliding window (null: none played): beyond it, 429 with Retry-After. */
  burstLimit: { requests: number; seconds: number } | null;
  /**
   * The Search API's own limit per token, a sliding window (Pipedrive: 10 requests per 2 seconds,
   * since August 2022, beside the burst limit; null: none played): beyond it, 429 told by the same
   * x-ratelimit-* headers, with this limit.
   */
  searchLimit: { requests: number; seconds: number } | null;
  /** The next n note writes are performed, then the connection is dropped before the answer. */
  dropAfterWrite: number;
  /** Calls that are accepted and never answered (a CRM that hangs), for the timeouts' tests. */
  hang: StandInHang;
  /** How long adding a person takes before Pipedrive answers (a slow moment of Pipedrive's). */
  createDelayMs: number;
  requests: Array<{ method: string; path: string; status: number }>;
  oauth: { clientId: string; clientSecret: string; company: string; expiresInSeconds: number };
  addPerson(p: { name: string; phones?: string[]; emails?: string[] }): number;
  /**
   * A person made through the API is found by search only this long after (Pipedrive indexes its
   * search asynchronously; people added by `addPerson` are searchable at once).
   */
  searchDelayMs: number;
  /** A person deleted in Pipedrive (its notes with it): read by id it answers 410 Gone, search no longer finds it, notes on it are refused. */
  deletePerson(id: number): void;
  expireAccessTokens(): void;
  close(): Promise<void>;
}

export interface PipedrivePerson {
  id: number;
  name: string;
  phones: Array<{ value: string; primary: boolean; label: string }>;
  emails: Array<{ value: string; primary: boolean; label: string }>;
  add_time: string;
  update_time: string;
  /** When search finds it (ms since the epoch). */
  searchableAt?: number;
}

export interface PipedriveNote {
  id: number;
  content: string;
  person_id: number;
  add_time: string;
  update_time: string;
}

const digits = (v: string) => v.replace(/\D/g, '');
/** What a call costs of the daily token budget (Pipedrive's token costs: a search far more than a read). */
const tokenCost = (method: string, url: string) => (url.includes('/search') ? 40 : method !== 'GET' ? 10 : /\/\d+(\?|$)/.test(url) ? 2 : 20);
const DAILY_TOKENS = 30_000;
const pdTime = (d = new Date()) => d.toISOString().slice(0, 19).replace('T', ' ');

export async function startPipedriveStandIn(): Promise<PipedriveStandIn> {
  const app = Fastify();
  const hang = installHang(app);
  await app.register(formbody);
  const codes = new Map<string, string>();
  const recent = new Map<string, number[]>(); // token -> times of its calls in the burst window
  const recentSearches = new Map<string, number[]>(); // token -> times of its searches in the search window
  const refreshTokens = new Set<string>();
  let nextId = 500;
  const scopesOf = new Map<string, readonly string[]>();
  const issue = (scopes: readonly string[] = state.scopes) => {
    const access = `pd-access-${randomBytes(12).toString('hex')}`;
    const refresh = `pd-refresh-${randomBytes(12).toString('hex')}`;
    state.tokens.add(access);
    scopesOf.set(access, scopes);
    refreshTokens.add(refresh);
    return {
      access_token: access,
      token_type: 'Bearer',
      refresh_token: refresh,
      scope: scopes.join(','),
      expires_in: state.oauth.expiresInSeconds,
      api_domain: state.url,
    };
  };
  const deleted = new Set<number>();
  const state: PipedriveStandIn = {
    url: '',
    tokens: new Set(),
    persons: new Map(),
    notes: new Map(),
    rateLimitNext: 0,
    retryAfterSeconds: 1,
    dailyTokensLeft: null,
    scopes: ['base', 'contacts:full', 'search:read'],
    unlisted: [],
    revokeApp: () => {
      state.tokens.clear();
      refreshTokens.clear();
    },
    burstLimit: null,
    searchLimit: { requests: 10, seconds: 2 },
    dropAfterWrite: 0,
    hang,
    createDelayMs: 0,
    requests: [],
    oauth: { clientId: 'pd-stand-in-client', clientSecret: randomBytes(16).toString('hex'), company: 'standin', expiresInSeconds: 3600 },
    addPerson(p) {
      const id = nextId++;
      const item = (value: string, i: number) => ({ value, primary: i === 0, label: 'work' });
      state.persons.set(id, {
        id,
        name: p.name,
        phones: (p.phones ?? []).map(item),
        emails: (p.emails ?? []).map(item),
        add_time: pdTime(),
        update_time: pdTime(),
      });
      return id;
    },
    searchDelayMs: 1500,
    // Pipedrive deletes a person's notes with the person.
    deletePerson: (id) => {
      deleted.add(id);
      for (const [noteId, n] of state.notes) if (n.person_id === id) state.notes.delete(noteId);
    },
    issueToken: (scopes) => {
      const t = issue(scopes);
      return { accessToken: t.access_token, refreshToken: t.refresh_token, expiresInSeconds: t.expires_in };
    },
    expireAccessTokens: () => state.tokens.clear(),
    close: () => app.close(),
  };
  const fail = (reply: FastifyReply, status: number, error: string) =>
    reply
      .code(status)
      .send({ success: false, error, errorCode: status, error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.' });
  const personView = (p: PipedrivePerson): Person => ({ ...p, owner_id: 1, visible_to: 3 });

  app.addHook('onResponse', async (req, reply) => void state.requests.push({ method: req.method, path: req.url, status: reply.statusCode }));
  app.addHook('preHandler', async (req, reply) => {
    if (!req.url.startsWith('/api/')) return; // OAuth server and web app
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !state.tokens.has(token)) return fail(reply, 401, 'unauthorized access');
    const op = matchOperation(PIPEDRIVE_OPERATIONS, req.method, req.url);
    if (!op) state.unlisted.push(`${req.method} ${req.url.split('?')[0]}`);
    else if (missingScopes(op, scopesOf.get(token) ?? []).length) return fail(reply, 403, 'Scope and URL mismatch');
    // Pipedrive's headers, on every answer: the daily token budget, then the token's burst window.
    const daily = state.dailyTokensLeft;
    reply.header('x-daily-ratelimit-token-limit', String(DAILY_TOKENS)).header('x-daily-ratelimit-token-remaining', String(Math.max(0, daily ?? DAILY_TOKENS)));
    if (daily !== null) {
      if (daily <= 0) return fail(reply, 429, 'Request over limit');
      state.dailyTokensLeft = Math.max(0, daily - tokenCost(req.method, req.url));
    }
    const limit = state.burstLimit ?? { requests: 80, seconds: 2 };
    const now = Date.now();
    const window = (recent.get(token) ?? []).filter((t) => t > now - limit.seconds * 1000);
    recent.set(token, window);
    const resetIn = window.length ? Math.ceil((window[0]! + limit.seconds * 1000 - now) / 1000) : limit.seconds;
    reply.header('x-ratelimit-limit', String(limit.requests)).header('x-ratelimit-reset', String(resetIn));
    if ((state.burstLimit && window.length >= limit.requests) || state.rateLimitNext > 0) {
      if (state.rateLimitNext > 0) {
        state.rateLimitNext--;
        reply.header('x-ratelimit-reset', String(state.retryAfterSeconds));
      }
      // No Retry-After: Pipedrive's rate-limiting page names only the x-ratelimit-* headers.
      reply.header('x-ratelimit-remaining', '0');
      return fail(reply, 429, 'Request over limit');
    }
    window.push(now);
    reply.header('x-ratelimit-remaining', String(Math.max(0, limit.requests - window.length)));
    // The Search API's endpoints have their own window beside it, told by the same headers.
    const search = state.searchLimit;
    if (search && req.url.split('?')[0]!.endsWith('/search')) {
      const searches = (recentSearches.get(token) ?? []).filter((t) => t > now - search.seconds * 1000);
      recentSearches.set(token, searches);
      const searchReset = searches.length ? Math.ceil((searches[0]! + search.seconds * 1000 - now) / 1000) : search.seconds;
      reply.header('x-ratelimit-limit', String(search.requests)).header('x-ratelimit-reset', String(searchReset));
      if (searches.length >= search.requests) {
        reply.header('x-ratelimit-remaining', '0');
        return fail(reply, 429, 'Request over limit');
      }
      searches.push(now);
      reply.header('x-ratelimit-remaining', String(search.requests - searches.length));
    }
  });

  // OAuth: the consent page approves at once; the token endpoint takes the app's Basic credentials.
  app.get<{ Querystring: Record<string, string> }>('/oauth/authorize', async (req, reply) => {
    const q = req.query;
    if (q.client_id !== state.oauth.clientId || !q.redirect_uri) return reply.code(400).type('text/plain').send('invalid client_id or redirect_uri');
    const to = new URL(q.redirect_uri);
    const code = randomUUID();
    codes.set(code, q.redirect_uri);
    to.searchParams.set('code', code);
    if (q.state) to.searchParams.set('state', q.state);
    return reply.redirect(to.toString());
  });
  app.post<{ Body: Record<string, string> }>('/oauth/token', async (req, reply) => {
    const basic = Buffer.from(/^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '', 'base64').toString();
    if (basic !== `${state.oauth.clientId}:${state.oauth.clientSecret}`) return reply.code(401).send({ success: false, error: 'Invalid client credentials' });
    const b = req.body ?? {};
    if (b.grant_type === 'authorization_code') {
      const redirect = b.code ? codes.get(b.code) : undefined;
      if (!redirect || redirect !== b.redirect_uri) return reply.code(400).send({ success: false, error: 'Invalid grant' });
      codes.delete(b.code!);
      return issue();
    }
    if (b.grant_type === 'refresh_token') {
      if (!b.refresh_token || !refreshTokens.has(b.refresh_token)) return reply.code(400).send({ success: false, error: 'Invalid grant' });
      const t = issue();
      return { ...t, refresh_token: b.refresh_token };
    }
    return reply.code(400).send({ success: false, error: `unsupported grant_type ${b.grant_type}` });
  });

  // The company's web app, reduced to a person's page with its notes (newest first).
  app.get<{ Params: { id: string } }>('/person/:id', async (req, reply) => {
    const p = state.persons.get(Number(req.params.id));
    if (!p) return reply.code(404).type('text/plain').send('Person not found');
    const notes = [...state.notes.values()].filter((n) => n.person_id === p.id).sort((a, b) => b.add_time.localeCompare(a.add_time));
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(
        `<!doctype html><meta charset="utf-8"><title>${escapeHtml(p.name)} | Pipedrive (stand-in)</title><body style="font:15px system-ui;margin:2em">` +
          `<h1>${escapeHtml(p.name)}</h1><p>${p.phones.map((x) => escapeHtml(x.value)).join(' · ')}</p>` +
          `<h2>Notes</h2><ol aria-label="Notes">${notes.map((n) => `<li><h3>${escapeHtml(n.add_time)}</h3><div class="body">${n.content}</div></li>`).join('')}</ol>`,
      );
  });

  app.get<{ Querystring: { term?: string; fields?: string; exact_match?: string; limit?: string } }>('/api/v2/persons/search', async (req, reply) => {
    const term = (req.query.term ?? '').trim().toLowerCase();
    if (term.length < 2) return fail(reply, 400, 'Search term must be at least 2 characters long');
    const fields = (req.query.fields ?? 'name,email,phone,notes,custom_fields').split(',');
    // Phone numbers are matched by their digits, whatever their format.
    const hit = (p: PipedrivePerson) =>
      (fields.includes('name') && p.name.toLowerCase().includes(term)) ||
      (fields.includes('email') && p.emails.some((e) => e.value.toLowerCase().includes(term))) ||
      (fields.includes('phone') && digits(term).length >= 2 && p.phones.some((x) => digits(x.value).includes(digits(term))));
    const now = Date.now();
    const items = [...state.persons.values()]
      .filter((p) => !deleted.has(p.id) && (p.searchableAt ?? 0) <= now && hit(p))
      .slice(0, Number(req.query.limit ?? 10));
    const answer: GetPersonSearchResponse = {
      success: true,
      data: {
        items: items.map((p) => ({
          result_score: 1,
          item: {
            id: p.id,
            type: 'person',
            name: p.name,
            phones: p.phones.map((x) => x.value),
            emails: p.emails.map((x) => x.value),
            visible_to: 3,
            owner: { id: 1 },
            custom_fields: [],
            notes: [],
          },
        })),
      },
      additional_data: { next_cursor: undefined },
    };
    return answer;
  });

  app.get<{ Params: { id: string } }>('/api/v2/persons/:id', async (req, reply) => {
    const p = state.persons.get(Number(req.params.id));
    if (p && deleted.has(p.id)) return fail(reply, 410, 'Person is deleted');
    if (!p) return fail(reply, 404, 'Person not found');
    const answer: UpsertPersonResponse = { success: true, data: personView(p) };
    return answer;
  });

  app.post<{ Body: { name?: string; phones?: Array<{ value?: string }>; emails?: Array<{ value?: string }> } }>('/api/v2/persons', async (req, reply) => {
    if (!req.body?.name) return fail(reply, 400, 'Name must be given.');
    if (state.createDelayMs) await new Promise((r) => setTimeout(r, state.createDelayMs));
    const id = state.addPerson({
      name: req.body.name,
      phones: (req.body.phones ?? []).flatMap((x) => (x.value ? [x.value] : [])),
      emails: (req.body.emails ?? []).flatMap((x) => (x.value ? [x.value] : [])),
    });
    state.persons.get(id)!.searchableAt = Date.now() + state.searchDelayMs;
    const answer: UpsertPersonResponse = { success: true, data: personView(state.persons.get(id)!) };
    return answer;
  });

  app.get<{ Querystring: { person_id?: string; sort?: string; limit?: string; start?: string } }>('/api/v1/notes', async (req) => {
    const personId = req.query.person_id ? Number(req.query.person_id) : null;
    const list = [...state.notes.values()]
      .filter((n) => personId === null || n.person_id === personId)
      .sort((a, b) =>
        req.query.sort?.toLowerCase().includes('desc')
          ? b.add_time.localeCompare(a.add_time) || b.id - a.id
          : a.add_time.localeCompare(b.add_time) || a.id - b.id,
      );
    const start = Number(req.query.start ?? 0);
    const limit = Number(req.query.limit ?? 100);
    const page = list.slice(start, start + limit);
    const answer: GetNotesResponse = {
      success: true,
      data: page,
      additional_data: { pagination: { start, limit, more_items_in_collection: list.length > start + limit } },
    };
    return answer;
  });

  app.post<{ Body: { content?: string; person_id?: number; add_time?: string } }>('/api/v1/notes', async (req, reply) => {
    const b = req.body ?? {};
    if (!b.content) return fail(reply, 400, 'Content must be given.');
    if (!b.person_id || !state.persons.has(Number(b.person_id)) || deleted.has(Number(b.person_id))) return fail(reply, 400, 'Person not found.');
    const id = nextId++;
    const note: PipedriveNote = { id, content: b.content, person_id: Number(b.person_id), add_time: b.add_time ?? pdTime(), update_time: pdTime() };
    state.notes.set(id, note);
    if (dropAfterWrite(state, req, reply)) return;
    const answer: UpsertNoteResponse = { success: true, data: note };
    return answer;
  });

  app.delete<{ Params: { id: string } }>('/api/v1/notes/:id', async (req, reply) => {
    if (!state.notes.delete(Number(req.params.id))) return fail(reply, 404, 'Note not found');
    const answer: DeleteNoteResponse = { success: true, data: true };
    return answer;
  });

  app.put<{ Params: { id: string }; Body: { content?: string } }>('/api/v1/notes/:id', async (req, reply) => {
    const note = state.notes.get(Number(req.params.id));
    if (!note) return fail(reply, 404, 'Note not found');
    if (req.body?.content) note.content = req.body.content;
    note.update_time = pdTime();
    if (dropAfterWrite(state, req, reply)) return;
    const answer: UpsertNoteResponse = { success: true, data: note };
    return answer;
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  state.url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return state;
}
