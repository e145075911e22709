import formbody from '@fastify/formbody';
import Fastify, { type FastifyReply } from 'fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import escapeHtml from 'escape-html';
import { dropAfterWrite } from './drop';
import { installHang, type StandInHang } from './hang';
import { matchOperation, missingScopes } from '../../crm/operations';
import { ZOHO_OPERATIONS } from '../../crm/zoho-operations';

/**
 * A local stand-in for Zoho CRM (out of reach here), playing every data centre at once, for
 * development and tests: the accounts server's OAuth (`/oauth/v2/auth`, `/oauth/v2/token`, which
 * answers its `api_domain`: this stand-in) and the REST API v8 calls Switchboard makes
 * (docs/crm.md): module search by `phone` (every phone field, by digits) and `word`, get and
 * create records, a record's Notes, create and update Notes. Tokens go in `Zoho-oauthtoken`.
 * Errors are Zoho's `{ code, details, message, status }`. On demand: API credits spent
 * (LIMIT_EXCEEDED), too many requests (429), a write performed and its answer lost, expiry.
 * Tokens carry the scopes the consent asked for (fewer when a test says so), and an API call whose
 * operation (server/crm/zoho-operations.ts) needs a scope the token lacks is refused as Zoho does:
 * 401 OAUTH_SCOPE_MISMATCH. A call matching no operation there is served but recorded (`unlisted`).
 * New records are found by search only `searchDelayMs` after they were written (Zoho indexes later).
 */
export interface ZohoStandIn {
  url: string;
  tokens: Set<string>;
  /** "Contacts/<id>" or "Leads/<id>" -> fields */
  records: Map<string, ZohoRecord>;
  notes: Map<string, ZohoNote>;
  /** API credits left (null: unlimited); at 0 every call is refused with LIMIT_EXCEEDED. */
  creditsLeft: number | null;
  dropAfterWrite: number;
  /** Calls that are accepted and never answered (a CRM that hangs), for the timeouts' tests. */
  hang: StandInHang;
  requests: Array<{ method: string; path: string; status: number }>;
  /** API calls that are no operation of ZOHO_OPERATIONS (an adapter calling something undocumented). */
  unlisted: string[];
  /** Scopes the consent page grants (null: all it was asked for). */
  grantScopes: string[] | null;
  /** How long a written record takes to be found by search (Zoho indexes asynchronously). */
  searchDelayMs: number;
  /** Refresh tokens stop working (the user revoked the connection in Zoho). */
  revokeRefreshTokens(): void;
  /** An access token with these scopes (for calling the adapter directly). */
  issueToken(scopes: readonly string[]): string;
  /** Every API exchange with its JSON bodies, for holding both sides to Zoho's descriptions. */
  exchanges: Array<{ method: string; route: string; path: string; status: number; request: unknown; answer: unknown }>;
  oauth: { clientId: string; clientSecret: string };
  addRecord(module: 'Contacts' | 'Leads', fields: Record<string, string>): string;
  /** A record deleted in Zoho (`Contacts/<id>`), its notes with it (to Zoho's recycle bin): reads answer nothing, notes on it are refused. */
  deleteRecord(key: string): void;
  expireAccessTokens(): void;
  close(): Promise<void>;
}

