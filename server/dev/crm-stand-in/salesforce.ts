import formbody from '@fastify/formbody';
import Fastify, { type FastifyReply } from 'fastify';
import { randomBytes, randomUUID } from 'node:crypto';
import escapeHtml from 'escape-html';
import type { DescribeSObjectResult, Field, QueryResult, Record as SfApiRecord, SaveError, SaveResult, SearchResult, UpsertResult } from 'jsforce';
import type { TokenResponse } from 'jsforce/lib/oauth2';
import { matchOperation, missingScopes } from '../../crm/operations';
import { SALESFORCE_OPERATIONS } from '../../crm/salesforce-operations';
import { dropAfterWrite } from './drop';
import { installHang, type StandInHang } from './hang';

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
 *
 * It plays what a real org does on day one (server/crm/salesforce-operations.ts names the
 * sources): a token's scopes are checked per operation (`api`, else 401 "This session is not
 * valid for use with the REST API"), and any call matching no operation of that table is kept in
 * `unknownRequests`; a custom field created through the Tooling API has no field-level security
 * until a permission set assigned to the user grants it (absent from describe, 404 for an upsert
 * by it, INVALID_FIELD in a body or query); TaskSubtype may be set on create only
 * (INVALID_FIELD_FOR_INSERT_UPDATE on update); Task Status is the org's picklist (`taskStatuses`,
 * its closed value need not be "Completed"); SOSL sees a record only `searchLagMs` after it was
 * written; a deleted record (merged or not) answers ENTITY_IS_DELETED when referred to, and
 * queryAll still shows it with its MasterRecordId; a revoked app's refresh token is invalid_grant.
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
  /** Calls that are accepted and never answered (a CRM that hangs), for the timeouts' tests. */
  hang: StandInHang;
  requests: Array<{ method: string; path: string; status: number }>;
  /** Calls that match no operation of SALESFORCE_OPERATIONS (the adapter's table). */
  unknownRequests: Array<{ method: string; path: string }>;
  oauth: { clientId: string; clientSecret: string; orgId: string; userId: string };
  /** The scopes the connected app may grant (what a consent gives is the asked ones among these). */
  appScopes: string[];
  /** Each access token's scopes. */
  tokenScopes: Map<string, string[]>;
  /** How long after a write SOSL finds the record (Salesforce indexes asynchronously). */
  searchLagMs: number;
  /** The org's Task Status picklist (TaskStatus). */
  taskStatuses: Array<{ ApiName: string; IsClosed: boolean; IsDefault: boolean }>;
  /** What the connected user may do in Setup: create fields (Customize Application), permission sets and assign them. */
  userMay: { customizeApplication: boolean; managePermissionSets: boolean };
  addRecord(type: 'Contact' | 'Lead', fields: Record<string, string>): string;
  ofType(type: string): SfRecord[];
  /** Whether the connected user has `Object.Field` (a custom field) through a permission set assigned to them. */
  fieldAccess(field: string): { read: boolean; edit: boolean };
  /** What an admin does in Setup: the permission set `name` gets Read and Edit on `field` and is assigned to the user. */
  grantFieldAccess(field: string, name?: string): void;
  /** Deletes a record (to the Recycle Bin); `mergedInto`: it lost a merge to that record. */
  deleteRecord(id: string, mergedInto?: string): void;
  expireAccessTokens(): void;
  /** The admin uninstalled or revoked the connected app: every token, refresh tokens too, stops working. */
  revokeApp(): void;
  close(): Promise<void>;
}

export type SfRecord = { Id: string; attributes: { type: string; url: string } } & Record<string, unknown>;

const PREFIX: Record<string, string> = { Contact: '003', Lead: '00Q', Task: '00T', Note: '002' };
const digits = (v: unknown) => (typeof v === 'string' ? v.replace(/\D/g, '') : '');

