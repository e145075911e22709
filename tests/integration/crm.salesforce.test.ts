import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrmCandidate, CrmRecordView, CrmStatus } from '../../lib/contract/api';
import { SALESFORCE_KEY_FIELD, salesforceAdapter } from '../../server/crm/salesforce';
import { CrmCallError } from '../../server/crm/types';
import { startSalesforceStandIn, type SalesforceStandIn, type SfRecord } from '../../server/dev/crm-stand-in/salesforce';
import { api, customer } from '../support/stack';
import { connectByOAuth, pausedThenWritten } from '../support/crm';
import { useTestStack } from '../support/fixture';
import { until } from '../support/wait';

/**
 * CRM write-back to Salesforce through jsforce, against the local Salesforce stand-in. The writer
 * here never looks at the outbox by itself (a 10-minute poll): every write below happens because
 * a new record woke it (NOTIFY) or it slept exactly until a retry fell due.
 */
describe('CRM write-back: Salesforce', () => {
  const ctx = useTestStack({ orgs: { a: 2 }, env: { CRM_POLL_MS: '600000' } });
  let sf: SalesforceStandIn;
  const admin = () => ctx.a.agents[0]!.token;

  beforeAll(async () => {
    sf = ctx.stack.salesforceStandIn!;
    expect(await connectByOAuth(ctx.stack, admin(), 'salesforce', `${sf.url}/services/oauth2/authorize`)).toContain('Salesforce connected');
  });

  /** Another org, as a customer's admin meets it on day one, with the adapter connected to it directly. */
  const orgs: SalesforceStandIn[] = [];
  afterAll(() => Promise.all(orgs.map((o) => o.close())));
  const freshOrg = async (scopes = ['api', 'refresh_token']) => {
    const org = await startSalesforceStandIn();
    orgs.push(org);
    const token = `00D!fresh-${randomUUID()}`;
    org.tokens.add(token);
    org.tokenScopes.set(token, scopes);
    return { org, adapter: salesforceAdapter({ instanceUrl: org.url, accessToken: token }) };
  };
  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CrmCallError);
    return err as CrmCallError;
  };

  const tasksOf = (whoId: string): SfRecord[] => sf.ofType('Task').filter((t) => t.WhoId === whoId);
  const notesOf = (parentId: string): SfRecord[] => sf.ofType('Note').filter((n) => n.ParentId === parentId);
  const conversationOf = async (phone: string, body: string) => {
    const res = await ctx.stack.inbound({ from: phone, to: ctx.a.number, body });
    return (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
  };

  it('is connected to the org at its instance URL; the External ID field is created on the first write', async () => {
    const status = (await api<CrmStatus>(ctx.stack, admin(), '/api/admin/crm')).body.connection!;
    expect(status).toMatchObject({ vendor: 'salesforce', vendorName: 'Salesforce', account: sf.oauth.orgId });
    const { rows } = await ctx.stack.db.query<{ api_url: string }>('select api_url from crm_connections where organisation_id = $1', [ctx.a.id]);
    expect(rows[0]!.api_url).toBe(sf.url);
  });

  it('logs the conversation as one completed Task on the Contact (or Lead) with the number in any format, updated as messages arrive; a private note is a Note', async () => {
    const phone = customer();
    const contact = sf.addRecord('Contact', {
      FirstName: 'Sol',
      LastName: 'Santos',
      Phone: `+1 (${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`,
    });
    const conv = await conversationOf(phone, 'Hello <script>Salesforce</script>');
    await until(() => tasksOf(contact).length === 1, { what: 'a task on the contact' });
    expect(sf.customFields.has(`Activity.${SALESFORCE_KEY_FIELD}`)).toBe(true);
    const [task] = tasksOf(contact);
    expect(task).toMatchObject({ Subject: 'WhatsApp conversation', Status: 'Completed' });
    // Plain text, as the customer wrote it: Salesforce shows Description as text.
    expect(task!.Description).toContain('Hello <script>Salesforce</script>');
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Second line' });
    await until(() => String(tasksOf(contact)[0]?.Description).includes('Second line'), { what: 'the task updated' });
    expect(tasksOf(contact)).toHaveLength(1);
    // TaskSubtype is create-only: set by the first write, not sent by the update (which Salesforce would refuse).
    expect(tasksOf(contact)[0]!.TaskSubtype).toBe('Task');
    expect(sf.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/sobjects/Task/') && r.status >= 400)).toEqual([]);

    expect((await api(ctx.stack, admin(), `/api/conversations/${conv}/notes`, 'POST', { id: randomUUID(), body: 'Renewal due in March' })).status).toBe(201);
    await until(() => notesOf(contact).length === 1, { what: 'a Note on the contact' });
    expect(notesOf(contact)[0]!.Body).toContain('Renewal due in March');

    const lead = sf.addRecord('Lead', { LastName: 'Lee', Company: 'Lee Ltd', MobilePhone: customer() });
    const leadPhone = String(sf.records.get(lead)!.MobilePhone);
    await conversationOf(leadPhone, 'I am a lead');
    await until(() => tasksOf(lead).length === 1, { what: 'a task on the lead' });

    const view = await api<CrmRecordView>(ctx.stack, ctx.a.agents[1]!.token, `/api/conversations/${conv}/crm`);
    expect(view.body).toEqual({ vendorName: 'Salesforce', matched: true, recordUrl: `${sf.url}/lightning/r/Contact/${contact}/view` });
    expect(await (await fetch(view.body.recordUrl!)).text()).toContain('Second line');
  });

  it('writes once when Salesforce wrote and the answer was lost (the Task by its key, the Note by its title)', async () => {
    const phone = customer();
    const contact = sf.addRecord('Contact', { LastName: 'Lost', MobilePhone: phone });
    sf.dropAfterWrite = 1;
    const conv = await conversationOf(phone, 'Lost task answer');
    await until(() => tasksOf(contact).length === 1 && String(tasksOf(contact)[0]!.Description).includes('Lost task answer'), { what: 'the task' });
    await until(
      async () => (await ctx.stack.db.query(`select 1 from crm_outbox where conversation_id = $1 and written_version = version`, [conv])).rows.length === 1,
      { what: 'the write recorded' },
    );
    expect(sf.dropAfterWrite).toBe(0);
    sf.dropAfterWrite = 1;
    await api(ctx.stack, admin(), `/api/conversations/${conv}/notes`, 'POST', { id: randomUUID(), body: 'Lost note answer' });
    await until(
      async () =>
        (await ctx.stack.db.query(`select 1 from crm_outbox where conversation_id = $1 and kind = 'note' and written_version = version`, [conv])).rows
          .length === 1,
      { what: 'the note recorded' },
    );
    expect(sf.dropAfterWrite).toBe(0);
    expect(tasksOf(contact)).toHaveLength(1);
    expect(notesOf(contact)).toHaveLength(1);
  });

  it('pauses when the org’s API request limit is reached, then writes', async () => {
    const phone = customer();
    const contact = sf.addRecord('Contact', { LastName: 'Limit', Phone: phone });
    await pausedThenWritten(ctx.stack, {
      organisationId: ctx.a.id,
      adminToken: admin(),
      reason: /daily API request limit/,
      limit: (on) => void (sf.requestsLeft = on ? 0 : null),
      send: () => ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Over the limit' }),
      written: () => tasksOf(contact).length === 1,
    });
  });

  it('links a customer to a record found by name (the search cannot inject SOSL), creates a Contact, refreshes a refused token', async () => {
    const token = ctx.a.agents[1]!.token;
    const conv = await conversationOf(customer(), 'Link me');
    const rita = sf.addRecord('Contact', { FirstName: 'Rita', LastName: "O'Hara", Email: 'rita@example.com' });
    const found = await api<CrmCandidate[]>(ctx.stack, token, `/api/conversations/${conv}/crm/search?q=${encodeURIComponent("o'hara")}`);
    expect(found.body).toEqual([{ id: rita, name: "Rita O'Hara", email: 'rita@example.com', phone: null }]);
    expect((await api(ctx.stack, token, `/api/conversations/${conv}/crm/search?q=${encodeURIComponent('x} RETURNING User(Id')}`)).status).toBe(200);
    expect(sf.requests.some((r) => r.path.includes('User(Id') && !r.path.includes('\\}'))).toBe(false);
    expect((await api(ctx.stack, token, `/api/conversations/${conv}/crm`, 'PUT', { recordId: '003000000000999AAA' })).status).toBe(404);
    sf.expireAccessTokens();
    expect((await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${conv}/crm`, 'PUT', { recordId: rita })).body.matched).toBe(true);
    await until(() => String(tasksOf(rita)[0]?.Description ?? '').includes('Link me'), { what: 'the waiting task on the linked contact' });

    const stranger = customer();
    const other = await conversationOf(stranger, 'Create me');
    const created = await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${other}/crm/contact`, 'POST');
    const id = created.body.recordUrl!.split('/').at(-2)!;
    expect(sf.records.get(id)).toMatchObject({ MobilePhone: stranger, attributes: { type: 'Contact' } });
    await until(() => tasksOf(id).length === 1, { what: 'the conversation on the new contact' });
  });

  it('gives itself field-level security on the key field through the Switchboard permission set, assigned to the connected user', async () => {
    // On connect, the shared org above got the field, the permission set, its field permission and the assignment.
    expect(sf.fieldAccess(`Task.${SALESFORCE_KEY_FIELD}`)).toEqual({ read: true, edit: true });
    expect(sf.ofType('PermissionSet').map((p) => p.Name)).toEqual(['Switchboard']);
    expect(sf.ofType('PermissionSetAssignment')).toMatchObject([{ AssigneeId: sf.oauth.userId }]);
  });

  it('two prepares at once (the connect and a first write, or two instances) end with one assignment and no refusal', async () => {
    const { org, adapter } = await freshOrg();
    await Promise.all([adapter.prepare(), adapter.prepare(), adapter.prepare()]);
    expect(org.ofType('PermissionSet')).toHaveLength(1);
    expect(org.ofType('PermissionSetAssignment')).toHaveLength(1);
    expect(org.unknownRequests).toEqual([]);
  });

  it('tells the admin what to do in Salesforce Setup when it may not grant itself the key field; after the fix, Check connection passes and a test Task is written and deleted', async () => {
    const { org, adapter } = await freshOrg();
    org.userMay.managePermissionSets = false;
    const contact = org.addRecord('Contact', { LastName: 'Check', MobilePhone: '+14155550100' });
    const refused = await refusal(adapter.prepare());
    expect(refused.setup).toMatch(/In Salesforce Setup, give the Switchboard permission set Edit access to Task\.Switchboard_Key__c/);
    // The field exists but nobody has access to it: Salesforce answers it as absent.
    expect(org.customFields.has(`Activity.${SALESFORCE_KEY_FIELD}`)).toBe(true);
    const write = {
      kind: 'conversation' as const,
      key: `${randomUUID()}/0`,
      remoteId: null,
      retry: false,
      contactId: contact,
      at: new Date(),
      html: '',
      text: 'Hello',
    };
    expect((await refusal(adapter.write(write))).setup).toMatch(/Edit access to Task\.Switchboard_Key__c/);
    const before = await adapter.checkAccess!();
    expect(before.find((s) => s.id === 'key-field')).toMatchObject({ state: 'failed', fix: expect.stringMatching(/Salesforce Setup/) });

    org.grantFieldAccess(`Task.${SALESFORCE_KEY_FIELD}`); // the admin, in Setup
    await adapter.prepare();
    expect((await adapter.checkAccess!()).map((s) => s.state)).toEqual(['ok', 'ok']);
    expect((await adapter.write(write)).remoteId).toMatch(/^00T/);
    await adapter.testWrite!(contact);
    expect(org.ofType('Task')).toHaveLength(1); // the test Task is gone again
    expect(org.requests.some((r) => r.method === 'DELETE' && r.path.includes('/sobjects/Task/') && r.status === 204)).toBe(true);
    expect(org.unknownRequests).toEqual([]);
  });

  it('logs the Task with the org’s own closed status (Task Status is a per-org picklist)', async () => {
    const statuses = sf.taskStatuses;
    sf.taskStatuses = [
      { ApiName: 'Open', IsClosed: false, IsDefault: true },
      { ApiName: 'Done', IsClosed: true, IsDefault: false },
    ];
    try {
      const phone = customer();
      const contact = sf.addRecord('Contact', { LastName: 'Picklist', MobilePhone: phone });
      await conversationOf(phone, 'Closed as this org closes');
      await until(() => tasksOf(contact).length === 1, { what: 'the task' });
      expect(tasksOf(contact)[0]!.Status).toBe('Done');
    } finally {
      sf.taskStatuses = statuses;
    }
  });

  it('makes no second contact when the one just created is not searchable yet (SOSL indexing lag)', async () => {
    sf.searchLagMs = 60_000;
    try {
      const stranger = customer();
      const conv = await conversationOf(stranger, 'Create me once');
      for (const agent of ctx.a.agents) expect((await api(ctx.stack, agent.token, `/api/conversations/${conv}/crm/contact`, 'POST')).status).toBe(200);
      expect(sf.ofType('Contact').filter((c) => c.MobilePhone === stranger)).toHaveLength(1);
    } finally {
      sf.searchLagMs = 0;
    }
  });

  it('follows a merged record to the one kept, and a deleted one to another record with the number; otherwise says so once', async () => {
    const phone = customer();
    const loser = sf.addRecord('Contact', { LastName: 'Loser', MobilePhone: phone });
    const conv = await conversationOf(phone, 'Before the merge');
    await until(() => tasksOf(loser).length === 1, { what: 'the task' });
    const kept = sf.addRecord('Contact', { LastName: 'Kept', Phone: phone });
    sf.deleteRecord(loser, kept);
    await api(ctx.stack, admin(), `/api/conversations/${conv}/notes`, 'POST', { id: randomUUID(), body: 'After the merge' });
    await until(() => sf.ofType('Note').some((n) => n.ParentId === kept && String(n.Body).includes('After the merge')), {
      what: 'the note on the record kept',
    });

    const phone2 = customer();
    const gone = sf.addRecord('Contact', { LastName: 'Gone', MobilePhone: phone2 });
    const conv2 = await conversationOf(phone2, 'Before the deletion');
    await until(() => tasksOf(gone).length === 1, { what: 'the task' });
    sf.deleteRecord(gone);
    const other = sf.addRecord('Lead', { LastName: 'Other', Company: 'Other Ltd', MobilePhone: phone2 });
    await ctx.stack.inbound({ from: phone2, to: ctx.a.number, body: 'After the deletion' });
    await until(() => String(tasksOf(other)[0]?.Description ?? '').includes('After the deletion'), { what: 'the task on the other record' });

    const phone3 = customer();
    const alone = sf.addRecord('Contact', { LastName: 'Alone', MobilePhone: phone3 });
    const conv3 = await conversationOf(phone3, 'Before');
    await until(() => tasksOf(alone).length === 1, { what: 'the task' });
    sf.deleteRecord(alone);
    await ctx.stack.inbound({ from: phone3, to: ctx.a.number, body: 'After' });
    await until(
      async () =>
        /was deleted/.test(
          (await ctx.stack.db.query<{ last_error: string | null }>('select last_error from crm_outbox where conversation_id = $1', [conv3])).rows[0]
            ?.last_error ?? '',
        ),
      { what: 'the refusal' },
    );
    const calls = sf.requests.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(sf.requests.length - calls).toBeLessThan(3); // waits, does not loop
    expect(conv2).toBeTruthy();
  });

  it('refuses an instance URL that is not the configured one or a My Domain', async () => {
    const { salesforceInstanceUrl } = await import('../../server/crm/salesforce-oauth');
    const app = ctx.stack.config.crm.apps.salesforce;
    expect(salesforceInstanceUrl(app, sf.url)).toBe(sf.url);
    expect(() => salesforceInstanceUrl(app, 'https://evil.example')).toThrow(/does not call/);
    const hosted = { ...app, apiBaseUrl: null };
    expect(salesforceInstanceUrl(hosted, 'https://acme.my.salesforce.com')).toBe('https://acme.my.salesforce.com');
    expect(salesforceInstanceUrl(hosted, 'https://acme--uat.sandbox.my.salesforce.com')).toBe('https://acme--uat.sandbox.my.salesforce.com');
    for (const good of [
      'https://acme-dev-ed.develop.my.salesforce.com',
      'https://acme--uat.sandbox.my.salesforce.com',
      'https://site-ruby-4242-dev-ed.scratch.my.salesforce.com',
      'https://acme.demo.my.salesforce.com',
      'https://acme.patch.my.salesforce.com',
      'https://acme-play.trailblaze.my.salesforce.com',
      'https://acme.free.my.salesforce.com',
      'https://ACME.My.Salesforce.com',
    ])
      expect(salesforceInstanceUrl(hosted, good), good).toBe(good.toLowerCase());
    for (const bad of [
      'http://acme.my.salesforce.com',
      'https://acme.my.salesforce.com.evil.example',
      'https://evil.example/acme.my.salesforce.com',
      'https://acme.my.salesforce.com:444',
      'https://acme.develop.my.salesforce.com.evil.example',
      'https://acme.evil.my.salesforce.com',
      'https://acme.develop.sandbox.my.salesforce.com',
      'https://acme.my-salesforce.com',
      'https://acme.develop.my.salesforce.co',
      'https://-acme.my.salesforce.com',
      'https://acme.my.salesforce.com.',
      'https://acme.my.salesforce.com@evil.example',
      'https://evil.example\\.acme.my.salesforce.com',
      'https://acme.scratch.my.salesforce.com/path',
      'https://my.salesforce.com',
    ])
      expect(() => salesforceInstanceUrl(hosted, bad), bad).toThrow();
  });

  it('refuses a token without the api scope as Salesforce does', async () => {
    const { adapter } = await freshOrg(['refresh_token']);
    expect((await refusal(adapter.findContact('+14155550100'))).unauthorised).toBe(true);
  });

  it('when the app was revoked (invalid_grant on refresh), tells the admin to connect Salesforce again and keeps what waits', async () => {
    const phone = customer();
    const contact = sf.addRecord('Contact', { LastName: 'Revoked', MobilePhone: phone });
    sf.revokeApp();
    const conv = await conversationOf(phone, 'While revoked');
    await until(
      async () =>
        /connect Salesforce again/i.test(
          (await ctx.stack.db.query<{ last_error: string | null }>('select last_error from crm_connections where organisation_id = $1', [ctx.a.id])).rows[0]
            ?.last_error ?? '',
        ),
      {
        what: 'the admin told',
      },
    );
    const token = sf.requests.filter((r) => r.path === '/services/oauth2/token').length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(sf.requests.filter((r) => r.path === '/services/oauth2/token').length).toBe(token); // no retry loop on a dead refresh token
    expect(
      (await ctx.stack.db.query('select 1 from crm_outbox where conversation_id = $1 and written_version is distinct from version', [conv])).rows,
    ).toHaveLength(1);
    expect(tasksOf(contact)).toHaveLength(0);
    expect(await connectByOAuth(ctx.stack, admin(), 'salesforce', `${sf.url}/services/oauth2/authorize`)).toContain('Salesforce connected');
  });

  it('called only operations of its table (server/crm/salesforce-operations.ts)', () => {
    expect(sf.requests.length).toBeGreaterThan(20);
    expect(sf.unknownRequests).toEqual([]);
  });
});
