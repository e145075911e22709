import formbody from '@fastify/formbody';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import escapeHtml from 'escape-html';
import { dropAfterWrite } from './drop';
import { installHang, type StandInHang } from './hang';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { HUBSPOT_OPERATIONS } from '../../crm/hubspot-operations';
import { matchOperation, missingScopes } from '../../crm/operations';

/**
 * A local stand-in for the HubSpot CRM API, for development and tests (HubSpot is out of reach
 * here): the paths and shapes the official client (`@hubspot/api-client`) sends and reads, for
 * the calls Switchboard makes (docs/crm.md): unique-value properties, contact search on HubSpot's
 * digits-only phone properties, contacts, communications and notes upserted by a unique property,
 * default associations (v4). Bearer tokens are checked, and so are their scopes: each token
 * carries the scopes granted at consent, and a call whose operation (server/crm/hubspot-operations.ts,
 * from HubSpot's `security` sections) needs one it lacks is refused 403 `MISSING_SCOPES` with
 * HubSpot's body; a call that is no operation of that table is kept in `unlisted`. Contacts made
 * through the API are searchable only after `searchIndexDelayMs`, as HubSpot's search index lags.
 * Its exchanges are kept (`exchanges`) for the test that holds both sides to the official
 * client's models (tests/support/hubspot-spec.ts).
 * On demand it answers 429 with Retry-After, plays the daily limit, or performs a write and then
 * drops the connection (a crash mid-call, seen from the caller).
 */
export interface HubSpotStandIn {
  url: string;
  /** Access tokens it accepts. A token added here by hand carries `oauth.appScopes`. */
  tokens: Set<string>;
  /** The scopes each issued token carries (what the portal granted at consent). */
  tokenScopes: Map<string, string[]>;
  /** API calls (method and path) that are no operation of HubSpot's table (hubspot-operations.ts). */
  unlisted: Array<{ method: string; path: string }>;
  /** A contact created through the API is found by search only this long after (HubSpot: seconds). Contacts added with `addContact` are indexed already. */
  searchIndexDelayMs: number;
  /** The next upserts answer 207 with these per-item errors (one per upsert, in order), writing nothing. */
  upsertItemErrors: Array<{ status: number; category: string; message: string }>;
  /** Property groups of each object type in this portal; a property is created only in one of its object's groups. */
  propertyGroups: Record<string, string[]>;
  /** Properties of each object type with unique values (created by us). */
  uniqueProperties: Map<string, Set<string>>;
  /** The app is uninstalled from the portal: its access and refresh tokens stop working. */
  uninstall(): void;
  contacts: Map<string, HubSpotObject>;
  communications: Map<string, HubSpotObject>;
  notes: Map<string, HubSpotObject>;
  /** communication or note id -> contact ids */
  associations: Map<string, Set<string>>;
  /** An outage: while true every API call is answered 503. */
  down: boolean;
  /** Contact searches take this long to answer (a slow HubSpot). */
  searchDelayMs: number;
  /** Upserts are written, and their answers held until `releaseHeld()` (the caller may die meanwhile). */
  holdUpserts: boolean;
  releaseHeld(): void;
  /** The next n API calls are answered 429 (Retry-After: retryAfterSeconds). */
  rateLimitNext: number;
  /**
   * The CRM search endpoints' own limit per token, a sliding window (HubSpot: 5 requests per
   * second, whatever the app's other limits; null: none played): beyond it, 429 SECONDLY.
   */
  searchLimit: { requests: number; seconds: number } | null;
  retryAfterSeconds: number;
  /** API calls left today (null: no daily limit played); at 0 every call is answered 429 with policy DAILY. */
  dailyCallsLeft: number | null;
  /** The next n upserts are written, then the connection is dropped before the answer. */
  dropAfterWrite: number;
  /** Calls that are accepted and never answered (a CRM that hangs), for the timeouts' tests. */
  hang: StandInHang;
  requests: Array<{ method: string; path: string; status: number }>;
  /** Every API exchange with its JSON bodies, for holding both sides to HubSpot's descriptions. */
  exchanges: Array<{ method: string; route: string; status: number; request: unknown; answer: unknown }>;
  /** The OAuth app Switchboard is registered as (HubSpot's authorization-code flow). */
  oauth: {
    clientId: string;
    clientSecret: string;
    portalId: number;
    expiresInSeconds: number;
    /** What a token added by hand to `tokens` carries: everything the app asks for. */
    appScopes: string[];
    /**
     * Scopes the portal does not grant at consent though the app asks for them (an install made
     * before the app asked for them, or a portal whose admin cannot grant them): the token lacks them.
     */
    withheldScopes: string[];
  };
  addContact(properties: Record<string, string>): string;
  /** A contact's timeline: logged communications and notes, newest first, their bodies as the HTML we sent. */
  timelineOf(contactId: string): Array<{ id: string; type: 'communication' | 'note'; at: string; html: string }>;
  /** A new access token for a portal connected without the consent page (the local demo). */
  issueToken(scopes?: string[]): { accessToken: string; refreshToken: string; expiresInSeconds: number };
  /** Every access token issued so far stops working (as when they expire): the next call gets 401. */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
}

