import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CrmCandidate, CrmRecordView, CrmStatus } from '../../lib/contract/api';
import { SALESFORCE_KEY_FIELD } from '../../server/crm/salesforce';
import type { SalesforceStandIn, SfRecord } from '../../server/dev/crm-stand-in/salesforce';
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

  const tasksOf = (whoId: string): SfRecord[] => sf.ofType('Task').filter((t) => t.WhoId === whoId);
  const notesOf = (parentId: string): SfRecord[] => sf.ofType('Note').filter((n) => n.ParentId === parentId);
  const conversationOf = async (phone: string, body: string) => {
    const res = await ctx.stack.inbound({ from: phone, to: ctx.a.number, body });
    return (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid])).rows[0]!.conversation_id;
  };

  it('is connected to the org at its instance URL; the External ID field is created on the first write', async () => {
    const status = (await api<CrmStatus>(ctx.stack, admin(), '/api/admin/crm')).body.connection!;
    expect(status).toMatchObject({ vendor: 'salesforce', vendorName: 'Salesforce', account: sf.oauth.orgId });
    const { rows } = await ctx.stack.db.query<{ api_url: string }>('select api_url from crm_connections where organisation_id = $1', [ctx.a.id]);
    expect(rows[0]!.api_url).toBe(sf.url);
  });

  it('logs the conversation as one completed Task on the Contact (or Lead) with the number in any format, updated as messages arrive; a private note is a Note', async () => {
    const phone = customer();
    const contact = sf.addRecord('Contact', { FirstName: 'Sol', LastName: 'Santos', Phone: `+1 (${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}` });
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
    await until(async () => (await ctx.stack.db.query(`select 1 from crm_outbox where conversation_id = $1 and written_version = version`, [conv])).rows.length === 1, { what: 'the write recorded' });
    expect(sf.dropAfterWrite).toBe(0);
    sf.dropAfterWrite = 1;
    await api(ctx.stack, admin(), `/api/conversations/${conv}/notes`, 'POST', { id: randomUUID(), body: 'Lost note answer' });
    await until(async () => (await ctx.stack.db.query(`select 1 from crm_outbox where conversation_id = $1 and kind = 'note' and written_version = version`, [conv])).rows.length === 1, { what: 'the note recorded' });
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

  it('refuses an instance URL that is not the configured one or a My Domain', async () => {
    const { salesforceInstanceUrl } = await import('../../server/crm/salesforce');
    const app = ctx.stack.config.crm.apps.salesforce;
    expect(salesforceInstanceUrl(app, sf.url)).toBe(sf.url);
    expect(() => salesforceInstanceUrl(app, 'https://evil.example')).toThrow(/does not call/);
    const hosted = { ...app, apiBaseUrl: null };
    expect(salesforceInstanceUrl(hosted, 'https://acme.my.salesforce.com')).toBe('https://acme.my.salesforce.com');
    expect(salesforceInstanceUrl(hosted, 'https://acme--uat.sandbox.my.salesforce.com')).toBe('https://acme--uat.sandbox.my.salesforce.com');
    for (const bad of ['http://acme.my.salesforce.com', 'https://acme.my.salesforce.com.evil.example', 'https://evil.example/acme.my.salesforce.com', 'https://acme.my.salesforce.com:444'])
      expect(() => salesforceInstanceUrl(hosted, bad), bad).toThrow();
  });
});
