import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectCrm } from '../../server/crm/connections';
import { HUBSPOT_KEY_PROPERTY, hubspotAdapter } from '../../server/crm/hubspot';
import { HUBSPOT_OPERATIONS, HUBSPOT_SCOPES } from '../../server/crm/hubspot-operations';
import { createSealer } from '../../server/crm/seal';
import { CrmCallError } from '../../server/crm/types';
import { startHubSpotStandIn, type HubSpotObject, type HubSpotStandIn } from '../../server/dev/crm-stand-in/hubspot';
import type { CrmCandidate, CrmRecordView, CrmStatus } from '../../lib/contract/api';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { connectByOAuth, connectLink } from '../support/crm';
import { hubspotModule } from '../support/hubspot-spec';
import { oauthBrowser } from '../support/oauth-browser';
import { api, customer } from '../support/stack';
import { useTestStack } from '../support/fixture';
import { until } from '../support/wait';

/** CRM write-back through the official HubSpot client, against the local HubSpot stand-in. */
describe('CRM write-back: HubSpot', () => {
  const ctx = useTestStack({ orgs: { a: 2, b: 1, c: 2, d: 1 } });
  let hub: HubSpotStandIn;

  beforeAll(async () => {
    hub = ctx.stack.hubspotStandIn!;
    hub.tokens.add('hubspot-token-a');
    await connectCrm(ctx.stack.db, createSealer(ctx.stack.config.crm.tokenKey!), {
      organisationId: ctx.a.id,
      vendor: 'hubspot',
      accessToken: 'hubspot-token-a',
      account: String(hub.oauth.portalId),
    });
  });

  const recordsOf = (contactId: string): HubSpotObject[] => [...hub.communications.values()].filter((c) => hub.associations.get(c.id)?.has(contactId));
  const outboxOf = async (phone: string) =>
    (
      await ctx.stack.db.query<{ key: string; written: boolean; last_error: string | null; remote_id: string | null }>(
        `select o.key, o.written_version is not distinct from o.version as written, o.last_error, o.remote_id
           from crm_outbox o join conversations cv on cv.id = o.conversation_id join contacts ct on ct.id = cv.contact_id
          where ct.phone_e164 = $1`,
        [phone],
      )
    ).rows;

  it('logs the conversation on the contact HubSpot holds in another format, and updates that one record as messages arrive', async () => {
    const phone = customer();
    const contactId = hub.addContact({ firstname: 'Zoe', phone: parsePhoneNumberFromString(phone)!.formatNational() }); // "(646) 555-1234"
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Hello <b>there</b> & welcome' });
    await until(() => recordsOf(contactId).length > 0, { what: 'a communication on the contact' });
    const [record] = recordsOf(contactId);
    expect(record!.properties).toMatchObject({ hs_communication_channel_type: 'WHATS_APP', hs_communication_logged_from: 'CRM' });
    // Customer text is text on the CRM too: escaped, never markup.
    expect(record!.properties.hs_communication_body).toContain('Hello &lt;b&gt;there&lt;/b&gt; &amp; welcome');

    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'A second message' });
    await until(() => !!recordsOf(contactId)[0]?.properties.hs_communication_body?.includes('A second message'), { what: 'the record updated' });
    expect(recordsOf(contactId)).toHaveLength(1);
    const body = recordsOf(contactId)[0]!.properties.hs_communication_body!;
    expect(body.indexOf('Hello')).toBeLessThan(body.indexOf('A second message'));
    await until(async () => (await outboxOf(phone))[0]?.written === true, { what: 'the outbox to record the write' });
    const [row] = await outboxOf(phone);
    expect(row).toMatchObject({ written: true, last_error: null, remote_id: record!.id });
    expect(record!.properties[HUBSPOT_KEY_PROPERTY]).toBe(row!.key);
  });

  it('writes exactly once when the connection drops after HubSpot wrote, and waits out a 429 with Retry-After', async () => {
    const phone = customer();
    const contactId = hub.addContact({ firstname: 'Yan', mobilephone: `+1 ${phone.slice(2, 5)} ${phone.slice(5, 8)} ${phone.slice(8)}` });
    hub.dropAfterWrite = 1; // the first upsert is written, its answer never arrives
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Lost answer' });
    await until(async () => (await outboxOf(phone))[0]?.written === true, { what: 'the write retried and recorded' });
    expect(hub.dropAfterWrite).toBe(0);
    // Every record holding the message, associated or not (a second create would be an orphan).
    const holding = (text: string) => [...hub.communications.values()].filter((c) => c.properties.hs_communication_body?.includes(text));
    expect(holding('Lost answer')).toHaveLength(1);
    expect(recordsOf(contactId).map((c) => c.id)).toEqual(holding('Lost answer').map((c) => c.id));
    const upserts = () => hub.requests.filter((r) => r.path.endsWith('/batch/upsert'));
    const before = upserts().length;

    hub.rateLimitNext = 2;
    hub.retryAfterSeconds = 1;
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'After the limit' });
    await until(() => !!recordsOf(contactId)[0]?.properties.hs_communication_body?.includes('After the limit'), { what: 'the write after the 429s' });
    expect(hub.rateLimitNext).toBe(0);
    expect(hub.requests.filter((r) => r.status === 429)).toHaveLength(2);
    expect(upserts().length).toBeGreaterThan(before);
    expect(holding('Lost answer')).toHaveLength(1);
    expect(recordsOf(contactId)).toHaveLength(1);
  });

  it('loses nothing while HubSpot is down: the records wait, retried with backoff, and are written once it is back', async () => {
    const phones = [customer(), customer(), customer()];
    const contacts = phones.map((phone, i) => hub.addContact({ firstname: `Outage${i}`, phone }));
    hub.down = true;
    try {
      for (const phone of phones) await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'During the outage' });
      for (const phone of phones)
        await until(async () => /HubSpot: The service is temporarily unavailable/.test((await outboxOf(phone))[0]?.last_error ?? ''), {
          what: 'each write to have failed',
        });
      for (const c of contacts) expect(recordsOf(c)).toHaveLength(0);
      expect((await api<CrmStatus>(ctx.stack, ctx.a.agents[0]!.token, '/api/admin/crm')).body.connection!.lastError).toMatch(/temporarily unavailable/);
    } finally {
      hub.down = false;
    }
    for (const c of contacts) await until(() => recordsOf(c).length === 1, { what: 'each record after the outage' });
    for (const phone of phones) await until(async () => (await outboxOf(phone))[0]?.written === true, { what: 'each row written' });
    for (const c of contacts) expect(recordsOf(c)).toHaveLength(1);
  });

  it('writes a record whose writer died mid-write (its claim left behind) once the claim lapses, once', async () => {
    const phone = customer();
    const contactId = hub.addContact({ firstname: 'Tove', phone });
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Before the crash' });
    await until(async () => (await outboxOf(phone))[0]?.written === true, { what: 'the first write' });
    const [row] = await outboxOf(phone);
    const { rows } = await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from crm_outbox where key = $1', [row!.key]);
    // Another instance stored a message and claimed its record, then died before writing it: its
    // claim stays for a few seconds, and once it lapses a live writer must write the record.
    const db = await ctx.stack.db.connect();
    try {
      await db.query('begin');
      await db.query(
        `insert into messages (organisation_id, conversation_id, direction, body, status, twilio_sid) values ($1, $2, 'inbound', 'During the crash', 'received', $3)`,
        [ctx.a.id, rows[0]!.conversation_id, `SM${'c'.repeat(32)}`],
      );
      await db.query(`update crm_outbox set claimed_until = now() + interval '3 seconds', attempts = attempts + 1 where key = $1`, [row!.key]);
      await db.query('commit');
    } finally {
      db.release();
    }
    await until(() => !!recordsOf(contactId)[0]?.properties.hs_communication_body?.includes('During the crash'), { what: 'the write after the lapsed claim' });
    await until(async () => (await outboxOf(phone))[0]?.written === true, { what: 'the outbox to record it' });
    expect(recordsOf(contactId)).toHaveLength(1);
    const attempts = await ctx.stack.db.query<{ last_error: string | null; written: boolean }>(
      'select last_error, written_version = version as written from crm_outbox where key = $1',
      [row!.key],
    );
    expect(attempts.rows[0]).toEqual({ last_error: null, written: true });
  });

  it('keeps under HubSpot’s search limit (5 per second): twenty new customers at once, no 429, every record written', async () => {
    const refused = () => hub.requests.filter((r) => r.status === 429).length;
    const before = refused();
    const people = Array.from({ length: 20 }, (_, i) => ({ phone: customer(), i }));
    const ids = people.map(({ phone, i }) => hub.addContact({ firstname: 'Search', lastname: `Burst ${i}`, phone }));
    await Promise.all(people.map(({ phone, i }) => ctx.stack.inbound({ from: phone, to: ctx.a.number, body: `Search burst ${i}` })));
    for (const id of ids) await until(() => recordsOf(id).length === 1, { what: `the record of contact ${id}`, timeout: 30_000 });
    expect(refused() - before).toBe(0);
  });

  it('writes nothing for a customer no HubSpot contact has, and says why; nor for an organisation without a CRM', async () => {
    const unknown = customer();
    const count = hub.communications.size;
    await ctx.stack.inbound({ from: unknown, to: ctx.a.number, body: 'Who am I?' });
    await until(async () => (await outboxOf(unknown))[0]?.last_error != null, { what: 'the unmatched write to give its reason' });
    expect((await outboxOf(unknown))[0]!.last_error).toMatch(/No CRM record has this customer/);
    // A customer not in the CRM is counted, not the connection's error.
    const status = (await api<CrmStatus>(ctx.stack, ctx.a.agents[0]!.token, '/api/admin/crm')).body.connection!;
    expect(status.lastError).toBeNull();
    expect(status.unmatched).toBeGreaterThanOrEqual(1);
    await ctx.stack.inbound({ from: customer(), to: ctx.b.number, body: 'No CRM here' });
    const { rows } = await ctx.stack.db.query('select 1 from crm_outbox where organisation_id = $1', [ctx.b.id]);
    expect(rows).toHaveLength(0);
    expect(hub.communications.size).toBe(count);
  });

  it('tells an agent where the customer’s HubSpot record is, or that none has the number; only for its own organisation', async () => {
    const known = customer();
    const contactId = hub.addContact({ firstname: 'Vera', phone: known });
    const unknown = customer();
    const token = ctx.a.agents[0]!.token;
    const matched = await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${await conversationOf(known, ctx.a)}/crm`);
    expect(matched).toEqual({
      status: 200,
      body: { vendorName: 'HubSpot', matched: true, recordUrl: `${hub.url}/contacts/${hub.oauth.portalId}/record/0-1/${contactId}` },
    });
    const page = await fetch(matched.body.recordUrl!);
    expect(await page.text()).toContain('Vera');
    expect(await api(ctx.stack, token, `/api/conversations/${await conversationOf(unknown, ctx.a)}/crm`)).toEqual({
      status: 200,
      body: { vendorName: 'HubSpot', matched: false, recordUrl: null },
    });
    const elsewhere = await conversationOf(customer(), ctx.b);
    expect((await api(ctx.stack, token, `/api/conversations/${elsewhere}/crm`)).status).toBe(404);
    expect((await api(ctx.stack, ctx.b.agents[0]!.token, `/api/conversations/${elsewhere}/crm`)).status).toBe(204);
  });

  it('logs each message as its own record when the organisation chooses it', async () => {
    const admin = ctx.a.agents[0]!.token;
    expect((await api(ctx.stack, admin, '/api/admin/crm', 'PATCH', { logMode: 'sometimes' })).status).toBe(400);
    expect((await api(ctx.stack, admin, '/api/admin/crm', 'PATCH', { logMode: 'message' })).status).toBe(200);
    expect((await api<CrmStatus>(ctx.stack, admin, '/api/admin/crm')).body.connection?.logMode).toBe('message');
    const phone = customer();
    const contactId = hub.addContact({ firstname: 'Ugo', phone });
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'First on its own' });
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Second on its own' });
    await until(() => recordsOf(contactId).length === 2, { what: 'two records' });
    const bodies = recordsOf(contactId).map((c) => c.properties.hs_communication_body ?? '');
    expect(bodies.filter((b) => b.includes('First on its own') && !b.includes('Second'))).toHaveLength(1);
    expect(bodies.filter((b) => b.includes('Second on its own') && !b.includes('First'))).toHaveLength(1);
    expect((await api(ctx.stack, admin, '/api/admin/crm', 'PATCH', { logMode: 'window' })).status).toBe(200);
  });

  const conversationOf = async (phone: string, org: { number: string }, body = 'Hello') => {
    const res = await ctx.stack.inbound({ from: phone, to: org.number, body });
    return (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
  };

  it('makes a private note a HubSpot note on the contact, and a customer’s file a link that opens from HubSpot', async () => {
    const phone = customer();
    const contactId = hub.addContact({ firstname: 'Nia', phone });
    const messageSid = newSid('MM');
    const image = ctx.stack.twilioStandIn!.mediaUrl('image', messageSid);
    const conv = await conversationOf(phone, ctx.a, 'Before the photo');
    await ctx.stack.inbound({ messageSid, from: phone, to: ctx.a.number, body: 'Here is the receipt', media: [{ url: image, contentType: 'image/png' }] });
    const note = await api(ctx.stack, ctx.a.agents[0]!.token, `/api/conversations/${conv}/notes`, 'POST', {
      id: randomUUID(),
      body: 'Refund <approved> by finance',
    });
    expect(note.status).toBe(201);
    const notesOf = () => [...hub.notes.values()].filter((n) => hub.associations.get(n.id)?.has(contactId));
    await until(() => notesOf().length === 1 && recordsOf(contactId)[0]?.properties.hs_communication_body?.includes('receipt') === true, {
      what: 'the note and the communication',
    });
    expect(notesOf()[0]!.properties.hs_note_body).toContain('Refund &lt;approved&gt; by finance');
    expect(notesOf()[0]!.properties[HUBSPOT_KEY_PROPERTY]).toMatch(/^note\//);
    // The note is the CRM's note, not a line of the conversation's record.
    const body = recordsOf(contactId)[0]!.properties.hs_communication_body!;
    expect(body).not.toContain('Refund');
    const href = /<a href="([^"]+)">/.exec(body)?.[1]?.replaceAll('&amp;', '&');
    expect(href?.startsWith(`${ctx.stack.config.publicUrl}/media/messages/`)).toBe(true);
    // Not eternal: it works for CRM_MEDIA_LINK_DAYS (30 by default), then an agent makes a new one.
    const expires = Number(new URL(href!).searchParams.get('expires'));
    expect(expires).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(expires).toBeLessThan(Date.now() + 31 * 86_400_000);
    const file = await fetch(href!.replace(ctx.stack.config.publicUrl, ctx.stack.serverUrl));
    expect(file.status).toBe(200);
    expect([...new Uint8Array(await file.arrayBuffer()).slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    // The link opens that file only: another index, or a changed signature, is refused.
    expect((await fetch(href!.replace(ctx.stack.config.publicUrl, ctx.stack.serverUrl).replace('/0?', '/1?'))).status).toBe(403);
    expect((await fetch(href!.replace(ctx.stack.config.publicUrl, ctx.stack.serverUrl).replace(/signature=.{4}/, 'signature=AAAA'))).status).toBe(403);
  });

  it('links a customer no contact matched to the record an agent picks, or creates a contact; their waiting records are written there', async () => {
    const token = ctx.a.agents[1]!.token; // an agent, not an admin
    const someone = customer();
    const conv = await conversationOf(someone, ctx.a, 'I wrote from my other phone');
    expect((await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${conv}/crm`)).body.matched).toBe(false);
    await until(async () => (await outboxOf(someone))[0]?.last_error != null, { what: 'the record to wait for a contact' });
    const wanda = hub.addContact({ firstname: 'Wanda', lastname: 'Okafor', email: 'wanda@example.com', phone: '+44 20 7946 0000' });
    hub.addContact({ firstname: 'Walter', email: 'walter@example.com' });

    expect((await api(ctx.stack, token, `/api/conversations/${conv}/crm/search?q=w`)).status).toBe(400);
    const found = await api<CrmCandidate[]>(ctx.stack, token, `/api/conversations/${conv}/crm/search?q=${encodeURIComponent('wanda oka')}`);
    expect(found).toEqual({ status: 200, body: [{ id: wanda, name: 'Wanda Okafor', email: 'wanda@example.com', phone: '+44 20 7946 0000' }] });
    // A record HubSpot does not have is refused; so is another organisation's conversation.
    expect((await api(ctx.stack, token, `/api/conversations/${conv}/crm`, 'PUT', { recordId: '999999' })).status).toBe(404);
    expect((await api(ctx.stack, ctx.b.agents[0]!.token, `/api/conversations/${conv}/crm`, 'PUT', { recordId: wanda })).status).toBe(404);
    const linked = await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${conv}/crm`, 'PUT', { recordId: wanda });
    expect(linked).toEqual({
      status: 200,
      body: { vendorName: 'HubSpot', matched: true, recordUrl: `${hub.url}/contacts/${hub.oauth.portalId}/record/0-1/${wanda}` },
    });
    // The message that waited is written at once (not after the hour an unmatched customer waits).
    await until(() => recordsOf(wanda)[0]?.properties.hs_communication_body?.includes('I wrote from my other phone') === true, {
      what: 'the waiting record on the linked contact',
    });
    // The link holds: the next messages go there too, though the contact's number is not the customer's.
    await ctx.stack.inbound({ from: someone, to: ctx.a.number, body: 'Still me' });
    await until(() => recordsOf(wanda)[0]?.properties.hs_communication_body?.includes('Still me') === true, { what: 'the next message on the linked contact' });
    expect(recordsOf(wanda)).toHaveLength(1);

    const stranger = customer();
    const other = await conversationOf(stranger, ctx.a, 'New here');
    const contacts = hub.contacts.size;
    const created = await api<CrmRecordView>(ctx.stack, token, `/api/conversations/${other}/crm/contact`, 'POST');
    expect(created.status).toBe(200);
    expect(created.body.matched).toBe(true);
    expect(hub.contacts.size).toBe(contacts + 1);
    const newId = created.body.recordUrl!.split('/').pop()!;
    expect(hub.contacts.get(newId)!.properties.phone).toBe(stranger);
    await until(() => recordsOf(newId)[0]?.properties.hs_communication_body?.includes('New here') === true, { what: 'the conversation on the new contact' });
    // Creating again finds the contact just made instead of making a second one.
    expect((await api(ctx.stack, token, `/api/conversations/${other}/crm/contact`, 'POST')).status).toBe(200);
    expect(hub.contacts.size).toBe(contacts + 1);
    const audit = await ctx.stack.db.query<{ action: string }>(`select action from audit_log where organisation_id = $1 and action like 'crm.%'`, [ctx.a.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['crm.record_linked', 'crm.contact_created']));
  });

  it('keeps the record an agent linked while the writer’s phone search was still out', async () => {
    const phone = customer();
    const nadia = hub.addContact({ firstname: 'Nadia', email: 'nadia@example.com' }); // no phone: the search will not find her
    hub.searchDelayMs = 1500;
    try {
      const conv = await conversationOf(phone, ctx.a, 'Slow search');
      // The writer has claimed the record and its phone search is out (for 1.5 s); the agent links
      // meanwhile (checking a record by id is not a search).
      await until(
        async () => (await ctx.stack.db.query(`select 1 from crm_outbox where conversation_id = $1 and claimed_until > now()`, [conv])).rows.length === 1,
        {
          what: 'the writer to claim the record',
        },
      );
      // Agents' calls have their own share of the account's budget: the writes of the tests before
      // cannot have spent it.
      const linked = await api<CrmRecordView>(ctx.stack, ctx.a.agents[1]!.token, `/api/conversations/${conv}/crm`, 'PUT', { recordId: nadia });
      expect(linked.body.matched).toBe(true);
      await until(() => recordsOf(nadia)[0]?.properties.hs_communication_body?.includes('Slow search') === true, { what: 'the record on the linked contact' });
      expect((await api<CrmRecordView>(ctx.stack, ctx.a.agents[1]!.token, `/api/conversations/${conv}/crm`)).body.matched).toBe(true);
    } finally {
      hub.searchDelayMs = 0;
    }
  });

  it('pauses every write when HubSpot’s daily limit is spent, says so, and writes everything once the day’s budget is back', async () => {
    const phones = [customer(), customer(), customer()];
    const contacts = phones.map((phone, i) => hub.addContact({ firstname: `Daily${i}`, phone }));
    hub.dailyCallsLeft = 0;
    try {
      for (const phone of phones) await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Over the budget' });
      const admin = ctx.a.agents[0]!.token;
      await until(async () => (await api<CrmStatus>(ctx.stack, admin, '/api/admin/crm')).body.connection?.pausedUntil != null, {
        what: 'the connection to pause',
      });
      const status = (await api<CrmStatus>(ctx.stack, admin, '/api/admin/crm')).body.connection!;
      expect(status.pausedReason).toMatch(/daily API limit/);
      expect(new Date(status.pausedUntil!).getTime()).toBeGreaterThan(Date.now());
      expect(status.pending).toBeGreaterThanOrEqual(3);
      // While paused, no instance calls HubSpot: the 429s stop at the first.
      // The calls already under way when the limit was hit come back first (their rows are released).
      await until(
        async () => (await ctx.stack.db.query(`select 1 from crm_outbox where organisation_id = $1 and claimed_until > now()`, [ctx.a.id])).rows.length === 0,
        {
          what: 'the writes under way to come back',
        },
      );
      const refused = hub.requests.filter((r) => r.status === 429).length;
      await new Promise((r) => setTimeout(r, 2500)); // more than two writer passes
      expect(hub.requests.filter((r) => r.status === 429).length).toBe(refused);
      for (const c of contacts) expect(recordsOf(c)).toHaveLength(0);
      // Agents' lookups wait too: the thread header and the record search say why, without calling HubSpot.
      const calls = hub.requests.length;
      const newcomer = await conversationOf(customer(), ctx.a, 'While paused');
      const lookup = await api<{ error: string; message: string }>(ctx.stack, ctx.a.agents[1]!.token, `/api/conversations/${newcomer}/crm`);
      expect(lookup.status).toBe(503);
      expect(lookup.body).toMatchObject({ error: 'crm_busy', message: expect.stringMatching(/daily API limit.*try again in \d+ s/) });
      expect((await api(ctx.stack, ctx.a.agents[1]!.token, `/api/conversations/${newcomer}/crm/search?q=anyone`)).status).toBe(503);
      expect(hub.requests.length).toBe(calls);

      // Midnight in the account's time zone: the budget is back and the pause ends.
      hub.dailyCallsLeft = null;
      await ctx.stack.db.query('update crm_connections set paused_until = now() where organisation_id = $1', [ctx.a.id]);
      await ctx.stack.db.query(`update crm_outbox set next_attempt_at = now() where organisation_id = $1 and written_version is distinct from version`, [
        ctx.a.id,
      ]);
      await ctx.stack.db.query(`select pg_notify('crm_outbox', '')`); // the clock moved by hand: tell the writers
      for (const c of contacts) await until(() => recordsOf(c).length === 1, { what: 'each record after the pause' });
      await until(async () => (await api<CrmStatus>(ctx.stack, admin, '/api/admin/crm')).body.connection?.pausedUntil === null, { what: 'the pause to clear' });
      for (const c of contacts) expect(recordsOf(c)).toHaveLength(1);
    } finally {
      hub.dailyCallsLeft = null;
    }
  });

  it('two server instances share the outbox: every record written once, each version by one writer', async () => {
    const { createCrmWriter } = await import('../../server/crm/write-back');
    const { createLogger } = await import('../../server/logger');
    const second = createCrmWriter({
      db: ctx.stack.db,
      sealer: createSealer(ctx.stack.config.crm.tokenKey!),
      apps: ctx.stack.config.crm.apps,
      log: createLogger('silent'),
      mediaLink: () => 'https://unused.example/',
      pollMs: 50,
    });
    second.start();
    try {
      const phones = Array.from({ length: 12 }, () => customer());
      const contacts = phones.map((phone, i) => hub.addContact({ firstname: `Twin${i}`, phone }));
      const upsertsBefore = hub.requests.filter((r) => r.path.endsWith('/batch/upsert')).length;
      await Promise.all(phones.map((phone, i) => ctx.stack.inbound({ from: phone, to: ctx.a.number, body: `Shared ${i}` })));
      for (const [i, c] of contacts.entries())
        await until(() => recordsOf(c)[0]?.properties.hs_communication_body?.includes(`Shared ${i}`) === true, { what: `record ${i}` });
      for (const phone of phones) await until(async () => (await outboxOf(phone))[0]?.written === true, { what: 'each outbox row written' });
      for (const c of contacts) expect(recordsOf(c)).toHaveLength(1);
      // Each of the twelve records was upserted once: no row was taken by both writers.
      expect(hub.requests.filter((r) => r.path.endsWith('/batch/upsert')).length - upsertsBefore).toBe(12);
    } finally {
      await second.stop();
    }
  });

  /** The organisation's records still owed are tried now (a refusal waits an hour; Check connection will make them due once it passes). */
  const dueNow = async (organisationId: string) => {
    await ctx.stack.db.query(`update crm_outbox set next_attempt_at = now() where organisation_id = $1 and written_version is distinct from version`, [
      organisationId,
    ]);
    await ctx.stack.db.query(`select pg_notify('crm_outbox', '')`);
  };

  it('asks HubSpot for exactly the scopes its operations need; a portal that withholds one is told to reconnect, and nothing is lost', async () => {
    const admin = ctx.d.agents[0]!.token;
    // The consent page is asked for the scopes of hubspot-operations.ts (one of each group), no more.
    const { stoppedAt } = await oauthBrowser().open(await connectLink(ctx.stack, admin, 'hubspot'), { stopBefore: (u) => u.pathname === '/oauth/authorize' });
    const asked = new URL(stoppedAt!).searchParams.get('scope')!.split(' ').sort();
    expect(asked).toEqual([...HUBSPOT_SCOPES].sort());
    for (const op of HUBSPOT_OPERATIONS)
      for (const group of op.scopes)
        expect(
          group.some((s) => asked.includes(s) || s === 'oauth'),
          `${op.id}: ${group.join(' or ')}`,
        ).toBe(true);

    // This portal grants no crm.schemas.contacts.write: the token lacks it.
    hub.oauth.withheldScopes = ['crm.schemas.contacts.write'];
    const infoCalls = () => hub.requests.filter((r) => r.path.startsWith('/oauth/v1/access-tokens/')).length;
    const infoBefore = infoCalls();
    try {
      expect(await connectByOAuth(ctx.stack, admin, 'hubspot', `${hub.url}/oauth/authorize`)).toContain('HubSpot connected');
    } finally {
      hub.oauth.withheldScopes = [];
    }
    // The portal id came with the token answer (hub_id): connecting does not call the deprecated
    // access-token info endpoint; Check connection, which runs right after, reads the granted scopes there once.
    await until(async () => (await api<CrmStatus>(ctx.stack, admin, '/api/admin/crm')).body.connection?.lastCheck != null, {
      what: 'the check after connecting',
    });
    expect(infoCalls()).toBe(infoBefore + 1);
    expect((await api<CrmStatus>(ctx.stack, admin, '/api/admin/crm')).body.connection?.lastCheck?.steps.find((s) => s.id === 'scopes')).toMatchObject({
      state: 'failed',
      detail: expect.stringContaining('crm.schemas.contacts.write'),
    });
    expect((await api<CrmStatus>(ctx.stack, admin, '/api/admin/crm')).body.connection?.account).toBe(String(hub.oauth.portalId));

    const phone = customer();
    const contactId = hub.addContact({ firstname: 'Scope', phone });
    await ctx.stack.inbound({ from: phone, to: ctx.d.number, body: 'Before the scope' });
    await until(async () => (await outboxOf(phone))[0]?.last_error != null, { what: 'the write to fail' });
    // HubSpot refused creating the key property as it does: 403 MISSING_SCOPES naming the scopes it needs.
    const refused = hub.exchanges.filter((x) => x.status === 403 && x.route === '/crm/v3/properties/:objectType');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.answer).toMatchObject({
      status: 'error',
      category: 'MISSING_SCOPES',
      errors: [
        {
          message: 'One or more of the following scopes are required.',
          context: { requiredGranularScopes: expect.arrayContaining(['crm.schemas.contacts.write']) },
        },
      ],
      links: { scopes: 'https://developers.hubspot.com/scopes' },
    });
    // The admin reads what to do, in HubSpot's terms; the record waits.
    expect((await outboxOf(phone))[0]).toMatchObject({ written: false, last_error: expect.stringMatching(/crm\.schemas\.contacts\.write.*reconnect HubSpot/) });
    expect((await api<CrmStatus>(ctx.stack, admin, '/api/admin/crm')).body.connection!.lastError).toMatch(/reconnect HubSpot/);
    expect(recordsOf(contactId)).toHaveLength(0);

    // Reconnected, this time with every scope granted: the record that waited is written.
    expect(await connectByOAuth(ctx.stack, admin, 'hubspot', `${hub.url}/oauth/authorize`)).toContain('HubSpot connected');
    await dueNow(ctx.d.id);
    await until(() => recordsOf(contactId)[0]?.properties.hs_communication_body?.includes('Before the scope') === true, {
      what: 'the record after reconnecting',
    });
    await until(async () => (await outboxOf(phone))[0]?.written === true, { what: 'the row written' });
  });

  it('a 207 with an item HubSpot refused says why and waits; an item HubSpot could not take yet is retried and written', async () => {
    const phone = customer();
    const contactId = hub.addContact({ firstname: 'Partial', phone });
    hub.upsertItemErrors = [{ status: 400, category: 'VALIDATION_ERROR', message: 'Property values were not valid: hs_communication_body is too long' }];
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Refused item' });
    await until(async () => (await outboxOf(phone))[0]?.last_error != null, { what: 'the refusal' });
    expect((await outboxOf(phone))[0]).toMatchObject({
      written: false,
      last_error: expect.stringMatching(/refused the record: Property values were not valid/),
    });
    // Refused, not retried in a loop: it waits (an hour) with the reason.
    const { rows } = await ctx.stack.db.query<{ later: boolean }>(
      `select next_attempt_at > now() + interval '30 minutes' as later from crm_outbox where key = $1`,
      [(await outboxOf(phone))[0]!.key],
    );
    expect(rows[0]!.later).toBe(true);

    hub.upsertItemErrors = [{ status: 429, category: 'RATE_LIMITS', message: 'You have reached your secondly limit.' }];
    await dueNow(ctx.a.id);
    await until(() => recordsOf(contactId)[0]?.properties.hs_communication_body?.includes('Refused item') === true, { what: 'the item retried and written' });
    expect(hub.upsertItemErrors).toHaveLength(0);
    expect(recordsOf(contactId)).toHaveLength(1);
  });

  it('makes no duplicate contact while HubSpot’s search has not indexed a new one: a second Create contact, and two at once', async () => {
    hub.searchIndexDelayMs = 60_000; // seconds at HubSpot; longer than this test
    try {
      const contactsBefore = hub.contacts.size;
      const again = await conversationOf(customer(), ctx.a, 'Create me twice');
      expect((await api(ctx.stack, ctx.a.agents[0]!.token, `/api/conversations/${again}/crm/contact`, 'POST')).status).toBe(200);
      expect((await api(ctx.stack, ctx.a.agents[1]!.token, `/api/conversations/${again}/crm/contact`, 'POST')).status).toBe(200);
      expect(hub.contacts.size).toBe(contactsBefore + 1);

      const racing = await conversationOf(customer(), ctx.a, 'Create me at once');
      const both = await Promise.all(
        ctx.a.agents.map((agent) => api<CrmRecordView>(ctx.stack, agent.token, `/api/conversations/${racing}/crm/contact`, 'POST')),
      );
      expect(both.map((r) => r.status)).toEqual([200, 200]);
      expect(hub.contacts.size).toBe(contactsBefore + 2);
      expect(new Set(both.map((r) => r.body.recordUrl)).size).toBe(1);
    } finally {
      hub.searchIndexDelayMs = 1500;
    }
  });

  it('says so when the contact was deleted in HubSpot (404 on associate), looks the customer up again and writes to the contact that has the number now, without a loop', async () => {
    const phone = customer();
    const contactId = hub.addContact({ firstname: 'Gone', phone });
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'Before the delete' });
    await until(async () => (await outboxOf(phone))[0]?.written === true, { what: 'the first write' });
    hub.contacts.delete(contactId);
    await ctx.stack.inbound({ from: phone, to: ctx.a.number, body: 'After the delete' });
    await until(async () => (await outboxOf(phone))[0]?.last_error != null, { what: 'the failed write' });
    expect((await outboxOf(phone))[0]!.last_error).toMatch(new RegExp(`no contact ${contactId} any more.*looked up again`));
    const associations = () => hub.requests.filter((r) => r.path.includes(`/associations/default/contacts/${contactId}`)).length;
    const tried = associations();
    // The match is forgotten: the customer's number now belongs to another contact, which gets the record.
    const replacement = hub.addContact({ firstname: 'Gone', lastname: 'Again', phone });
    await until(() => recordsOf(replacement).some((r) => r.properties.hs_communication_body?.includes('After the delete') === true), {
      what: 'the record on the contact found again',
    });
    expect(associations()).toBe(tried);
    // The CRM has the record a moment before the writer records that it was written.
    await until(async () => (await outboxOf(phone))[0]?.written === true, { what: 'the write recorded' });
    expect((await outboxOf(phone))[0]).toMatchObject({ written: true, last_error: null });
  });

  describe('Check connection’s HubSpot steps, against a portal of its own', () => {
    let portal: HubSpotStandIn;
    beforeAll(async () => {
      portal = await startHubSpotStandIn();
      return () => portal.close();
    });

    it('creates the key properties in property groups the portal has, on communications, notes and contacts', async () => {
      portal.propertyGroups = { contacts: ['contactinformation'], communications: ['sales_activity'], notes: ['note_fields', 'other'] };
      await hubspotAdapter({ basePath: portal.url, accessToken: portal.issueToken().accessToken }).prepare();
      expect(portal.uniqueProperties.get('communications')).toContain(HUBSPOT_KEY_PROPERTY);
      expect(portal.uniqueProperties.get('notes')).toContain(HUBSPOT_KEY_PROPERTY);
      expect(portal.requests.filter((r) => r.status >= 400 && r.status !== 409)).toEqual([]);
    });

    it('checkAccess names the missing scope and what to do in HubSpot; with every scope it passes', async () => {
      const lacking = portal.issueToken(['oauth', 'crm.objects.contacts.read', 'crm.objects.contacts.write']).accessToken;
      const [step] = await hubspotAdapter({ basePath: portal.url, accessToken: lacking }).checkAccess!();
      expect(step).toMatchObject({
        id: 'scopes',
        state: 'failed',
        detail: expect.stringContaining('crm.schemas.contacts.write is missing'),
        fix: expect.stringMatching(/^Reconnect HubSpot .*approve/),
      });
      // The same token's write: the error carries the same fix, as a setup to do (not a retry).
      const err = await hubspotAdapter({ basePath: portal.url, accessToken: lacking })
        .prepare()
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CrmCallError);
      expect(err).toMatchObject({ status: 403, retryable: false, setup: expect.stringMatching(/^Reconnect HubSpot .*crm\.schemas\.contacts\.write/) });
      const full = await hubspotAdapter({ basePath: portal.url, accessToken: portal.issueToken().accessToken }).checkAccess!();
      expect(full).toEqual([expect.objectContaining({ id: 'scopes', state: 'ok' })]);
      // The token info it read has the shape of HubSpot's description (AccessTokenInfoResponse).
      const infos = portal.exchanges.filter((x) => x.route === '/oauth/v1/access-tokens/:token');
      expect(infos.map((x) => x.status)).toEqual([200, 200]);
      for (const x of infos) expect(hubspotModule('oauth').shapeErrors(x.answer, 'AccessTokenInfoResponse')).toEqual([]);
    });

    it('testWrite writes one communication on the contact and deletes it again', async () => {
      const adapter = hubspotAdapter({ basePath: portal.url, accessToken: portal.issueToken().accessToken });
      await adapter.prepare();
      const contactId = portal.addContact({ firstname: 'Check', phone: customer() });
      await adapter.testWrite!(contactId);
      expect(portal.communications.size).toBe(0);
      expect(portal.requests.filter((r) => r.method === 'DELETE' && r.path.startsWith('/crm/v3/objects/communications/')).map((r) => r.status)).toEqual([204]);
      expect(portal.unlisted).toEqual([]);
    });
  });

  describe('connecting, token refresh and disconnecting', () => {
    it('an admin connects the organisation by OAuth; the tokens stay on the server, sealed; the status says how it goes', async () => {
      const agent = await api(ctx.stack, ctx.c.agents[1]!.token, '/api/admin/crm/connect', 'POST', { vendor: 'hubspot' });
      expect(agent.status).toBe(403);
      // The admin's browser: Connect, our start link, HubSpot's consent page, back to the callback.
      const browser = oauthBrowser();
      const link = await connectLink(ctx.stack, ctx.c.agents[0]!.token, 'hubspot');
      const { stoppedAt: callback } = await browser.open(link, { stopBefore: (u) => u.pathname === '/api/crm/oauth/callback' });
      expect(callback!.startsWith(`${ctx.stack.config.publicUrl}/api/crm/oauth/callback?`)).toBe(true);
      const cookie = new Map(browser.cookies);
      const page = await browser.open(callback!);
      expect(page.status).toBe(200);
      expect(page.text).toContain('HubSpot connected');
      expect(browser.cookies.size).toBe(0); // the callback clears the browser's cookie
      // The state is single use (tests/security/crm-oauth.test.ts for the rest): a replay, even with the cookie, is refused.
      const replay = oauthBrowser();
      for (const [name, c] of cookie) replay.cookies.set(name, c);
      expect((await replay.open(callback!)).status).toBe(400);

      const status = await api<CrmStatus>(ctx.stack, ctx.c.agents[0]!.token, '/api/admin/crm');
      expect(status.body.vendors.map((v) => v.name)).toEqual(['HubSpot', 'Pipedrive', 'Salesforce', 'Zoho CRM']);
      expect(status.body).toMatchObject({ connection: { vendor: 'hubspot', vendorName: 'HubSpot', account: String(hub.oauth.portalId), lastError: null } });
      const { rows } = await ctx.stack.db.query<{ access_token: Buffer }>('select access_token from crm_connections where organisation_id = $1', [ctx.c.id]);
      expect([...hub.tokens].some((t) => rows[0]!.access_token.includes(Buffer.from(t)))).toBe(false);
      const audit = await ctx.stack.db.query<{ action: string }>('select action from audit_log where organisation_id = $1', [ctx.c.id]);
      expect(audit.rows.map((r) => r.action)).toContain('crm.connected');
    });

    it('refreshes an access token HubSpot refuses, then writes; disconnecting stops the writes and forgets the tokens', async () => {
      const phone = customer();
      const contactId = hub.addContact({ firstname: 'Xu', phone });
      hub.expireAccessTokens();
      const before = (await ctx.stack.db.query<{ access_token: Buffer }>('select access_token from crm_connections where organisation_id = $1', [ctx.c.id]))
        .rows[0]!;
      await ctx.stack.inbound({ from: phone, to: ctx.c.number, body: 'After the refresh' });
      await until(() => recordsOf(contactId).length === 1, { what: 'the write with a refreshed token' });
      expect(hub.requests.some((r) => r.status === 401)).toBe(true);
      const after = (await ctx.stack.db.query<{ access_token: Buffer }>('select access_token from crm_connections where organisation_id = $1', [ctx.c.id]))
        .rows[0]!;
      expect(after.access_token.equals(before.access_token)).toBe(false);

      const off = await api(ctx.stack, ctx.c.agents[0]!.token, '/api/admin/crm', 'DELETE');
      expect(off.status).toBe(200);
      expect((await api<CrmStatus>(ctx.stack, ctx.c.agents[0]!.token, '/api/admin/crm')).body.connection).toBeNull();
      await ctx.stack.inbound({ from: phone, to: ctx.c.number, body: 'Not written' });
      const left = await ctx.stack.db.query(
        'select 1 from crm_outbox where organisation_id = $1 union all select 1 from crm_connections where organisation_id = $1',
        [ctx.c.id],
      );
      expect(left.rows).toHaveLength(0);
    });

    it('a revoked app (HubSpot refuses the refresh token) tells the admin to connect HubSpot again; nothing owed is lost', async () => {
      const admin = ctx.c.agents[0]!.token;
      expect(await connectByOAuth(ctx.stack, admin, 'hubspot', `${hub.url}/oauth/authorize`)).toContain('HubSpot connected');
      const phone = customer();
      const contactId = hub.addContact({ firstname: 'Revoked', phone });
      hub.uninstall(); // an admin of the portal uninstalled the app
      await ctx.stack.inbound({ from: phone, to: ctx.c.number, body: 'While uninstalled' });
      await until(async () => (await outboxOf(phone))[0]?.last_error != null, { what: 'the failed write' });
      expect((await outboxOf(phone))[0]).toMatchObject({ written: false, last_error: expect.stringMatching(/connect HubSpot again/) });
      expect(hub.exchanges.some((x) => x.route === '/oauth/v1/token' && (x.answer as { status?: string }).status === 'BAD_REFRESH_TOKEN')).toBe(true);
      expect((await api<CrmStatus>(ctx.stack, admin, '/api/admin/crm')).body.connection).toMatchObject({
        pending: 1,
        lastError: expect.stringMatching(/connect HubSpot again/),
      });

      expect(await connectByOAuth(ctx.stack, admin, 'hubspot', `${hub.url}/oauth/authorize`)).toContain('HubSpot connected');
      await dueNow(ctx.c.id);
      await until(() => recordsOf(contactId).length === 1, { what: 'the record after connecting again' });
    });
  });
  it('is held to HubSpot’s descriptions: every request Switchboard sent and every answer the stand-in gave has the shape of the official client’s models', () => {
    // The calls these tests made, each with the models HubSpot's description gives its bodies.
    const spec: Record<string, { module: string; request?: string; answer: string; answer207?: string }> = {
      'POST /crm/v3/objects/contacts/search': {
        module: 'crm/contacts',
        request: 'PublicObjectSearchRequest',
        answer: 'CollectionResponseWithTotalSimplePublicObjectForwardPaging',
      },
      'GET /crm/v3/objects/contacts/:id': { module: 'crm/contacts', answer: 'SimplePublicObjectWithAssociations' },
      'POST /crm/v3/objects/contacts': { module: 'crm/contacts', request: 'SimplePublicObjectInputForCreate', answer: 'SimplePublicObject' },
      'POST /crm/v3/objects/:objectType/batch/upsert': {
        module: 'crm/objects/communications',
        request: 'BatchInputSimplePublicObjectBatchInputUpsert',
        answer: 'BatchResponseSimplePublicUpsertObject',
        answer207: 'BatchResponseSimplePublicUpsertObjectWithErrors',
      },
      'PUT /crm/v4/objects/:fromType/:fromId/associations/default/:toType/:toId': {
        module: 'crm/associations/v4',
        answer: 'BatchResponsePublicDefaultAssociation',
      },
      'POST /crm/v3/properties/:objectType': { module: 'crm/properties', request: 'PropertyCreate', answer: 'Property' },
      'GET /crm/v3/properties/:objectType/groups': { module: 'crm/properties', answer: 'CollectionResponsePropertyGroupNoPaging' },
      // The token answer as HubSpot's description has it (AccessTokenResponse: hub_id, scopes), not the client's TokenResponseIF.
      'POST /oauth/v1/token': { module: 'oauth', answer: 'AccessTokenResponse' },
      // Check connection (after connecting): the token's granted scopes.
      'GET /oauth/v1/access-tokens/:token': { module: 'oauth', answer: 'AccessTokenInfoResponse' },
    };
    const errors: string[] = [];
    const seen = new Set<string>();
    for (const x of hub.exchanges) {
      const call = `${x.method} ${x.route}`;
      if (x.route.startsWith('/demo/')) continue; // the demo CRM page's feed, not HubSpot's API
      const shapes = spec[call];
      if (!shapes) {
        errors.push(`${call}: a call with no description here`);
        continue;
      }
      seen.add(call);
      if (x.status >= 300) continue; // errors: HubSpot's own error bodies carry more than its description says
      const models = hubspotModule(shapes.module);
      if (shapes.request && x.request !== undefined) errors.push(...models.shapeErrors(x.request, shapes.request).map((e) => `${call} request ${e}`));
      errors.push(...models.shapeErrors(x.answer, x.status === 207 && shapes.answer207 ? shapes.answer207 : shapes.answer).map((e) => `${call} answer ${e}`));
    }
    expect([...new Set(errors)]).toEqual([]);
    expect([...seen].sort()).toEqual(Object.keys(spec).sort());
  });

  it('calls only operations of HubSpot’s table (hubspot-operations.ts): the stand-in saw no other call in this file’s run', async () => {
    expect(hub.unlisted).toEqual([]);
    // And it would have seen one: a call that is no operation of the table is recorded.
    const token = hub.issueToken().accessToken;
    await fetch(`${hub.url}/crm/v3/objects/contacts?limit=1`, { headers: { authorization: `Bearer ${token}` } });
    expect(hub.unlisted).toEqual([{ method: 'GET', path: '/crm/v3/objects/contacts' }]);
  });
});