export async function startSalesforceStandIn(): Promise<SalesforceStandIn> {
  const app = Fastify();
  const hang = installHang(app);
  await app.register(formbody);
  // JSON bodies on PATCH too (upsert, update).
  const codes = new Map<string, string>();
  const codeScopes = new Map<string, string[]>();
  const refreshTokens = new Map<string, string[]>();
  const indexedAt = new Map<string, number>(); // when SOSL finds a record
  const index = (id: string) => indexedAt.set(id, Date.now() + state.searchLagMs);
  let seq = 1;
  const newId = (type: string) => `${PREFIX[type] ?? '001'}${'0'.repeat(9)}${String(seq++).padStart(6, '0')}`.slice(0, 18);
  const base = '/services/data/v62.0';
  const issue = (scopes: string[]) => {
    const access = `00D!sf-${randomBytes(12).toString('hex')}`;
    state.tokens.add(access);
    state.tokenScopes.set(access, scopes);
    return { access, issued_at: String(Date.now()) };
  };
  const state: SalesforceStandIn = {
    url: '',
    tokens: new Set(),
    records: new Map(),
    customFields: new Set(),
    requestsLeft: null,
    dropAfterWrite: 0,
    hang,
    requests: [],
    unknownRequests: [],
    oauth: {
      clientId: `3MVG9${randomBytes(8).toString('hex')}`,
      clientSecret: randomBytes(16).toString('hex'),
      orgId: '00D000000000001EAA',
      userId: '005000000000001AAA',
    },
    appScopes: ['api', 'refresh_token', 'id', 'web'],
    tokenScopes: new Map(),
    searchLagMs: 0,
    taskStatuses: [
      { ApiName: 'Not Started', IsClosed: false, IsDefault: true },
      { ApiName: 'In Progress', IsClosed: false, IsDefault: false },
      { ApiName: 'Completed', IsClosed: true, IsDefault: false },
    ],
    userMay: { customizeApplication: true, managePermissionSets: true },
    addRecord(type, fields) {
      const Id = newId(type);
      const name = [fields.FirstName, fields.LastName].filter(Boolean).join(' ');
      state.records.set(Id, { Id, attributes: { type, url: `${base}/sobjects/${type}/${Id}` }, Name: name, IsConverted: false, IsDeleted: false, ...fields });
      indexedAt.set(Id, 0); // records made in the org beforehand are searchable
      return Id;
    },
    ofType: (type) => [...state.records.values()].filter((r) => r.attributes.type === type && r.IsDeleted !== true),
    fieldAccess(field) {
      const sets = new Set(
        state
          .ofType('PermissionSetAssignment')
          .filter((a) => a.AssigneeId === state.oauth.userId)
          .map((a) => a.PermissionSetId),
      );
      const grants = state.ofType('FieldPermissions').filter((f) => f.Field === field && sets.has(f.ParentId));
      return { read: grants.some((g) => g.PermissionsRead === true), edit: grants.some((g) => g.PermissionsRead === true && g.PermissionsEdit === true) };
    },
    grantFieldAccess(field, name = 'Switchboard') {
      const ps = state.ofType('PermissionSet').find((p) => p.Name === name)?.Id ?? create('PermissionSet', { Name: name, Label: name });
      create('FieldPermissions', { ParentId: ps, SobjectType: field.split('.')[0], Field: field, PermissionsRead: true, PermissionsEdit: true });
      if (!state.ofType('PermissionSetAssignment').some((a) => a.PermissionSetId === ps && a.AssigneeId === state.oauth.userId))
        create('PermissionSetAssignment', { PermissionSetId: ps, AssigneeId: state.oauth.userId });
    },
    deleteRecord(id, mergedInto) {
      const r = state.records.get(id);
      if (!r) return;
      Object.assign(r, { IsDeleted: true, MasterRecordId: mergedInto ?? null });
      // A merge moves the loser's activities and notes to the record kept; a deletion takes them along.
      for (const child of [...state.ofType('Task'), ...state.ofType('Note')]) {
        const ref = child.attributes.type === 'Task' ? 'WhoId' : 'ParentId';
        if (child[ref] !== id) continue;
        if (mergedInto) child[ref] = mergedInto;
        else child.IsDeleted = true;
      }
    },
    expireAccessTokens: () => state.tokens.clear(),
    revokeApp: () => {
      state.tokens.clear();
      refreshTokens.clear();
    },
    close: () => app.close(),
  };
  const fail = (reply: FastifyReply, status: number, errorCode: string, message: string, fields: string[] = []) =>
    reply.code(status).send([{ message, errorCode, fields }] satisfies SaveError[]);
  function create(type: string, fields: Record<string, unknown>): string {
    const Id = newId(type);
    state.records.set(Id, { ...fields, Id, IsDeleted: false, attributes: { type, url: `${base}/sobjects/${type}/${Id}` } });
    index(Id);
    return Id;
  }
  /** Custom fields (`…__c`) the user cannot see are, to the API, not there. Activity fields are granted on Task. */
  const customField = (type: string, field: string) =>
    field.endsWith('__c') && state.customFields.has(`${type === 'Task' || type === 'Event' ? 'Activity' : type}.${field}`);
  const visible = (type: string, field: string) => !field.endsWith('__c') || (customField(type, field) && state.fieldAccess(`${type}.${field}`).read);
  const editable = (type: string, field: string) => !field.endsWith('__c') || (customField(type, field) && state.fieldAccess(`${type}.${field}`).edit);
  // Fields Salesforce lets a client set on create only (Object Reference: Task.TaskSubtype "isn't updateable").
  const CREATE_ONLY: Record<string, string[]> = { Task: ['TaskSubtype'] };
  // What the user may touch in Setup, by sObject (Object Reference: PermissionSet, FieldPermissions, PermissionSetAssignment).
  const SETUP_OBJECTS = new Set(['PermissionSet', 'FieldPermissions', 'PermissionSetAssignment']);
  /** Salesforce's refusal of a body: a field the user cannot see, one not settable now, a Status not in the picklist, a reference to a deleted record. */
  const refuseBody = (reply: FastifyReply, type: string, body: Record<string, unknown>, op: 'create' | 'update') => {
    for (const field of Object.keys(body)) {
      if (!visible(type, field)) return fail(reply, 400, 'INVALID_FIELD', `No such column '${field}' on sobject of type ${type}`, [field]);
      if (!editable(type, field) || (op === 'update' && CREATE_ONLY[type]?.includes(field)))
        return fail(
          reply,
          400,
          'INVALID_FIELD_FOR_INSERT_UPDATE',
          `Unable to create/update fields: ${field}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
          [field],
        );
    }
    if (type === 'Task' && body.Status !== undefined && !state.taskStatuses.some((s) => s.ApiName === body.Status))
      return fail(reply, 400, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `Status: bad value for restricted picklist field: ${String(body.Status)}`, ['Status']);
    if (type === 'Task' && body.TaskSubtype !== undefined && !['Task', 'Email', 'ListEmail', 'Call', 'Cadence', 'LinkedIn'].includes(String(body.TaskSubtype)))
      return fail(reply, 400, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `Task Subtype: bad value for restricted picklist field: ${String(body.TaskSubtype)}`, [
        'TaskSubtype',
      ]);
    for (const ref of ['WhoId', 'ParentId']) {
      const target = typeof body[ref] === 'string' ? state.records.get(body[ref] as string) : undefined;
      if (target?.IsDeleted === true) return fail(reply, 400, 'ENTITY_IS_DELETED', 'entity is deleted', [ref]);
    }
    if (SETUP_OBJECTS.has(type) && !state.userMay.managePermissionSets)
      return fail(reply, 400, 'INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id');
    // One assignment of a permission set per user, one permission set per name (Salesforce refuses the second).
    if (
      op === 'create' &&
      type === 'PermissionSetAssignment' &&
      state.ofType('PermissionSetAssignment').some((a) => a.PermissionSetId === body.PermissionSetId && a.AssigneeId === body.AssigneeId)
    )
      return fail(reply, 400, 'DUPLICATE_VALUE', 'duplicate value found: PermissionSetId, AssigneeId duplicates value on record');
    if (op === 'create' && type === 'PermissionSet' && state.ofType('PermissionSet').some((p) => p.Name === body.Name))
      return fail(reply, 400, 'DUPLICATE_DEVELOPER_NAME', `The permission set name ${String(body.Name)} is already in use`);
    return null;
  };

  app.addHook(
    'onResponse',
    async (req, reply) => void state.requests.push({ method: req.method, path: decodeURIComponent(req.url), status: reply.statusCode }),
  );
  app.addHook('preHandler', async (req, reply) => {
    const api = req.url.startsWith('/services/data/');
    const op = matchOperation(SALESFORCE_OPERATIONS, req.method, req.url);
    if (!op && (api || req.url.startsWith('/services/oauth2/token'))) state.unknownRequests.push({ method: req.method, path: decodeURIComponent(req.url) });
    if (!api) return;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !state.tokens.has(token)) return fail(reply, 401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    if (op && missingScopes(op, state.tokenScopes.get(token) ?? []).length)
      return fail(reply, 401, 'INVALID_SESSION_ID', 'This session is not valid for use with the REST API');
    if (state.requestsLeft !== null) {
      if (state.requestsLeft <= 0) return fail(reply, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      state.requestsLeft--;
    }
  });

  app.get<{ Querystring: Record<string, string> }>('/services/oauth2/authorize', async (req, reply) => {
    const q = req.query;
    if (q.client_id !== state.oauth.clientId || q.response_type !== 'code' || !q.redirect_uri)
      return reply.code(400).type('text/plain').send('error=invalid_client_id');
    const to = new URL(q.redirect_uri);
    const code = `aPrx${randomUUID()}`;
    codes.set(code, q.redirect_uri);
    codeScopes.set(
      code,
      (q.scope ?? '').split(/\s+/).filter((s) => state.appScopes.includes(s)),
    );
    to.searchParams.set('code', code);
    if (q.state) to.searchParams.set('state', q.state);
    return reply.redirect(to.toString());
  });
  app.post<{ Body: Record<string, string> }>('/services/oauth2/token', async (req, reply) => {
    const b = req.body ?? {};
    const bad = (error: string, description: string) => reply.code(400).send({ error, error_description: description });
    if (b.client_id !== state.oauth.clientId || b.client_secret !== state.oauth.clientSecret) return bad('invalid_client', 'invalid client credentials');
    const answer = (scopes: string[], refresh?: string): TokenResponse => {
      const t = issue(scopes);
      return {
        access_token: t.access,
        ...(refresh && { refresh_token: refresh }),
        signature: randomBytes(16).toString('base64'),
        scope: scopes.join(' '),
        instance_url: state.url,
        id: `${state.url}/id/${state.oauth.orgId}/${state.oauth.userId}`,
        token_type: 'Bearer',
        issued_at: t.issued_at,
      };
    };
    if (b.grant_type === 'authorization_code') {
      if (!b.code || codes.get(b.code) !== b.redirect_uri) return bad('invalid_grant', 'invalid authorization code');
      const scopes = codeScopes.get(b.code) ?? [];
      codes.delete(b.code);
      // A refresh token only with the refresh_token (offline_access) scope.
      if (!scopes.includes('refresh_token')) return answer(scopes);
      const refresh = `5Aep${randomBytes(16).toString('hex')}`;
      refreshTokens.set(refresh, scopes);
      return answer(scopes, refresh);
    }
    if (b.grant_type === 'refresh_token') {
      const scopes = b.refresh_token ? refreshTokens.get(b.refresh_token) : undefined;
      if (!scopes) return bad('invalid_grant', 'expired access/refresh token');
      return answer(scopes);
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
      return {
        type: type!,
        fields: fieldList!
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean),
        where: where?.trim(),
      };
    });
  const project = (r: SfRecord, fields: string[]) => ({ attributes: r.attributes, ...Object.fromEntries(fields.map((f) => [f, r[f] ?? null])) });
  const searchable = (r: SfRecord) => (indexedAt.get(r.Id) ?? 0) <= Date.now();

  // Resources by Version: the identity URL names the connected user.
  app.get(base, async () => ({
    sobjects: `${base}/sobjects`,
    search: `${base}/search`,
    query: `${base}/query`,
    identity: `${state.url}/id/${state.oauth.orgId}/${state.oauth.userId}`,
  }));

  // Describe, reduced to what Switchboard reads: the fields the user can see and whether they may set them.
  app.get<{ Params: { type: string } }>(`${base}/sobjects/:type/describe`, async (req) => {
    const { type } = req.params;
    const standard = type === 'Task' ? ['Id', 'Subject', 'Description', 'Status', 'ActivityDate', 'WhoId', 'TaskSubtype'] : ['Id', 'Name'];
    const custom = [...state.customFields].filter((f) => f.split('.')[0] === (type === 'Task' ? 'Activity' : type)).map((f) => f.split('.')[1]!);
    const fields: Array<Pick<Field, 'name' | 'createable' | 'updateable' | 'externalId'>> = [
      ...standard.map((name) => ({ name, createable: name !== 'Id', updateable: name !== 'Id' && !CREATE_ONLY[type]?.includes(name), externalId: false })),
      ...custom.filter((f) => visible(type, f)).map((name) => ({ name, createable: editable(type, name), updateable: editable(type, name), externalId: true })),
    ];
    return { name: type, fields } satisfies Pick<DescribeSObjectResult, 'name'> & { fields: Array<Partial<Field>> };
  });

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
        : term.split(/\s+/).every(
            (w) =>
              textFields.some((f) =>
                String(r[f] ?? '')
                  .toLowerCase()
                  .includes(w),
              ) ||
              (digits(w).length > 3 && phoneFields.some((f) => digits(r[f]).includes(digits(w)))),
          );
    const searchRecords = returningOf(m[3]!).flatMap(({ type, fields, where }) =>
      state
        .ofType(type)
        .filter((r) => searchable(r) && matches(r) && (!where || !/IsConverted = false/i.test(where) || r.IsConverted !== true))
        .map((r) => project(r, fields)),
    );
    return { searchRecords: searchRecords.slice(0, Number(m[4] ?? 2000)) } satisfies SearchResult;
  });

  const soql = (all: boolean) => async (req: { query: { q?: string } }, reply: FastifyReply) => {
    const m = /^SELECT (.+?) FROM (\w+)(?: WHERE (.+?))?(?: LIMIT (\d+))?$/s.exec(req.query.q ?? '');
    if (!m) return fail(reply, 400, 'MALFORMED_QUERY', 'unexpected SOQL');
    const conditions = (m[3] ?? '')
      .split(/\s+AND\s+/)
      .filter(Boolean)
      .map((c) => {
        const cm = /^(\w+) = (?:'((?:\\.|[^'])*)'|(true|false))$/.exec(c.trim());
        return cm ? { field: cm[1]!, value: cm[3] ? cm[3] === 'true' : cm[2]!.replace(/\\(.)/g, '$1') } : null;
      });
    if (conditions.some((c) => c === null)) return fail(reply, 400, 'MALFORMED_QUERY', "only Field = 'value' (or true/false) conditions here");
    const type = m[2]!;
    const fields = m[1]!.split(',').map((f) => f.trim());
    const hidden = [...fields, ...conditions.map((c) => c!.field)].find((f) => !visible(type, f));
    if (hidden) return fail(reply, 400, 'INVALID_FIELD', `No such column '${hidden}' on entity '${type}'.`);
    const rows: SfRecord[] =
      type === 'TaskStatus'
        ? state.taskStatuses.map((t, i) => ({ ...t, Id: `01J00000000000${i}AAA`, attributes: { type, url: `${base}/sobjects/TaskStatus/${i}` } }))
        : all
          ? [...state.records.values()].filter((r) => r.attributes.type === type)
          : state.ofType(type);
    const records = rows
      .filter((r) => conditions.every((c) => r[c!.field] === c!.value))
      .slice(0, Number(m[4] ?? 2000))
      .map((r) => project(r, fields));
    return { totalSize: records.length, done: true, records } satisfies QueryResult<SfApiRecord>;
  };
  app.get<{ Querystring: { q?: string } }>(`${base}/query`, soql(false));
  // queryAll: deleted records (the Recycle Bin, merged ones with their MasterRecordId) too.
  app.get<{ Querystring: { q?: string } }>(`${base}/queryAll`, soql(true));

  app.post<{ Body: { FullName?: string; Metadata?: { externalId?: boolean } } }>(`${base}/tooling/sobjects/CustomField`, async (req, reply) => {
    const name = req.body?.FullName;
    if (!name || !/^\w+\.\w+__c$/.test(name)) return fail(reply, 400, 'INVALID_FIELD', 'FullName must be Object.Field__c');
    if (!state.userMay.customizeApplication) return fail(reply, 400, 'INSUFFICIENT_ACCESS', 'insufficient access rights on cross-reference id');
    if (state.customFields.has(name)) return fail(reply, 400, 'DUPLICATE_DEVELOPER_NAME', 'There is already a field named ' + name.split('.')[1]);
    state.customFields.add(name);
    return reply.code(201).send({ id: `00N${randomBytes(6).toString('hex')}`, success: true, errors: [] } satisfies SaveResult);
  });

  app.post<{ Params: { type: string }; Body: Record<string, unknown> }>(`${base}/sobjects/:type`, async (req, reply) => {
    const { type } = req.params;
    const b = req.body ?? {};
    if (type === 'Contact' && !b.LastName) return fail(reply, 400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [LastName]');
    if (type === 'Note' && (!b.ParentId || !b.Title)) return fail(reply, 400, 'REQUIRED_FIELD_MISSING', 'Required fields are missing: [ParentId, Title]');
    if (refuseBody(reply, type, b, 'create')) return;
    const Id = create(type, { ...b, ...(type === 'Contact' && { Name: [b.FirstName, b.LastName].filter(Boolean).join(' ') }) });
    if (dropAfterWrite(state, req, reply)) return;
    return reply.code(201).send({ id: Id, success: true, errors: [] } satisfies SaveResult);
  });

  app.get<{ Params: { type: string; id: string }; Querystring: { fields?: string } }>(`${base}/sobjects/:type/:id`, async (req, reply) => {
    const r = state.records.get(req.params.id);
    if (!r || r.attributes.type !== req.params.type) return fail(reply, 404, 'NOT_FOUND', 'The requested resource does not exist');
    if (r.IsDeleted === true) return fail(reply, 404, 'ENTITY_IS_DELETED', 'entity is deleted');
    return req.query.fields ? project(r, req.query.fields.split(',')) : r;
  });

  // Upsert by an External ID field (201 created, 200 updated), or update by id (204).
  app.patch<{ Params: { type: string; a: string; b?: string }; Body: Record<string, unknown> }>(`${base}/sobjects/:type/:a/:b`, async (req, reply) => {
    const { type, a: field, b: value } = req.params;
    if (!customField(type, field) || !visible(type, field))
      return fail(reply, 404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${field}`);
    const existing = state.ofType(type).find((r) => r[field] === value);
    if (refuseBody(reply, type, { [field]: value, ...(req.body ?? {}) }, existing ? 'update' : 'create')) return;
    const Id = existing?.Id ?? newId(type);
    state.records.set(Id, {
      ...(existing ?? {}),
      ...(req.body ?? {}),
      [field]: value,
      Id,
      IsDeleted: false,
      attributes: { type, url: `${base}/sobjects/${type}/${Id}` },
    });
    if (!existing) index(Id);
    if (dropAfterWrite(state, req, reply)) return;
    return reply.code(existing ? 200 : 201).send({ id: Id, success: true, errors: [], created: !existing } satisfies UpsertResult);
  });
  app.patch<{ Params: { type: string; a: string }; Body: Record<string, unknown> }>(`${base}/sobjects/:type/:a`, async (req, reply) => {
    const r = state.records.get(req.params.a);
    if (!r || r.attributes.type !== req.params.type) return fail(reply, 404, 'NOT_FOUND', 'The requested resource does not exist');
    if (r.IsDeleted === true) return fail(reply, 404, 'ENTITY_IS_DELETED', 'entity is deleted');
    if (refuseBody(reply, req.params.type, req.body ?? {}, 'update')) return;
    Object.assign(r, req.body ?? {});
    if (dropAfterWrite(state, req, reply)) return;
    return reply.code(204).send();
  });
  app.delete<{ Params: { type: string; a: string } }>(`${base}/sobjects/:type/:a`, async (req, reply) => {
    const r = state.records.get(req.params.a);
    if (!r || r.attributes.type !== req.params.type) return fail(reply, 404, 'NOT_FOUND', 'The requested resource does not exist');
    if (r.IsDeleted === true) return fail(reply, 404, 'ENTITY_IS_DELETED', 'entity is deleted');
    state.deleteRecord(r.Id);
    return reply.code(204).send();
  });

  await app.listen({ host: '127.0.0.1', port: 0 });
  state.url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return state;
}
