import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CrmCandidate, CrmRecordView, CrmStatus } from '../../lib/contract/api';
import type { ZohoNote, ZohoStandIn } from '../../server/dev/crm-stand-in/zoho';
import { api, customer } from '../support/stack';
import { connectByOAuth, connectLink, pausedThenWritten } from '../support/crm';
import { zohoAdapter } from '../../server/crm/zoho';
import { ZOHO_SCOPES } from '../../server/crm/zoho-operations';
import { ZOHO_OPERATIONS, zohoOperation, zohoShapeErrors } from '../support/zoho-spec';
import { useTestStack } from '../support/fixture';
import { until } from '../support/wait';

/** CRM write-back to Zoho CRM over its REST API, against the local Zoho stand-in. */
describe('CRM write-back: Zoho CRM', () => {
  const ctx = useTestStack({ orgs: { a: 2 } });
  let zoho: ZohoStandIn;
  const admin = () => ctx.a.agents[0]!.token;

  beforeAll(async () => {
    zoho = ctx.stack.zohoStandIn!;
    // Zoho needs the data centre the account is in: the admin's choice, not the callback's.
    expect((await api(ctx.stack, admin(), '/api/admin/crm/connect', 'POST', { vendor: 'zoho' })).status).toBe(400);
    expect((await api(ctx.stack, admin(), '/api/admin/crm/connect', 'POST', { vendor: 'zoho', region: 'xx' })).status).toBe(400);
    expect(await connectByOAuth(ctx.stack, admin(), 'zoho', `${zoho.url}/oauth/v2/auth`, { region: 'eu' })).toContain('Zoho CRM connected');
  });

  const status = async () => (await api<CrmStatus>(ctx.stack, admin(), '/api/admin/crm')).body.connection;
  /** A refused write waits an hour: after the admin's fix, move the clock by hand and wake the writers. */
  const retryNow = async () => {
    await ctx.stack.db.query('update crm_connections set paused_until = null where organisation_id = $1', [ctx.a.id]);
    await ctx.stack.db.query('update crm_outbox set next_attempt_at = now() where organisation_id = $1 and written_version is distinct from version', [
      ctx.a.id,
    ]);
    await ctx.stack.db.query(`select pg_notify('crm_outbox', '')`);
  };
  const reconnect = async () =>
    expect(await connectByOAuth(ctx.stack, admin(), 'zoho', `${zoho.url}/oauth/v2/auth`, { region: 'eu' })).toContain('Zoho CRM connected');
  const notesOf = (recordKey: string): ZohoNote[] => [...zoho.notes.values()].filter((n) => `${n.Parent_Id.module.api_name}/${n.Parent_Id.id}` === recordKey);
  const conversationOf = async (phone: string, body: string) => {
    const res = await ctx.stack.inbound({ from: phone, to: ctx.a.number, body });
    return (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
  };

  it('is connected in the chosen data centre, at the API domain the token answer gave (checked)', async () => {
    const status = (await api<CrmStatus>(ctx.stack, admin(), '/api/admin/crm')).body;
    expect(status.connection).toMatchObject({ vendor: 'zoho', vendorName: 'Zoho CRM', account: 'eu' });
    expect(status.vendors.find((v) => v.vendor === 'zoho')!.regions!.map((r) => r.id)).toContain('eu');
    const { zohoApiDomain } = await import('../../server/crm/zoho');
    const hosted = { ...ctx.stack.config.crm.apps.zoho, apiBaseUrl: null };
    expect(zohoApiDomain(hosted, 'eu', 'https://www.zohoapis.eu')).toBe('https://www.zohoapis.eu');
    // Another data centre's domain (or anyone's) is not called for an EU account.
    for (const bad of ['https://www.zohoapis.com', 'https://www.zohoapis.eu.evil.example', 'http://www.zohoapis.eu'])
      expect(() => zohoApiDomain(hosted, 'eu', bad), bad).toThrow();
  });

  it('logs the conversation as a note on the Contact (or Lead), whatever the number’s format, updated as messages arrive; a private note is a note of its own', async () => {
    const phone = customer();
    const contact = zoho.addRecord('Contacts', {
      First_Name: 'Zia',
      Last_Name: 'Zorn',
      Mobile: `+1 ${phone.slice(2, 5)}-${phone.slice(5, 8)}-${phone.slice(8)}`,
    });
    const conv = await conversationOf(phone, 'Hallo <b>Zoho</b>');
    await until(() => notesOf(contact).length === 1, { what: 'a note on the contact' });
    expect(notesOf(contact)[0]!.Note_Content).toContain('Hallo <b>Zoho</b>'); // plain text: Zoho shows it as text
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Noch was' });
    await until(() => notesOf(contact)[0]?.Note_Content.includes('Noch was') === true, { what: 'the note updated' });
    expect(notesOf(contact)).toHaveLength(1);
    await api(ctx.stack, admin(), `/api/conversations/${conv}/notes`, 'POST', { id: randomUUID(), body: 'Prefers German' });
    await until(() => notesOf(contact).length === 2, { what: 'the private note' });
    expect(notesOf(contact).find((n) => n.Note_Content.includes('Prefers German'))!.Note_Title).toBe('WhatsApp: private note');

    const lead = zoho.addRecord('Leads', { Last_Name: 'Lead', Company: 'Lead GmbH', Phone: customer() });
    await conversationOf(String(zoho.records.get(lead)!.Phone), 'A lead writes');
    await until(() => notesOf(lead).length === 1, { what: 'a note on the lead' });

    const view = await api<CrmRecordView>(ctx.stack, ctx.a.agents[1]!.token, `/api/conversations/${conv}/crm`);
    expect(view.body).toEqual({ vendorName: 'Zoho CRM', matched: true, recordUrl: `${zoho.url}/crm/tab/${contact}` });
    expect(await (await fetch(view.body.recordUrl!)).text()).toContain('Noch was');
  });

  it('asks at consent for exactly the scopes of the operations it calls, the search scope ZohoSearch.securesearch.READ among them', async () => {
    const consent = new URL(await connectLink(ctx.stack, admin(), 'zoho', { region: 'eu' }));
    const page = await fetch(consent, { redirect: 'manual' });
    const scopes = new URL(page.headers.get('location')!).searchParams.get('scope')!.split(',');
    expect(scopes.sort()).toEqual([...ZOHO_SCOPES].sort());
    expect(scopes).toEqual(
      expect.arrayContaining(['ZohoSearch.securesearch.READ', 'ZohoCRM.modules.contacts.READ', 'ZohoCRM.modules.leads.READ', 'ZohoCRM.modules.notes.ALL']),
    );
  });

  it('matches by phone only the customer’s own number, though Zoho’s search finds every number containing its digits', async () => {
    const phone = customer();
    const impostor = zoho.addRecord('Contacts', { Last_Name: 'Impostor', Phone: `+44 20 ${phone.slice(2)}` });
    const contact = zoho.addRecord('Contacts', { Last_Name: 'Genuine', Phone: phone });
    await conversationOf(phone, 'Which one of you?');
    await until(() => notesOf(contact).length === 1, { what: 'the note on the customer’s own record' });
    expect(notesOf(impostor)).toHaveLength(0);
  });

  it('a token without ZohoSearch.securesearch.READ: Zoho refuses the search, the admin is told what to grant, and after connecting again the note is written', async () => {
    const phone = customer();
    const contact = zoho.addRecord('Contacts', { Last_Name: 'Scoped', Phone: phone });
    zoho.grantScopes = ZOHO_SCOPES.filter((s) => s !== 'ZohoSearch.securesearch.READ');
    try {
      await reconnect();
      await conversationOf(phone, 'Can you find me?');
      await until(async () => /ZohoSearch\.securesearch\.READ/.test((await status())?.lastError ?? ''), { what: 'the missing scope shown to the admin' });
      expect((await status())!.lastError).toMatch(/lacks/);
      expect(zoho.requests.some((r) => r.path.includes('/search?') && r.status === 401)).toBe(true);
      expect(notesOf(contact)).toHaveLength(0);

      // Check connection says which, in Zoho's terms.
      const lacking = zohoAdapter({ apiDomain: zoho.url, accessToken: zoho.issueToken(zoho.grantScopes) });
      const steps = await lacking.checkAccess!();
      expect(steps.map((s) => s.state)).toEqual(['failed', 'failed']);
      expect(steps[0]!.fix).toMatch(/ZohoSearch\.securesearch\.READ[^]*connect Zoho CRM again/);
    } finally {
      zoho.grantScopes = null;
    }
    await reconnect();
    await retryNow();
    await until(() => notesOf(contact).length === 1, { what: 'the note once the scope was granted' });
    const steps = await zohoAdapter({ apiDomain: zoho.url, accessToken: zoho.issueToken(ZOHO_SCOPES) }).checkAccess!();
    expect(steps.map((s) => s.state)).toEqual(['ok', 'ok']);
  });

  it('a record deleted in Zoho: the customer is looked up again and the note lands on the record that has the number now, without a loop', async () => {
    const phone = customer();
    const gone = zoho.addRecord('Contacts', { Last_Name: 'Gone', Phone: phone });
    await conversationOf(phone, 'Before the delete');
    await until(() => notesOf(gone).length === 1, { what: 'the first note' });
    zoho.deleteRecord(gone);
    const replacement = zoho.addRecord('Contacts', { Last_Name: 'Found Again', Phone: phone });
    await conversationOf(phone, 'After the delete');
    await until(() => notesOf(replacement).some((n) => n.Note_Content.includes('After the delete')), { what: 'the note on the record found again' });
    const refused = () => zoho.requests.filter((r) => r.status === 400 || r.status === 404).length;
    const tried = refused();
    await new Promise((r) => setTimeout(r, 1500)); // several writer passes
    expect(refused()).toBe(tried);
  });

  it('Create contact twice before Zoho has indexed the first makes one contact (the first one kept, not searched for again)', async () => {
    const token = ctx.a.agents[1]!.token;
    const stranger = customer();
    const conv = await conversationOf(stranger, 'New here');
    zoho.searchDelayMs = 60_000;
    try {
      const first = await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${conv}/crm/contact`, 'POST');
      const second = await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${conv}/crm/contact`, 'POST');
      expect(second.body.recordUrl).toBe(first.body.recordUrl);
      expect([...zoho.records.values()].filter((r) => r.Mobile === stranger)).toHaveLength(1);
    } finally {
      zoho.searchDelayMs = 0;
    }
  });

  it('Check connection’s opt-in test writes a note on the record and deletes it again', async () => {
    const contact = zoho.addRecord('Contacts', { Last_Name: 'Tested' });
    const calls = zoho.requests.length;
    await zohoAdapter({ apiDomain: zoho.url, accessToken: zoho.issueToken(ZOHO_SCOPES) }).testWrite!(contact);
    expect(notesOf(contact)).toHaveLength(0);
    expect(zoho.requests.slice(calls).map((r) => `${r.method} ${r.path.split('/').slice(0, 4).join('/')} ${r.status}`)).toEqual([
      'POST /crm/v8/Notes 201',
      'DELETE /crm/v8/Notes 200',
    ]);
  });

  it('writes a note once when Zoho wrote it and the answer was lost', async () => {
    const phone = customer();
    const contact = zoho.addRecord('Contacts', { Last_Name: 'Lost', Phone: phone });
    zoho.dropAfterWrite = 1;
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Lost in transit' });
    await until(
      async () =>
        (
          await ctx.stack.db.query(
            `select 1 from crm_outbox o join conversations cv on cv.id = o.conversation_id join contacts ct on ct.id = cv.contact_id where ct.phone_e164 = $1 and o.written_version = o.version`,
            [phone],
          )
        ).rows.length === 1,
      {
        what: 'the write recorded',
      },
    );
    expect(zoho.dropAfterWrite).toBe(0);
    expect(notesOf(contact)).toHaveLength(1);
  });

  it('pauses when the account’s API credits are spent, then writes', async () => {
    const phone = customer();
    const contact = zoho.addRecord('Contacts', { Last_Name: 'Credits', Phone: phone });
    await pausedThenWritten(ctx.stack, {
      organisationId: ctx.a.id,
      adminToken: admin(),
      reason: /API credits/,
      limit: (on) => void (zoho.creditsLeft = on ? 0 : null),
      send: () => ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'No credits' }),
      written: () => notesOf(contact).length === 1,
    });
  });

  it('links a customer to a record found by name, creates a Contact, refreshes a refused token', async () => {
    const token = ctx.a.agents[1]!.token;
    const conv = await conversationOf(customer(), 'Please link');
    const kai = zoho.addRecord('Leads', { First_Name: 'Kai', Last_Name: 'Koenig', Email: 'kai@example.com' });
    const found = await api<CrmCandidate[]>(ctx.stack, token, `/api/conversations/${conv}/crm/search?q=koenig`);
    expect(found.body).toEqual([{ id: kai, name: 'Kai Koenig (lead)', email: 'kai@example.com', phone: null }]);
    expect((await api(ctx.stack, token, `/api/conversations/${conv}/crm`, 'PUT', { recordId: 'Leads/123' })).status).toBe(404);
    expect((await api(ctx.stack, token, `/api/conversations/${conv}/crm`, 'PUT', { recordId: '../Leads' })).status).toBe(400);
    zoho.expireAccessTokens();
    expect((await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${conv}/crm`, 'PUT', { recordId: kai })).body.matched).toBe(true);
    await until(() => notesOf(kai)[0]?.Note_Content.includes('Please link') === true, { what: 'the waiting note on the linked lead' });

    const stranger = customer();
    const other = await conversationOf(stranger, 'Make me a contact');
    const created = await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${other}/crm/contact`, 'POST');
    const key = created.body.recordUrl!.split('/crm/tab/')[1]!;
    expect(zoho.records.get(key)).toMatchObject({ Mobile: stranger });
    await until(() => notesOf(key).length === 1, { what: 'the conversation on the new contact' });
  });

  it('a revoked connection: the admin is told to connect Zoho CRM again, and nothing waiting is lost', async () => {
    const phone = customer();
    const contact = zoho.addRecord('Contacts', { Last_Name: 'Revoked', Phone: phone });
    zoho.revokeRefreshTokens();
    zoho.expireAccessTokens();
    await conversationOf(phone, 'Still there?');
    await until(async () => /connect Zoho CRM again/.test((await status())?.lastError ?? '') || /revoked/.test((await status())?.lastError ?? ''), {
      what: 'the admin told to connect again',
    });
    expect(notesOf(contact)).toHaveLength(0);
    await reconnect();
    await retryNow();
    await until(() => notesOf(contact)[0]?.Note_Content.includes('Still there?') === true, { what: 'the waiting note after connecting again' });
  });

  it('is held to Zoho’s descriptions: every request Switchboard sent and every answer the stand-in gave fits the operations transcribed from crm-oas v8', () => {
    const errors: string[] = [];
    const seen = new Set<string>();
    for (const x of zoho.exchanges) {
      const operation = zohoOperation(x.method, x.route, x.path);
      const shapes = ZOHO_OPERATIONS[operation];
      if (!shapes) {
        errors.push(`${operation}: a call with no description here`);
        continue;
      }
      seen.add(operation);
      if (x.status >= 300) continue;
      if (shapes.request && x.request !== undefined) errors.push(...zohoShapeErrors(shapes.request, x.request).map((e) => `${operation} request ${e}`));
      errors.push(...zohoShapeErrors(shapes.answer, x.answer).map((e) => `${operation} answer ${e}`));
    }
    expect([...new Set(errors)]).toEqual([]);
    expect([...seen].sort()).toEqual(Object.keys(ZOHO_OPERATIONS).sort());
    // Every call the suite made is an operation of server/crm/zoho-operations.ts (docs/crm.md's table).
    expect(zoho.unlisted).toEqual([]);
  });
});
