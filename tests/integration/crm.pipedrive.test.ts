import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CrmCandidate, CrmRecordView, CrmStatus } from '../../lib/contract/api';
import type { PipedriveNote, PipedriveStandIn } from '../../server/dev/crm-stand-in/pipedrive';
import { api, customer } from '../support/stack';
import { connectByOAuth, pausedThenWritten } from '../support/crm';
import { useTestStack } from '../support/fixture';
import { pipedriveAdapter } from '../../server/crm/pipedrive';
import { until } from '../support/wait';

/** CRM write-back to Pipedrive through its official client, against the local Pipedrive stand-in. */
describe('CRM write-back: Pipedrive', () => {
  // A slow create below plays a call longer than a stopped instance's heartbeat (12 s): past the default call limit (10 s).
  const ctx = useTestStack({ orgs: { a: 2, b: 1 }, env: { CRM_CALL_TIMEOUT_MS: '30000' } });
  let pd: PipedriveStandIn;
  const admin = () => ctx.a.agents[0]!.token;

  beforeAll(async () => {
    pd = ctx.stack.pipedriveStandIn!;
    expect(await connectByOAuth(ctx.stack, admin(), 'pipedrive', `${pd.url}/oauth/authorize`)).toContain('Pipedrive connected');
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
  const reconnect = async () => expect(await connectByOAuth(ctx.stack, admin(), 'pipedrive', `${pd.url}/oauth/authorize`)).toContain('Pipedrive connected');
  const notesOf = (personId: number): PipedriveNote[] => [...pd.notes.values()].filter((n) => n.person_id === personId);
  const conversationOf = async (phone: string, body: string) => {
    const res = await ctx.stack.inbound({ from: phone, to: ctx.a.number, body });
    return (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
  };
  const written = async (phone: string) =>
    (
      await ctx.stack.db.query<{ written: boolean }>(
        `select bool_and(o.written_version is not distinct from o.version) as written
           from crm_outbox o join conversations cv on cv.id = o.conversation_id join contacts ct on ct.id = cv.contact_id where ct.phone_e164 = $1`,
        [phone],
      )
    ).rows[0]?.written === true;

  it('is connected with the company’s API domain, its tokens sealed; the admin view says Pipedrive', async () => {
    const status = (await api<CrmStatus>(ctx.stack, admin(), '/api/admin/crm')).body;
    expect(status.connection).toMatchObject({ vendor: 'pipedrive', vendorName: 'Pipedrive', lastError: null });
    expect(status.vendors.map((v) => v.vendor)).toEqual(['hubspot', 'pipedrive', 'salesforce', 'zoho']);
    const { rows } = await ctx.stack.db.query<{ api_url: string; access_token: Buffer }>(
      'select api_url, access_token from crm_connections where organisation_id = $1',
      [ctx.a.id],
    );
    expect(rows[0]!.api_url).toBe(pd.url);
    expect([...pd.tokens].some((t) => rows[0]!.access_token.includes(Buffer.from(t)))).toBe(false);
  });

  it('logs the conversation as one note on the person, whatever format their number has, updated as messages arrive; a private note is a note of its own', async () => {
    const phone = customer(); // +1 646 555 xxxx
    const person = pd.addPerson({ name: 'Pia Persson', phones: [`(${phone.slice(2, 5)}) ${phone.slice(5, 8)}-${phone.slice(8)}`] });
    const conv = await conversationOf(phone, 'Hello <i>Pipedrive</i>');
    await until(() => notesOf(person).length === 1, { what: 'a note on the person' });
    expect(notesOf(person)[0]!.content).toContain('Hello &lt;i&gt;Pipedrive&lt;/i&gt;');
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'And again' });
    await until(() => notesOf(person)[0]?.content.includes('And again') === true, { what: 'the note updated' });
    expect(notesOf(person)).toHaveLength(1);
    const note = await api(ctx.stack, admin(), `/api/conversations/${conv}/notes`, 'POST', { id: randomUUID(), body: 'Wants a discount' });
    expect(note.status).toBe(201);
    await until(() => notesOf(person).length === 2, { what: 'the private note as a note of its own' });
    expect(notesOf(person).filter((n) => n.content.includes('Wants a discount'))).toHaveLength(1);
    expect(notesOf(person).find((n) => n.content.includes('And again'))!.content).not.toContain('Wants a discount');
    // "Open in Pipedrive" leads to the person in the company's own Pipedrive.
    const view = await api<CrmRecordView>(ctx.stack, ctx.a.agents[1]!.token, `/api/conversations/${conv}/crm`);
    expect(view.body).toEqual({ vendorName: 'Pipedrive', matched: true, recordUrl: `${pd.url}/person/${person}` });
    expect(await (await fetch(view.body.recordUrl!)).text()).toContain('And again');
  });

  it('writes a note once when Pipedrive wrote it and the answer was lost, and waits out burst 429s', async () => {
    const phone = customer();
    const person = pd.addPerson({ name: 'Lost Answer', phones: [phone] });
    pd.dropAfterWrite = 1;
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Did it arrive?' });
    await until(() => written(phone), { what: 'the write retried and recorded' });
    expect(pd.dropAfterWrite).toBe(0);
    expect([...pd.notes.values()].filter((n) => n.content.includes('Did it arrive?'))).toHaveLength(1);

    pd.rateLimitNext = 2;
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'After the burst' });
    await until(() => notesOf(person)[0]?.content.includes('After the burst') === true, { what: 'the write after the 429s' });
    expect(pd.rateLimitNext).toBe(0);
    expect(notesOf(person)).toHaveLength(1);
  });

  it('pauses while the company’s daily budget is spent, and writes once it is back', async () => {
    const phone = customer();
    const person = pd.addPerson({ name: 'Budget Person', phones: [phone] });
    await pausedThenWritten(ctx.stack, {
      organisationId: ctx.a.id,
      adminToken: admin(),
      reason: /daily API budget/,
      limit: (on) => void (pd.dailyTokensLeft = on ? 0 : null),
      send: () => ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Over budget' }),
      written: () => notesOf(person).length === 1,
    });
  });

  it('keeps under the company’s burst limit, shared by every writer: fifty customers at once, no 429, every note written', async () => {
    pd.burstLimit = { requests: 80, seconds: 2 }; // the smallest plan's, for OAuth apps
    try {
      const refused = () => pd.requests.filter((r) => r.status === 429).length;
      const before = refused();
      const people = Array.from({ length: 50 }, (_, i) => ({ phone: customer(), i }));
      const ids = people.map(({ phone, i }) => pd.addPerson({ name: `Burst ${i}`, phones: [phone] }));
      await Promise.all(people.map(({ phone, i }) => ctx.stack.inbound({ from: phone, to: ctx.a.number, body: `Burst message ${i}` })));
      for (const id of ids) await until(() => notesOf(id).length === 1, { what: `the note of person ${id}`, timeout: 30_000 });
      expect(refused() - before).toBe(0);
    } finally {
      pd.burstLimit = null;
    }
  });

  it('links a customer no person matched to the person an agent finds, or creates one; refreshes a refused token', async () => {
    const token = ctx.a.agents[1]!.token;
    const someone = customer();
    const conv = await conversationOf(someone, 'From a new phone');
    const ines = pd.addPerson({ name: 'Ines Ibarra', emails: ['ines@example.com'] });
    const found = await api<CrmCandidate[]>(ctx.stack, token, `/api/conversations/${conv}/crm/search?q=ines`);
    expect(found.body).toEqual([{ id: String(ines), name: 'Ines Ibarra', email: 'ines@example.com', phone: null }]);
    expect((await api(ctx.stack, token, `/api/conversations/${conv}/crm`, 'PUT', { recordId: '424242' })).status).toBe(404);
    pd.expireAccessTokens(); // the next call is refused: the writer refreshes once and goes on
    expect((await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${conv}/crm`, 'PUT', { recordId: String(ines) })).body.matched).toBe(true);
    await until(() => notesOf(ines)[0]?.content.includes('From a new phone') === true, { what: 'the waiting note on the linked person' });

    const stranger = customer();
    const other = await conversationOf(stranger, 'Hi there');
    const created = await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${other}/crm/contact`, 'POST');
    expect(created.body.matched).toBe(true);
    const id = Number(created.body.recordUrl!.split('/').pop());
    expect(pd.persons.get(id)!.phones.map((p) => p.value)).toEqual([stranger]);
    await until(() => notesOf(id).length === 1, { what: 'the conversation on the new person' });
  });

  it('a burst 429 told by Pipedrive’s x-ratelimit-* headers (no Retry-After) waits seconds, not until the next day', async () => {
    const phone = customer();
    const person = pd.addPerson({ name: 'Burst Headers', phones: [phone] });
    pd.rateLimitNext = 1;
    pd.retryAfterSeconds = 1;
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Two seconds later' });
    await until(() => pd.requests.some((r) => r.status === 429) && pd.rateLimitNext === 0, { what: 'the burst 429' });
    const paused = (await status())?.pausedUntil;
    if (paused) expect(new Date(paused).getTime() - Date.now()).toBeLessThan(10_000);
    await until(() => notesOf(person).length === 1, { what: 'the note a few seconds after the burst' });
  });

  it('a token without the contacts scope: Pipedrive refuses (403 Scope and URL mismatch), the admin is told which scope, and after connecting again the note is written', async () => {
    const phone = customer();
    const person = pd.addPerson({ name: 'Scoped Person', phones: [phone] });
    pd.scopes = ['base'];
    try {
      await reconnect();
      await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Scope me' });
      await until(async () => /contacts:full/.test((await status())?.lastError ?? ''), { what: 'the missing scope shown to the admin' });
      expect(pd.requests.some((r) => r.status === 403)).toBe(true);
      const steps = await pipedriveAdapter({ apiDomain: pd.url, accessToken: pd.issueToken(['base']).accessToken }).checkAccess!();
      expect(steps).toMatchObject([{ state: 'failed', fix: expect.stringMatching(/Marketplace Manager[^]*connect Pipedrive again/) }]);
    } finally {
      pd.scopes = ['base', 'contacts:full', 'search:read'];
    }
    await reconnect();
    await retryNow();
    await until(() => notesOf(person).length === 1, { what: 'the note once the scope was given' });
    expect((await pipedriveAdapter({ apiDomain: pd.url, accessToken: pd.issueToken().accessToken }).checkAccess!())[0]!.state).toBe('ok');
  });

  it('an uninstalled app: the admin is told to connect Pipedrive again, and nothing waiting is lost', async () => {
    const phone = customer();
    const person = pd.addPerson({ name: 'Uninstalled', phones: [phone] });
    pd.revokeApp();
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Anyone home?' });
    await until(async () => /uninstalled|connect Pipedrive again/.test((await status())?.lastError ?? ''), { what: 'the admin told to connect again' });
    expect(notesOf(person)).toHaveLength(0);
    await reconnect();
    await retryNow();
    await until(() => notesOf(person).length === 1, { what: 'the waiting note after connecting again' });
  });

  it('Create contact twice, or by two agents at once, before Pipedrive has indexed the first makes one person', async () => {
    const stranger = customer();
    const conv = await conversationOf(stranger, 'New to Pipedrive');
    const before = pd.persons.size;
    pd.searchDelayMs = 60_000;
    try {
      const create = (i: number) => api<CrmRecordView>(ctx.stack, ctx.a.agents[i]!.token, `/api/conversations/${conv}/crm/contact`, 'POST');
      const first = await create(0);
      const second = await create(1);
      expect(second.body.recordUrl).toBe(first.body.recordUrl);
      const racing = await conversationOf(customer(), 'Both of you at once');
      const both = await Promise.all(
        ctx.a.agents.map((agent) => api<CrmRecordView>(ctx.stack, agent.token, `/api/conversations/${racing}/crm/contact`, 'POST')),
      );
      expect(new Set(both.map((r) => r.body.recordUrl)).size).toBe(1);
      expect(pd.persons.size).toBe(before + 2);
    } finally {
      pd.searchDelayMs = 0;
    }
  });

  it('Create contact while Pipedrive takes longer than a stopped instance would: no colleague takes it over and makes a second person', async () => {
    const stranger = customer();
    const conv = await conversationOf(stranger, 'Pipedrive is slow today');
    const { id: contactId } = (await ctx.stack.db.query<{ id: string }>('select contact_id as id from conversations where id = $1', [conv])).rows[0]!;
    const before = pd.persons.size;
    const create = (i: number) => api<CrmRecordView>(ctx.stack, ctx.a.agents[i]!.token, `/api/conversations/${conv}/crm/contact`, 'POST');
    pd.searchDelayMs = 60_000;
    pd.createDelayMs = 12_000;
    try {
      const first = create(0);
      await until(async () => (await ctx.stack.db.query('select 1 from crm_creating where contact_id = $1', [contactId])).rowCount === 1, {
        what: 'the first create under way',
      });
      // As if the call had already run past the time after which a create counts as stopped.
      await ctx.stack.db.query(`update crm_creating set started_at = now() - interval '1 hour' where contact_id = $1`, [contactId]);
      await new Promise((r) => setTimeout(r, 10_500)); // the instance creating says it still is
      const second = await create(1);
      expect(second.status).toBe(200);
      expect((await first).body.recordUrl).toBe(second.body.recordUrl);
      expect(pd.persons.size).toBe(before + 1);
    } finally {
      pd.searchDelayMs = 0;
      pd.createDelayMs = 0;
    }
  });

  it('Create contact whose person Pipedrive made but Switchboard could not record: the next click makes no second person', async () => {
    const stranger = customer();
    const conv = await conversationOf(stranger, 'Made, then the database failed');
    const { id: contactId } = (await ctx.stack.db.query<{ id: string }>('select contact_id as id from conversations where id = $1', [conv])).rows[0]!;
    const before = pd.persons.size;
    pd.searchDelayMs = 60_000;
    // The database refuses the record of the choice once Pipedrive has made the person.
    await ctx.stack.db.query(
      `create function public.test_refuse_created() returns trigger language plpgsql as $$ begin raise exception 'database away'; end $$`,
    );
    await ctx.stack.db.query(
      `create trigger test_refuse_created before insert or update on public.crm_contacts for each row when (new.contact_id = '${contactId}' and new.source = 'created') execute function public.test_refuse_created()`,
    );
    try {
      const create = () => api<CrmRecordView>(ctx.stack, admin(), `/api/conversations/${conv}/crm/contact`, 'POST');
      expect((await create()).status).toBe(502);
      expect(pd.persons.size).toBe(before + 1);
      await ctx.stack.db.query('drop trigger test_refuse_created on public.crm_contacts');
      // Pipedrive's search does not find the person yet: a second click must not make another.
      const again = await create();
      expect(again.status).toBe(503);
      expect(pd.persons.size).toBe(before + 1);
      // Once the search index has it, the customer is linked to that person.
      pd.searchDelayMs = 0;
      for (const p of pd.persons.values()) p.searchableAt = 0;
      await ctx.stack.db.query(`update crm_creating set started_at = now() - interval '1 hour' where contact_id = $1`, [contactId]);
      const linked = await create();
      expect(linked.status).toBe(200);
      expect(linked.body.matched).toBe(true);
      expect(pd.persons.size).toBe(before + 1);
    } finally {
      pd.searchDelayMs = 0;
      await ctx.stack.db.query('drop trigger if exists test_refuse_created on public.crm_contacts');
      await ctx.stack.db.query('drop function if exists public.test_refuse_created()');
    }
  });

  it('a person deleted in Pipedrive: the customer is looked up again and the note lands on the person who has the number now, without a loop', async () => {
    const phone = customer();
    const gone = pd.addPerson({ name: 'Gone Person', phones: [phone] });
    await conversationOf(phone, 'Before the delete');
    await until(() => notesOf(gone).length === 1, { what: 'the first note' });
    pd.deletePerson(gone);
    const replacement = pd.addPerson({ name: 'Found Again', phones: [phone] });
    await conversationOf(phone, 'After the delete');
    await until(() => notesOf(replacement).some((n) => n.content.includes('After the delete')), { what: 'the note on the person found again' });
    const onGone = () => pd.requests.filter((r) => r.status === 404 || r.status === 400 || r.status === 410).length;
    const tried = onGone();
    await new Promise((r) => setTimeout(r, 1500)); // several writer passes
    expect(onGone()).toBe(tried);
  });

  it('Check connection’s opt-in test writes a note on the person and deletes it again', async () => {
    const person = pd.addPerson({ name: 'Test Write' });
    const calls = pd.requests.length;
    await pipedriveAdapter({ apiDomain: pd.url, accessToken: pd.issueToken().accessToken }).testWrite!(String(person));
    expect(notesOf(person)).toHaveLength(0);
    expect(pd.requests.slice(calls).map((r) => `${r.method} ${r.path.split('?')[0]!.replace(/\d+$/, '{id}')} ${r.status}`)).toEqual([
      'POST /api/v1/notes 200',
      'DELETE /api/v1/notes/{id} 200',
    ]);
  });

  it('refuses a token answer whose API domain is not the one configured, and disconnects', async () => {
    // Every call the suite made is an operation of server/crm/pipedrive-operations.ts (docs/crm.md's table).
    expect(pd.unlisted).toEqual([]);
    const { pipedriveApiDomain } = await import('../../server/crm/pipedrive');
    const app = ctx.stack.config.crm.apps.pipedrive;
    expect(pipedriveApiDomain(app, pd.url)).toBe(pd.url);
    expect(() => pipedriveApiDomain(app, 'https://evil.example')).toThrow(/does not call/);
    const hosted = { ...app, apiBaseUrl: null };
    expect(pipedriveApiDomain(hosted, 'https://acme.pipedrive.com')).toBe('https://acme.pipedrive.com');
    for (const bad of [
      'http://acme.pipedrive.com',
      'https://acme.pipedrive.com.evil.example',
      'https://acme.pipedrive.com:8443',
      'https://x.y.pipedrive.com',
      'https://acme.pipedrive.com/api?x=1',
    ])
      expect(() => pipedriveApiDomain(hosted, bad), bad).toThrow();

    expect((await api(ctx.stack, admin(), '/api/admin/crm', 'DELETE')).status).toBe(200);
    expect((await api<CrmStatus>(ctx.stack, admin(), '/api/admin/crm')).body.connection).toBeNull();
    const audit = await ctx.stack.db.query<{ action: string; detail: { vendor: string } }>(
      `select action, detail from audit_log where organisation_id = $1 and action like 'crm.%connected'`,
      [ctx.a.id],
    );
    expect(audit.rows.map((r) => [r.action, r.detail.vendor])).toEqual(
      expect.arrayContaining([
        ['crm.connected', 'Pipedrive'],
        ['crm.disconnected', 'Pipedrive'],
      ]),
    );
  });
});
