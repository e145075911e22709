import formbody from '@fastify/formbody';
import Fastify, { type FastifyReply } from 'fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import escapeHtml from 'escape-html';
import type { QueryResult, Record as SfApiRecord, SaveError, SaveResult, SearchResult, UpsertResult } from 'jsforce';
import type { TokenResponse } from 'jsforce/lib/oauth2';
import { dropAfterWrite } from './drop';

/**
 * A local stand-in for Salesforce (out of reach here), for development and tests, in the shapes
 * of Salesforce's REST API documentation (v62.0) for what jsforce calls for Switchboard
 * (docs/crm.md): the OAuth web-server flow (`/services/oauth2/authorize`, `/services/oauth2/token`
 * answering the org's `instance_url`: this stand-in), SOSL search (`FIND {…} IN PHONE|ALL FIELDS
 * RETURNING Contact(…), Lead(…)`), SOQL queries of the form `SELECT … FROM … WHERE a = '…' AND …
 * LIMIT n`, sObject create/retrieve/update, upsert by an External ID field, and the Tooling API's
 * CustomField create. Errors are Salesforce's arrays of `{ message, errorCode }`. Answers are typed
 * with jsforce's types of Salesforce's documented REST shapes (type-checked by
 * tests/integration/crm.stand-ins.test.ts). On demand: the
 * org's API request limit (REQUEST_LIMIT_EXCEEDED), a write performed and its answer lost, expiry.
 */
export interface SalesforceStandIn {
  url: string;
  tokens: Set<string>;
  /** Records by id; `attributes.type` says which sObject. */
  records: Map<string, SfRecord>;
  /** The External ID fields created (e.g. Activity.Switchboard_Key__c). */
  customFields: Set<string>;
  /** The org's API requests left in its 24-hour window (null: unlimited); at 0 every call is refused. */
  requestsLeft: number | null;
  dropAfterWrite: number;
  requests: Array<{ method: string; path: string; status: number }>;
  oauth: { clientId: string; clientSecret: string; orgId: string };
  addRecord(type: 'Contact' | 'Lead', fields: Record<string, string>): string;
  ofType(type: string): SfRecord[];
  expireAccessTokens(): void;
  close(): Promise<void>;
}

export type SfRecord = { Id: string; attributes: { type: string; url: string } } & Record<string, unknown>;

const PREFIX: Record<string, string> = { Contact: '003', Lead: '00Q', Task: '00T', Note: '002' };
const digits = (v: unknown) => (typeof v === 'string' ? v.replace(/\D/g, '') : '');