/** What HubSpot's digits-only search properties hold: the number without its country code. */
function searchableDigits(value: string | null | undefined): string | null {
  if (!value) return null;
  // "00" is the international call prefix in most of the world (as "+"); other national numbers are read as the portal's (US).
  const parsed = parsePhoneNumberFromString(value.trim().replace(/^00/, '+'), 'US');
  return parsed ? String(parsed.nationalNumber) : value.replace(/\D/g, '') || null;
}

export async function startHubSpotStandIn(): Promise<HubSpotStandIn> {
  const app = Fastify();
  const hang = installHang(app);
  await app.register(formbody);
  const codes = new Map<string, { redirect: string; scopes: string[] }>(); // code -> what it was issued for (single use)
  const refreshTokens = new Map<string, string[]>(); // refresh token -> its scopes
  /** HubSpot's token answer (`AccessTokenResponse`, oauth.json v1): with the portal (`hub_id`) and the granted scopes. */
  const answer = (access: string, refresh: string, scopes: string[]) => ({
    token_type: 'bearer',
    access_token: access,
    refresh_token: refresh,
    expires_in: state.oauth.expiresInSeconds,
    hub_id: state.oauth.portalId,
    user_id: 1,
    scopes,
    token_use: 'access_token',
  });
  const issue = (scopes: string[], refresh = `stand-in-refresh-${randomBytes(12).toString('hex')}`) => {
    const access = `stand-in-access-${randomBytes(12).toString('hex')}`;
    state.tokens.add(access);
    state.tokenScopes.set(access, scopes);
    refreshTokens.set(refresh, scopes);
    return answer(access, refresh, scopes);
  };
  const scopesOf = (token: string) => state.tokenScopes.get(token) ?? ['oauth', ...state.oauth.appScopes];
  const indexedAt = new Map<string, number>(); // contact id -> when search finds it
  const held: Array<() => void> = [];
  const uniqueProperties = new Map<string, Set<string>>([
    ['communications', new Set()],
    ['notes', new Set()],
    ['contacts', new Set()],
  ]);
  let nextId = 1000;
  const now = () => new Date().toISOString();
  const state: HubSpotStandIn = {
    url: '',
    tokens: new Set(),
    tokenScopes: new Map(),
    unlisted: [],
    searchIndexDelayMs: 1500,
    upsertItemErrors: [],
    // HubSpot documents no property groups of communications and notes: a portal's own names, played here.
    propertyGroups: { contacts: ['contactinformation'], communications: ['communication_details'], notes: ['note_details'] },
    uniqueProperties,
    uninstall: () => {
      state.tokens.clear();
      refreshTokens.clear();
    },
    contacts: new Map(),
    communications: new Map(),
    notes: new Map(),
    associations: new Map(),
    down: false,
    searchDelayMs: 0,
    holdUpserts: false,
    releaseHeld: () => held.splice(0).forEach((release) => release()),
    rateLimitNext: 0,
    searchLimit: { requests: 5, seconds: 1 },
    retryAfterSeconds: 1,
    dailyCallsLeft: null,
    dropAfterWrite: 0,
    hang,
    requests: [],
    exchanges: [],
    oauth: {
      clientId: 'stand-in-client',
      clientSecret: randomBytes(16).toString('hex'),
      portalId: 4_000_001,
      expiresInSeconds: 1800,
      appScopes: [...new Set(HUBSPOT_OPERATIONS.flatMap((op) => op.scopes.map((group) => group[0]!)))],
      withheldScopes: [],
    },
    expireAccessTokens: () => state.tokens.clear(),
    issueToken: (scopes) => {
      const t = issue(scopes ?? ['oauth', ...state.oauth.appScopes]);
      return { accessToken: t.access_token, refreshToken: t.refresh_token, expiresInSeconds: t.expires_in };
    },
    timelineOf: () => [],
    addContact(properties) {
      const id = String(nextId++);
      state.contacts.set(id, { id, properties: { ...properties, hs_object_id: id }, createdAt: now(), updatedAt: now() });
      return id;
    },
    close: () => app.close(),
  };
  /** A contact's logged communications and notes, newest first (what HubSpot's record timeline shows). */
  const timelineOf = (contactId: string) =>
    [
      ...[...state.communications.values()].map((c) => ({ type: 'communication' as const, o: c, html: c.properties.hs_communication_body ?? '' })),
      ...[...state.notes.values()].map((n) => ({ type: 'note' as const, o: n, html: n.properties.hs_note_body ?? '' })),
    ]
      .filter((e) => state.associations.get(e.o.id)?.has(contactId))
      .map((e) => ({ id: e.o.id, type: e.type, at: e.o.properties.hs_timestamp ?? '', html: e.html }))
      .sort((a, b) => b.at.localeCompare(a.at));
  state.timelineOf = timelineOf;
  const error = (reply: FastifyReply, status: number, category: string, message: string) =>
    reply.code(status).send({ status: 'error', message, correlationId: randomUUID(), category });

  app.addHook('onResponse', async (req, reply) => void state.requests.push({ method: req.method, path: req.url, status: reply.statusCode }));
  // Every API call must be an operation of HubSpot's table (the consent page and the web app's pages are not API calls).
  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/oauth/authorize') || req.url.startsWith('/contacts/') || req.url.startsWith('/demo/')) return;
    if (!matchOperation(HUBSPOT_OPERATIONS, req.method, req.url)) state.unlisted.push({ method: req.method, path: req.url.split('?')[0]! });
  });
  app.addHook('onSend', async (req, reply, payload) => {
    if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').includes('json')) return payload;
    const body = (req.headers['content-type'] ?? '').includes('json') ? req.body : undefined;
    state.exchanges.push({ method: req.method, route: req.routeOptions.url ?? req.url, status: reply.statusCode, request: body, answer: JSON.parse(payload) });
    return payload;
  });
  /** HubSpot's answer over a per-second limit (the app's burst, or the search endpoints'). */
  const secondly = (reply: FastifyReply) =>
    reply.code(429).send({
      status: 'error',
      message: 'You have reached your secondly limit.',
      errorType: 'RATE_LIMIT',
      correlationId: randomUUID(),
      policyName: 'SECONDLY',
    });
  const searches = new Map<string, number[]>(); // token -> times of its searches in the search window
  app.addHook('preHandler', async (req: FastifyRequest, reply) => {
    if (req.url.startsWith('/oauth/') || req.url.startsWith('/contacts/') || req.url.startsWith('/demo/')) return; // the consent page and the web app take no bearer token
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !state.tokens.has(token)) return error(reply, 401, 'INVALID_AUTHENTICATION', 'Authentication credentials not found.');
    const op = matchOperation(HUBSPOT_OPERATIONS, req.method, req.url);
    const missing = op ? op.scopes.filter((group) => missingScopes({ ...op, scopes: [group] }, scopesOf(token)).length) : [];
    if (missing.length) {
      // HubSpot's answer to a token without the operation's scopes (its body as HubSpot sends it).
      return reply.code(403).send({
        status: 'error',
        message:
          "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        correlationId: randomUUID(),
        errors: missing.map((group) => ({ message: 'One or more of the following scopes are required.', context: { requiredGranularScopes: group } })),
        links: { scopes: 'https://developers.hubspot.com/scopes' },
        category: 'MISSING_SCOPES',
      });
    }
    if (state.down) return error(reply, 503, 'SERVICE_UNAVAILABLE', 'The service is temporarily unavailable.');
    if (state.dailyCallsLeft !== null) {
      if (state.dailyCallsLeft <= 0) {
        // HubSpot's daily limit: no Retry-After; it resets at midnight in the account's time zone.
        return reply
          .code(429)
          .send({ status: 'error', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName: 'DAILY' });
      }
      state.dailyCallsLeft--;
    }
    const search = state.searchLimit;
    if (search && req.method === 'POST' && /^\/crm\/v3\/objects\/[^/]+\/search/.test(req.url)) {
      const now = Date.now();
      const recent = (searches.get(token) ?? []).filter((t) => t > now - search.seconds * 1000);
      searches.set(token, recent);
      if (recent.length >= search.requests) {
        return secondly(reply);
      }
      recent.push(now);
    }
    if (state.rateLimitNext > 0) {
      state.rateLimitNext--;
      reply.header('Retry-After', String(state.retryAfterSeconds));
      return secondly(reply);
    }
  });

  // HubSpot's web app, reduced to a contact's record: its name, numbers and timeline of logged
  // communications (newest first), as an agent sees it after "Open in HubSpot". The bodies are the
  // HTML we sent (customer text in it escaped by us); shown as HubSpot does, as markup.
  app.get<{ Params: { portal: string; id: string } }>('/contacts/:portal/record/0-1/:id', async (req, reply) => {
    const contact = state.contacts.get(req.params.id);
    if (!contact || req.params.portal !== String(state.oauth.portalId)) return reply.code(404).type('text/plain').send('Record not found');
    const p = contact.properties;
    const name = [p.firstname, p.lastname].filter(Boolean).join(' ') || 'Contact';
    const timeline = timelineOf(contact.id)
      .map((e) => `<li><h3>${escapeHtml(e.type === 'note' ? 'Note' : 'WhatsApp')} · ${escapeHtml(e.at)}</h3><div class="body">${e.html}</div></li>`)
      .join('');
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(
        `<!doctype html><meta charset="utf-8"><title>${escapeHtml(name)} | HubSpot (stand-in)</title><body style="font:15px system-ui;margin:2em">` +
          `<h1>${escapeHtml(name)}</h1><p>Phone ${escapeHtml(p.phone ?? '-')} · Mobile ${escapeHtml(p.mobilephone ?? '-')}</p>` +
          `<h2>Activity</h2><ol aria-label="Activity">${timeline}</ol>`,
      );
  });

  // What a CRM page built on this portal shows (the demo CRM page): a contact's timeline, found by
  // number (any format the contact holds), for any page to read (CORS), like the record page.
  app.get<{ Querystring: { phone?: string } }>('/demo/timeline', async (req, reply) => {
    reply.header('access-control-allow-origin', '*');
    const wanted = parsePhoneNumberFromString(req.query.phone ?? '')?.number;
    const same = (v: string | null | undefined) => !!v && !!wanted && parsePhoneNumberFromString(v.trim().replace(/^00/, '+'), 'US')?.number === wanted;
    const contact = [...state.contacts.values()].find((c) => same(c.properties.phone) || same(c.properties.mobilephone));
    if (!contact) return { contact: null, entries: [] };
    const p = contact.properties;
    return {
      contact: {
        id: contact.id,
        name: [p.firstname, p.lastname].filter(Boolean).join(' '),
        recordUrl: `${state.url}/contacts/${state.oauth.portalId}/record/0-1/${contact.id}`,
      },
      entries: timelineOf(contact.id),
    };
  });

  // The consent screen approves at once (an admin of the portal clicking "Connect app").
  app.get<{ Querystring: Record<string, string> }>('/oauth/authorize', async (req, reply) => {
    const q = req.query;
    if (q.client_id !== state.oauth.clientId || !q.redirect_uri) return reply.code(400).type('text/plain').send('invalid client_id or redirect_uri');
    const to = new URL(q.redirect_uri);
    if (q.deny) to.searchParams.set('error', 'access_denied');
    else {
      const code = randomUUID();
      // The token carries what the app asked for (`scope`, and `optional_scope`), less what this portal does not grant.
      const asked = [q.scope, q.optional_scope].flatMap((v) => (v ?? '').split(/[\s+]+/)).filter(Boolean);
      codes.set(code, { redirect: q.redirect_uri, scopes: ['oauth', ...new Set(asked.filter((s) => !state.oauth.withheldScopes.includes(s)))] });
      to.searchParams.set('code', code);
    }
    if (q.state) to.searchParams.set('state', q.state);
    return reply.redirect(to.toString());
  });

  app.post<{ Body: Record<string, string> }>('/oauth/v1/token', async (req, reply) => {
    const b = req.body ?? {};
    const bad = (message: string) => reply.code(400).send({ status: 'BAD_AUTH_CODE', message, correlationId: randomUUID() });
    if (b.client_id !== state.oauth.clientId || b.client_secret !== state.oauth.clientSecret) return bad('missing or unknown client_id / client_secret');
    if (b.grant_type === 'authorization_code') {
      const issued = b.code ? codes.get(b.code) : undefined;
      if (!issued || issued.redirect !== b.redirect_uri) return bad('missing or unknown auth code');
      codes.delete(b.code!);
      return issue(issued.scopes);
    }
    if (b.grant_type === 'refresh_token') {
      const scopes = b.refresh_token ? refreshTokens.get(b.refresh_token) : undefined;
      if (!scopes) return reply.code(400).send({ status: 'BAD_REFRESH_TOKEN', message: 'missing or unknown refresh token', correlationId: randomUUID() });
      return issue(scopes, b.refresh_token);
    }
    return bad(`unsupported grant_type ${b.grant_type}`);
  });

  app.get<{ Params: { token: string } }>('/oauth/v1/access-tokens/:token', async (req, reply) => {
    if (!state.tokens.has(req.params.token)) return reply.code(404).send({ status: 'error', message: 'token not found' });
    return {
      token: req.params.token,
      hub_id: state.oauth.portalId,
      app_id: 1,
      user_id: 1,
      token_type: 'access',
      expires_in: state.oauth.expiresInSeconds,
      scopes: scopesOf(req.params.token),
    };
  });

  app.get<{ Params: { objectType: string } }>('/crm/v3/properties/:objectType/groups', async (req) => ({
    results: (state.propertyGroups[req.params.objectType] ?? []).map((name, i) => ({ name, label: name, displayOrder: i, archived: false })),
  }));

  app.post<{ Params: { objectType: string }; Body: { name?: string; hasUniqueValue?: boolean; groupName?: string } }>(
    '/crm/v3/properties/:objectType',
    async (req, reply) => {
      const names = uniqueProperties.get(req.params.objectType) ?? new Set<string>();
      uniqueProperties.set(req.params.objectType, names);
      const name = req.body?.name;
      if (!name) return error(reply, 400, 'VALIDATION_ERROR', 'name is required');
      if (names.has(name)) return error(reply, 409, 'OBJECT_ALREADY_EXISTS', `A property named '${name}' already exists.`);
      if (!req.body.groupName || !(state.propertyGroups[req.params.objectType] ?? []).includes(req.body.groupName)) {
        return error(reply, 400, 'VALIDATION_ERROR', `Property group ${req.body.groupName} does not exist.`);
      }
      if (req.body.hasUniqueValue) names.add(name);
      return reply.code(201).send({ description: '', options: [], ...req.body, createdAt: now(), updatedAt: now(), hidden: false, formField: false });
    },
  );

  app.post<{
    Body: {
      query?: string;
      filterGroups?: Array<{ filters: Array<{ propertyName: string; operator: string; value?: string }> }>;
      properties?: string[];
      limit?: number;
    };
  }>('/crm/v3/objects/contacts/search', async (req) => {
    if (state.searchDelayMs) await new Promise((r) => setTimeout(r, state.searchDelayMs));
    const value = (c: HubSpotObject, name: string) =>
      name === 'hs_searchable_calculated_phone_number'
        ? searchableDigits(c.properties.phone)
        : name === 'hs_searchable_calculated_mobile_number'
          ? searchableDigits(c.properties.mobilephone)
          : c.properties[name];
    const groups = req.body?.filterGroups ?? [];
    // `query` searches a contact's default searchable properties (names, e-mail, phone numbers, company) by word prefix.
    const words = (req.body?.query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    const text = (c: HubSpotObject) =>
      ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company']
        .flatMap((k) => (c.properties[k] ?? '').toLowerCase().split(/[\s@.]+/))
        .concat(searchableDigits(c.properties.phone) ?? [], searchableDigits(c.properties.mobilephone) ?? []);
    const hits = [...state.contacts.values()]
      .filter((c) => (indexedAt.get(c.id) ?? 0) <= Date.now())
      .filter((c) => groups.length === 0 || groups.some((g) => g.filters.every((f) => f.operator === 'EQ' && value(c, f.propertyName) === f.value)))
      .filter((c) => words.every((w) => text(c).some((t) => t.startsWith(w))));
    const wanted = req.body?.properties ?? [];
    const results = hits.slice(0, req.body?.limit ?? 10).map((c) => ({
      id: c.id,
      properties: Object.fromEntries([...wanted, 'hs_object_id'].map((k) => [k, c.properties[k] ?? null])),
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      archived: false,
    }));
    return { total: hits.length, results };
  });

  const contactView = (c: HubSpotObject, wanted: string[]) => ({
    id: c.id,
    properties: Object.fromEntries([...wanted, 'hs_object_id', 'createdate', 'lastmodifieddate'].map((k) => [k, c.properties[k] ?? null])),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    archived: false,
  });
  app.post<{ Body: { properties?: Record<string, string> } }>('/crm/v3/objects/contacts', async (req, reply) => {
    const properties = req.body?.properties;
    if (!properties || typeof properties !== 'object') return error(reply, 400, 'VALIDATION_ERROR', 'properties are required');
    // A custom property must exist before a contact holds it (ours are the only custom ones here).
    const unknown = Object.keys(properties).find((k) => k.startsWith('switchboard_') && !uniqueProperties.get('contacts')!.has(k));
    if (unknown)
      return error(
        reply,
        400,
        'VALIDATION_ERROR',
        `Property values were not valid: [{"isValid":false,"message":"Property \\"${unknown}\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"${unknown}"}]`,
      );
    for (const name of uniqueProperties.get('contacts')!) {
      const holder = properties[name] ? [...state.contacts.values()].find((c) => c.properties[name] === properties[name]) : undefined;
      if (holder)
        return error(
          reply,
          409,
          'CONFLICT',
          `A contact with the value ${properties[name]} for the unique property ${name} already exists. Existing ID: ${holder.id}`,
        );
    }
    const id = state.addContact(properties);
    indexedAt.set(id, Date.now() + state.searchIndexDelayMs);
    return reply.code(201).send(contactView(state.contacts.get(id)!, Object.keys(properties)));
  });
  app.get<{ Params: { id: string }; Querystring: { properties?: string | string[]; idProperty?: string } }>(
    '/crm/v3/objects/contacts/:id',
    async (req, reply) => {
      const by = req.query.idProperty;
      if (by && !uniqueProperties.get('contacts')!.has(by)) return error(reply, 400, 'VALIDATION_ERROR', `${by} is not a unique value property`);
      // By id, or by a unique property's value: read at once, not through the search index.
      const c = by ? [...state.contacts.values()].find((x) => x.properties[by] === req.params.id) : state.contacts.get(req.params.id);
      if (!c) return error(reply, 404, 'OBJECT_NOT_FOUND', 'resource not found');
      const wanted = [req.query.properties ?? []].flat().flatMap((p) => p.split(','));
      return contactView(c, wanted);
    },
  );

  const stores: Record<string, Map<string, HubSpotObject>> = { communications: state.communications, notes: state.notes };
  app.post<{ Params: { objectType: string }; Body: { inputs?: Array<{ idProperty?: string; id?: string; properties?: Record<string, string> }> } }>(
    '/crm/v3/objects/:objectType/batch/upsert',
    async (req, reply) => {
      const store = stores[req.params.objectType];
      if (!store) return error(reply, 404, 'OBJECT_NOT_FOUND', `Unknown object type ${req.params.objectType} here`);
      const inputs = req.body?.inputs ?? [];
      const unique = uniqueProperties.get(req.params.objectType)!;
      for (const input of inputs) {
        if (!input.idProperty || !unique.has(input.idProperty))
          return error(reply, 400, 'VALIDATION_ERROR', `${input.idProperty} is not a unique value property`);
        if (!input.id) return error(reply, 400, 'VALIDATION_ERROR', 'id is required');
      }
      const startedAt = now();
      const itemError = state.upsertItemErrors.shift();
      if (itemError) {
        // 207: the batch was taken, this item was not (BatchResponseSimplePublicUpsertObjectWithErrors).
        return reply.code(207).send({
          status: 'COMPLETE',
          results: [],
          numErrors: inputs.length,
          errors: inputs.map((input) => ({
            status: String(itemError.status),
            category: itemError.category,
            message: itemError.message,
            context: { ids: [input.id!] },
            errors: [],
            links: {},
          })),
          startedAt,
          completedAt: now(),
        });
      }
      const results = inputs.map((input) => {
        const existing = [...store.values()].find((c) => c.properties[input.idProperty!] === input.id);
        const record = existing ?? { id: String(nextId++), properties: {}, createdAt: now(), updatedAt: now() };
        record.properties = { ...record.properties, ...input.properties, [input.idProperty!]: input.id!, hs_object_id: record.id };
        record.updatedAt = now();
        store.set(record.id, record);
        return { ...record, archived: false, new: !existing };
      });
      if (dropAfterWrite(state, req, reply)) return;
      if (state.holdUpserts) await new Promise<void>((release) => held.push(release));
      return { status: 'COMPLETE', results, startedAt, completedAt: now() };
    },
  );

  app.delete<{ Params: { id: string } }>('/crm/v3/objects/communications/:id', async (req, reply) => {
    if (!state.communications.delete(req.params.id)) return error(reply, 404, 'OBJECT_NOT_FOUND', 'resource not found');
    state.associations.delete(req.params.id);
    return reply.code(204).send();
  });

  app.put<{ Params: { fromType: string; fromId: string; toType: string; toId: string } }>(
    '/crm/v4/objects/:fromType/:fromId/associations/default/:toType/:toId',
    async (req, reply) => {
      const { fromType, fromId, toType, toId } = req.params;
      if (!stores[fromType] || toType !== 'contacts') return error(reply, 400, 'VALIDATION_ERROR', 'only communications and notes to contacts here');
      if (!stores[fromType]!.has(fromId) || !state.contacts.has(toId)) return error(reply, 404, 'OBJECT_NOT_FOUND', 'resource not found');
      const set = state.associations.get(fromId) ?? new Set<string>();
      set.add(toId);
      state.associations.set(fromId, set);
      const startedAt = now();
      return {
        status: 'COMPLETE',
        // HubSpot's default association types: communication to contact 81, note to contact 202.
        results: [
          {
            from: { id: fromId },
            to: { id: toId },
            associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: fromType === 'notes' ? 202 : 81 },
          },
        ],
        startedAt,
        completedAt: now(),
      };
    },
  );

  await app.listen({ host: '127.0.0.1', port: 0 });
  state.url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return state;
}