export type ZohoRecord = { id: string; module: string; indexedAt?: number } & Record<string, string | number | null | undefined>;
export interface ZohoNote {
  id: string;
  Note_Title: string;
  Note_Content: string;
  Parent_Id: { module: { api_name: string }; id: string };
  Created_Time: string;
  Modified_Time: string;
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const digits = (v: unknown) => (typeof v === 'string' ? v.replace(/\D/g, '') : '');
const MODULES = new Set(['Contacts', 'Leads']);

export async function startZohoStandIn(): Promise<ZohoStandIn> {
  const app = Fastify();
  const hang = installHang(app);
  await app.register(formbody);
  const codes = new Map<string, { redirectUri: string; scopes: string[] }>();
  const refreshTokens = new Map<string, string[]>(); // refresh token -> its scopes
  const scopesOf = new Map<string, readonly string[]>(); // access token -> its scopes
  let seq = 1;
  const newId = () => `5725767000000${String(seq++).padStart(6, '0')}`;
  const issue = (scopes: readonly string[]) => {
    const access = `1000.${randomBytes(16).toString('hex')}`;
    state.tokens.add(access);
    scopesOf.set(access, scopes);
    return { access_token: access, scope: scopes.join(' '), api_domain: state.url, token_type: 'Bearer', expires_in: 3600 };
  };
  const state: ZohoStandIn = {
    url: '',
    tokens: new Set(),
    records: new Map(),
    notes: new Map(),
    creditsLeft: null,
    dropAfterWrite: 0,
    hang,
    requests: [],
    unlisted: [],
    grantScopes: null,
    searchDelayMs: 0,
    revokeRefreshTokens: () => refreshTokens.clear(),
    issueToken: (scopes) => issue(scopes).access_token,
    exchanges: [],
    oauth: { clientId: `1000.${randomBytes(10).toString('hex').toUpperCase()}`, clientSecret: randomBytes(20).toString('hex') },
    deleteRecord(key) {
      state.records.delete(key);
      for (const [id, n] of state.notes) if (`${n.Parent_Id.module.api_name}/${n.Parent_Id.id}` === key) state.notes.delete(id);
    },
    addRecord(module, fields) {
      const id = newId();
      const full = [fields.First_Name, fields.Last_Name].filter(Boolean).join(' ');
      state.records.set(`${module}/${id}`, { id, module, Full_Name: full, ...fields, indexedAt: Date.now() + state.searchDelayMs });
      return `${module}/${id}`;
    },
    expireAccessTokens: () => state.tokens.clear(),
    close: () => app.close(),
  };
  const fail = (reply: FastifyReply, status: number, code: string, message: string) => reply.code(status).send({ code, details: {}, message, status: 'error' });
  const now = () => new Date().toISOString().slice(0, 19) + '+00:00';
  const view = (r: ZohoRecord, fields?: string) => {
    const wanted = fields ? fields.split(',') : Object.keys(r).filter((k) => k !== 'module' && k !== 'indexedAt');
    return { id: r.id, ...Object.fromEntries(wanted.map((f) => [f, r[f] ?? null])) };
  };
  const user = { name: 'Stand-in Admin', id: '5725767000000000001' };
  const success = (id: string, message: string) => ({
    code: 'SUCCESS',
    details: { id, Modified_Time: now(), Modified_By: user, Created_Time: now(), Created_By: user },
    message,
    status: 'success',
  });

  app.addHook(
    'onResponse',
    async (req, reply) => void state.requests.push({ method: req.method, path: decodeURIComponent(req.url), status: reply.statusCode }),
  );
  app.addHook('onSend', async (req, reply, payload) => {
    if (!req.url.startsWith('/crm/v8/') || typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').includes('json')) return payload;
    const request = (req.headers['content-type'] ?? '').includes('json') ? req.body : undefined;
    state.exchanges.push({
      method: req.method,
      route: req.routeOptions.url ?? req.url,
      path: req.url,
      status: reply.statusCode,
      request,
      answer: JSON.parse(payload),
    });
    return payload;
  });
  app.addHook('preHandler', async (req, reply) => {
    if (!req.url.startsWith('/crm/v8/')) return;
    const token = /^Zoho-oauthtoken (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !state.tokens.has(token)) return fail(reply, 401, 'INVALID_TOKEN', 'invalid oauth token');
    const op = matchOperation(ZOHO_OPERATIONS, req.method, req.url);
    if (!op) state.unlisted.push(`${req.method} ${req.url.split('?')[0]}`);
    else if (missingScopes(op, scopesOf.get(token) ?? []).length) return fail(reply, 401, 'OAUTH_SCOPE_MISMATCH', 'invalid oauth scope to access this URL');
    if (state.creditsLeft !== null) {
      if (state.creditsLeft <= 0) return fail(reply, 429, 'LIMIT_EXCEEDED', 'API credits exceeded for the day');
      state.creditsLeft--;
    }
  });

  app.get<{ Querystring: Record<string, string> }>('/oauth/v2/auth', async (req, reply) => {
    const q = req.query;
    if (q.client_id !== state.oauth.clientId || q.response_type !== 'code' || !q.redirect_uri) return reply.code(400).type('text/plain').send('Invalid Client');
    const to = new URL(q.redirect_uri);
    const code = `1000.${randomUUID().replaceAll('-', '')}`;
    // Zoho grants what the consent asked for (a test may grant less, as a profile without the right would).
    const asked = (q.scope ?? '').split(/[ ,]+/).filter(Boolean);
    codes.set(code, { redirectUri: q.redirect_uri, scopes: state.grantScopes ? asked.filter((s) => state.grantScopes!.includes(s)) : asked });
    to.searchParams.set('code', code);
    // Zoho says where the account is too; Switchboard uses the data centre the admin chose instead.
    to.searchParams.set('location', 'eu');
    to.searchParams.set('accounts-server', state.url);
    if (q.state) to.searchParams.set('state', q.state);
    return reply.redirect(to.toString());
  });
  app.post<{ Body: Record<string, string> }>('/oauth/v2/token', async (req) => {
    const b = req.body ?? {};
    // Zoho answers 200 with an error for a refused grant.
    if (b.client_id !== state.oauth.clientId || b.client_secret !== state.oauth.clientSecret) return { error: 'invalid_client' };
    if (b.grant_type === 'authorization_code') {
      const granted = b.code ? codes.get(b.code) : undefined;
      if (!granted || granted.redirectUri !== b.redirect_uri) return { error: 'invalid_code' };
      codes.delete(b.code!);
      const refresh = `1000.${randomBytes(16).toString('hex')}`;
      refreshTokens.set(refresh, granted.scopes);
      return { ...issue(granted.scopes), refresh_token: refresh };
    }
    if (b.grant_type === 'refresh_token') {
      const scopes = b.refresh_token ? refreshTokens.get(b.refresh_token) : undefined;
      return scopes ? issue(scopes) : { error: 'invalid_code' };
    }
    return { error: 'unsupported_grant_type' };
  });

  // The web app's record page, reduced to its name, numbers and notes.
  app.get<{ Params: { module: string; id: string } }>('/crm/tab/:module/:id', async (req, reply) => {
    const r = state.records.get(`${req.params.module}/${req.params.id}`);
    if (!r) return reply.code(404).type('text/plain').send('Record not found');
    const notes = [...state.notes.values()].filter((n) => n.Parent_Id.id === r.id);
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(
        `<!doctype html><meta charset="utf-8"><title>${escapeHtml(text(r.Full_Name))} | Zoho CRM (stand-in)</title><body style="font:15px system-ui;margin:2em">` +
          `<h1>${escapeHtml(text(r.Full_Name))}</h1><p>${escapeHtml(text(r.Phone))} ${escapeHtml(text(r.Mobile))}</p><h2>Notes</h2><ol aria-label="Notes">` +
          notes.map((n) => `<li><h3>${escapeHtml(n.Note_Title)}</h3><pre>${escapeHtml(n.Note_Content)}</pre></li>`).join('') +
          '</ol>',
      );
  });

  app.get<{ Params: { module: string }; Querystring: { phone?: string; word?: string; fields?: string; per_page?: string } }>(
    '/crm/v8/:module/search',
    async (req, reply) => {
      const { module } = req.params;
      if (!MODULES.has(module)) return fail(reply, 400, 'INVALID_MODULE', 'the module name given seems to be invalid');
      const { phone, word } = req.query;
      if (!phone && !word) return fail(reply, 400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing');
      const phoneFields = ['Phone', 'Mobile', 'Home_Phone', 'Other_Phone'];
      // Zoho's search "behaves like contains" (v8 Search Records): a number holding the digits anywhere matches.
      const hits = [...state.records.values()].filter(
        (r) =>
          r.module === module &&
          (r.indexedAt ?? 0) <= Date.now() &&
          (phone
            ? phoneFields.some((f) => digits(phone).length > 0 && digits(r[f]).includes(digits(phone)))
            : word!
                .toLowerCase()
                .split(/\s+/)
                .every((w) => ['Full_Name', 'Email', ...phoneFields].some((f) => text(r[f]).toLowerCase().includes(w)))),
      );
      if (hits.length === 0) return reply.code(204).send();
      const page = hits.slice(0, Number(req.query.per_page ?? 200));
      // No field selection: `fields` is no parameter of search in crm-oas's module_search.json.
      return { data: page.map((r) => view(r)), info: { per_page: page.length, count: page.length, page: 1, more_records: hits.length > page.length } };
    },
  );

  app.get<{ Params: { module: string; id: string }; Querystring: { fields?: string } }>('/crm/v8/:module/:id', async (req, reply) => {
    const r = state.records.get(`${req.params.module}/${req.params.id}`);
    if (!r) return reply.code(204).send();
    return { data: [view(r, req.query.fields)] };
  });

  app.get<{ Params: { module: string; id: string } }>('/crm/v8/:module/:id/Notes', async (req, reply) => {
    const notes = [...state.notes.values()].filter((n) => n.Parent_Id.module.api_name === req.params.module && n.Parent_Id.id === req.params.id).reverse();
    if (notes.length === 0) return reply.code(204).send();
    return {
      data: notes.map((n) => ({ id: n.id, Note_Title: n.Note_Title, Note_Content: n.Note_Content })),
      info: { per_page: notes.length, count: notes.length, page: 1, more_records: false },
    };
  });

  app.post<{ Params: { module: string }; Body: { data?: Array<Record<string, unknown>> } }>('/crm/v8/:module', async (req, reply) => {
    const { module } = req.params;
    const input = req.body?.data?.[0];
    if (!input) return fail(reply, 400, 'INVALID_DATA', 'invalid data');
    if (module === 'Notes') {
      const parent = input.Parent_Id as { module?: { api_name?: string }; id?: string } | undefined;
      if (!parent?.id || !parent.module?.api_name || !state.records.has(`${parent.module.api_name}/${parent.id}`))
        return fail(reply, 400, 'INVALID_DATA', 'the related id given seems to be invalid');
      const id = newId();
      state.notes.set(id, {
        id,
        Note_Title: String(input.Note_Title ?? ''),
        Note_Content: String(input.Note_Content ?? ''),
        Parent_Id: { module: { api_name: parent.module.api_name }, id: parent.id },
        Created_Time: now(),
        Modified_Time: now(),
      });
      if (dropAfterWrite(state, req, reply)) return;
      return reply.code(201).send({ data: [success(id, 'record added')] });
    }
    if (!MODULES.has(module)) return fail(reply, 400, 'INVALID_MODULE', 'the module name given seems to be invalid');
    if (!input.Last_Name)
      return reply
        .code(400)
        .send({ data: [{ code: 'MANDATORY_NOT_FOUND', details: { api_name: 'Last_Name' }, message: 'required field not found', status: 'error' }] });
    const key = state.addRecord(module as 'Contacts', Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)])));
    return reply.code(201).send({ data: [success(key.split('/')[1]!, 'record added')] });
  });

  app.delete<{ Params: { id: string } }>('/crm/v8/Notes/:id', async (req, reply) => {
    if (!state.notes.delete(req.params.id)) return fail(reply, 400, 'INVALID_DATA', 'the id given seems to be invalid');
    return { data: [success(req.params.id, 'record deleted')] };
  });

  app.put<{ Params: { id: string }; Body: { data?: Array<{ Note_Title?: string; Note_Content?: string }> } }>('/crm/v8/Notes/:id', async (req, reply) => {
    const note = state.notes.get(req.params.id);
    if (!note) return fail(reply, 400, 'INVALID_DATA', 'the id given seems to be invalid');
    const input = req.body?.data?.[0] ?? {};
    if (input.Note_Title !== undefined) note.Note_Title = input.Note_Title;
    if (input.Note_Content !== undefined) note.Note_Content = input.Note_Content;
    note.Modified_Time = now();
    if (dropAfterWrite(state, req, reply)) return;
    return { data: [success(note.id, 'record updated')] };
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  state.url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return state;
}