export async function startSalesforceStandIn(): Promise<SalesforceStandIn> {
  const app = Fastify();
  await app.register(formbody);
  // JSON bodies on PATCH too (upsert, update).
  const codes = new Map<string, string>();
  const refreshTokens = new Set<string>();
  let seq = 1;
  const newId = (type: string) => `${PREFIX[type] ?? '001'}${'0'.repeat(9)}${String(seq++).padStart(6, '0')}`.slice(0, 18);
  const base = '/services/data/v62.0';
  const issue = () => {
    const access = `00D!sf-${randomBytes(12).toString('hex')}`;
    state.tokens.add(access);
    return { access, issued_at: String(Date.now()) };
  };
  const state: SalesforceStandIn = {
    url: '',
    tokens: new Set(),
    records: new Map(),
    customFields: new Set(),
    requestsLeft: null,
    dropAfterWrite: 0,
    requests: [],
    oauth: { clientId: `3MVG9${randomBytes(8).toString('hex')}`, clientSecret: randomBytes(16).toString('hex'), orgId: '00D000000000001EAA' },
    addRecord(type, fields) {
      const Id = newId(type);
      const name = [fields.FirstName, fields.LastName].filter(Boolean).join(' ');
      state.records.set(Id, { Id, attributes: { type, url: `${base}/sobjects/${type}/${Id}` }, Name: name, IsConverted: false, ...fields });
      return Id;
    },
    ofType: (type) => [...state.records.values()].filter((r) => r.attributes.type === type),
    expireAccessTokens: () => state.tokens.clear(),
    close: () => app.close(),
  };
  const fail = (reply: FastifyReply, status: number, errorCode: string, message: string) => reply.code(status).send([{ message, errorCode, fields: [] }] satisfies SaveError[]);

  app.addHook('onResponse', async (req, reply) => void state.requests.push({ method: req.method, path: decodeURIComponent(req.url), status: reply.statusCode }));
  app.addHook('preHandler', async (req, reply) => {
    if (!req.url.startsWith('/services/data/')) return;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !state.tokens.has(token)) return fail(reply, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (state.requestsLeft !== null) {
      if (state.requestsLeft <= 0) return fail(reply, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      state.requestsLeft--;
    }
  });

  app.get<{ Querystring: Record<string, string> }>('/services/oauth2/authorize', async (req, reply) => {
    const q = req.query;
    if (q.client_id !== state.oauth.clientId || q.response_type !== 'code' || !q.redirect_uri) return reply.code(400).type('text/plain').send('error=invalid_client_id');
    const to = new URL(q.redirect_uri);
    const code = `aPrx${randomUUID()}`;
    codes.set(code, q.redirect_uri);
    to.searchParams.set('code', code);
    if (q.state) to.searchParams.set('state', q.state);
    return reply.redirect(to.toString());
  });
  app.post<{ Body: Record<string, string> }>('/services/oauth2/token', async (req, reply) => {
    const b = req.body ?? {};
    const bad = (error: string, description: string) => reply.code(400).send({ error, error_description: description });
    if (b.client_id !== state.oauth.clientId || b.client_secret !== state.oauth.clientSecret) return bad('invalid_client', 'invalid client credentials');
    const answer = (refresh?: string): TokenResponse => {
      const t = issue();
      return {
        access_token: t.access,
        ...(refresh && { refresh_token: refresh }),
        signature: randomBytes(16).toString('base64'),
        scope: 'refresh_token api',
        instance_url: state.url,
        id: `${state.url}/id/${state.oauth.orgId}/005000000000001AAA`,
        token_type: 'Bearer',
        issued_at: t.issued_at,
      };
    };
    if (b.grant_type === 'authorization_code') {
      if (!b.code || codes.get(b.code) !== b.redirect_uri) return bad('invalid_grant', 'invalid authorization code');
      codes.delete(b.code);
      const refresh = `5Aep${randomBytes(16).toString('hex')}`;
      refreshTokens.add(refresh);
      return answer(refresh);
    }
    if (b.grant_type === 'refresh_token') {
      if (!b.refresh_token || !refreshTokens.has(b.refresh_token)) return bad('invalid_grant', 'expired access/refresh token');
      return answer();
    }
    return bad('unsupported_grant_type', `grant type not supported: ${b.grant_type}`);
  });

  // Lightning's record page, reduced: the record's name and numbers, its completed tasks and notes.
  app.get<{ Params: { type: string; id: string } }>('/lightning/r/:type/:id/view', async (req, reply) => {
    const r = state.records.get(req.params.id);
    if (!r || r.attributes.type !== req.params.type) return reply.code(404).type('text/plain').send('Record not found');
    const tasks = state.ofType('Task').filter((t) => t.WhoId === r.Id);
    const notes = state.ofType('Note').filter((n) => n.ParentId === r.Id);
    const item = (title: string, text: unknown) => `<li><h3>${escapeHtml(title)}</h3><pre>${escapeHtml(String(text ?? ''))}</pre></li>`;
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(
        `<!doctype html><meta charset="utf-8"><title>${escapeHtml(String(r.Name))} | Salesforce (stand-in)</title><body style="font:15px system-ui;margin:2em">` +
          `<h1>${escapeHtml(String(r.Name))}</h1><p>${escapeHtml(String(r.Phone ?? ''))} ${escapeHtml(String(r.MobilePhone ?? ''))}</p>` +
          `<h2>Activity</h2><ol aria-label="Activity">${tasks.map((t) => item(`${t.Subject} · ${t.ActivityDate}`, t.Description)).join('')}${notes.map((n) => item(String(n.Title), n.Body)).join('')}</ol>`,
      );
  });

  const returningOf = (spec: string) =>
    [...spec.matchAll(/(\w+)\s*\(([^)]*)\)/g)].map(([, type, inner]) => {
      const [fieldList, where] = inner!.split(/\s+WHERE\s+/i);
      return { type: type!, fields: fieldList!.split(',').map((f) => f.trim()).filter(Boolean), where: where?.trim() };
    });
  const project = (r: SfRecord, fields: string[]) => ({ attributes: r.attributes, ...Object.fromEntries(fields.map((f) => [f, r[f] ?? null])) });

  app.get<{ Querystring: { q?: string } }>(`${base}/search`, async (req, reply) => {
    const m = /^FIND \{((?:\\.|[^}])*)\} IN (PHONE|ALL) FIELDS RETURNING (.+?)(?: LIMIT (\d+))?$/s.exec(req.query.q ?? '');
    if (!m) return fail(reply, 400, 'MALFORMED_SEARCH', 'unexpected SOSL');
    const term = m[1]!.replace(/\\(.)/g, '$1').toLowerCase();
    if (term.length < 2) return fail(reply, 400, 'INVALID_SEARCH', 'search term must be longer than one character');
    const phoneFields = ['Phone', 'MobilePhone'];
    const textFields = ['Name', 'FirstName', 'LastName', 'Email', ...phoneFields];
    const matches = (r: SfRecord) =>
      m[2] === 'PHONE'
        ? phoneFields.some((f) => digits(term).length > 0 && digits(r[f]).includes(digits(term)))
        : term.split(/\s+/).every((w) => textFields.some((f) => String(r[f] ?? '').toLowerCase().includes(w)) || (digits(w).length > 3 && phoneFields.some((f) => digits(r[f]).includes(digits(w)))));
    const searchRecords = returningOf(m[3]!).flatMap(({ type, fields, where }) =>
      state
        .ofType(type)
        .filter((r) => matches(r) && (!where || !/IsConverted = false/i.test(where) || r.IsConverted !== true))
        .map((r) => project(r, fields)),
    );
    return { searchRecords: searchRecords.slice(0, Number(m[4] ?? 2000)) } satisfies SearchResult;
  });

  app.get<{ Querystring: { q?: string } }>(`${base}/query`, async (req, reply) => {
    const m = /^SELECT (.+?) FROM (\w+)(?: WHERE (.+?))?(?: LIMIT (\d+))?$/s.exec(req.query.q ?? '');
    if (!m) return fail(reply, 400, 'MALFORMED_QUERY', 'unexpected SOQL');
    const conditions = (m[3] ?? '').split(/\s+AND\s+/).filter(Boolean).map((c) => {
      const cm = /^(\w+) = '((?:\\.|[^'])*)'$/.exec(c.trim());
      return cm ? { field: cm[1]!, value: cm[2]!.replace(/\\(.)/g, '$1') } : null;
    });
    if (conditions.some((c) => c === null)) return fail(reply, 400, 'MALFORMED_QUERY', 'only Field = \'value\' conditions here');
    const records = state
      .ofType(m[2]!)
      .filter((r) => conditions.every((c) => r[c!.field] === c!.value))
      .slice(0, Number(m[4] ?? 2000))
      .map((r) => project(r, m[1]!.split(',').map((f) => f.trim())));
    return { totalSize: records.length, done: true, records } satisfies QueryResult<SfApiRecord>;
  });


  app.post<{ Body: { FullName?: string; Metadata?: { externalId?: boolean } } }>(`${base}/tooling/sobjects/CustomField`, async (req, reply) => {
    const name = req.body?.FullName;
    if (!name || !/^\w+\.\w+__c$/.test(name)) return fail(reply, 400, 'INVALID_FIELD', 'FullName must be Object.Field__c');
    if (state.customFields.has(name)) return fail(reply, 400, 'DUPLICATE_DEVELOPER_NAME', 'There is already a field named ' + name.split('.')[1]);
    state.customFields.add(name);
    return reply.code(201).send({ id: `00N${randomBytes(6).toString('hex')}`, success: true, errors: [] } satisfies SaveResult);
  });

  app.post<{ Params: { type: string }; Body: Record<string, unknown> }>(`${base}/sobjects/:type`, async (req, reply) => {
    const { type } = req.params;
    const b = req.body ?? {};
    if (type === 'Contact' && !b.LastName) return fail(reply, 400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [LastName]');
    if (type === 'Note' && (!b.ParentId || !b.Title)) return fail(reply, 400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [ParentId, Title]');
    const Id = newId(type);
    state.records.set(Id, { ...(b as object), Id, attributes: { type, url: `${base}/sobjects/${type}/${Id}` }, ...(type === 'Contact' && { Name: [b.FirstName, b.LastName].filter(Boolean).join(' ') }) });
    if (dropAfterWrite(state, req, reply)) return;
    return reply.code(201).send({ id: Id, success: true, errors: [] } satisfies SaveResult);
  });

  app.get<{ Params: { type: string; id: string }; Querystring: { fields?: string } }>(`${base}/sobjects/:type/:id`, async (req, reply) => {
    const r = state.records.get(req.params.id);
    if (!r || r.attributes.type !== req.params.type) return fail(reply, 404, 'NOT_FOUND', 'The requested resource does not exist');
    return req.query.fields ? project(r, req.query.fields.split(',')) : r;
  });

  // Upsert by an External ID field (201 created, 200 updated), or update by id (204).
  app.patch<{ Params: { type: string; a: string; b?: string }; Body: Record<string, unknown> }>(`${base}/sobjects/:type/:a/:b`, async (req, reply) => {
    const { type, a: field, b: value } = req.params;
    if (!state.customFields.has(`${type === 'Task' ? 'Activity' : type}.${field}`)) return fail(reply, 404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${field}`);
    const existing = state.ofType(type).find((r) => r[field] === value);
    const Id = existing?.Id ?? newId(type);
    state.records.set(Id, { ...(existing ?? {}), ...(req.body ?? {}), [field]: value, Id, attributes: { type, url: `${base}/sobjects/${type}/${Id}` } });
    if (dropAfterWrite(state, req, reply)) return;
    return reply.code(existing ? 200 : 201).send({ id: Id, success: true, errors: [], created: !existing } satisfies UpsertResult);
  });
  app.patch<{ Params: { type: string; a: string }; Body: Record<string, unknown> }>(`${base}/sobjects/:type/:a`, async (req, reply) => {
    const r = state.records.get(req.params.a);
    if (!r || r.attributes.type !== req.params.type) return fail(reply, 404, 'NOT_FOUND', 'The requested resource does not exist');
    Object.assign(r, req.body ?? {});
    if (dropAfterWrite(state, req, reply)) return;
    return reply.code(204).send();
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  state.url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return state;
}
