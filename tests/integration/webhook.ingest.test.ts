import { describe, expect, it } from 'vitest';
import { listUnrouted } from '../../server/admin/commands';
import { createInboundBatcher } from '../../server/inbox/inbound-batcher';
import { storeInbound, storeInboundBatch, type InboundMessage } from '../../server/inbox/repository';
import { inboundParams, newSid, postSignedWebhook } from '../../server/dev/twilio-stand-in/inbound';
import { customer } from '../support/stack';
import { useTestStack } from '../support/fixture';

describe('Inbound webhook storage', () => {
  const ctx = useTestStack({ env: { WEBHOOK_BODY_LIMIT: String(16 * 1024) }, orgs: { org: 0 } });

  const rows = async (sql: string, args: unknown[] = []) => (await ctx.stack.db.query(sql, args)).rows;

  it('stores the contact with its profile name, the conversation and the message', async () => {
    const from = customer();
    const res = await ctx.stack.inbound({ from, to: ctx.org.number, body: 'Hi there', profileName: 'Maria Garcia' });
    expect(res.status).toBe(200);
    const [msg] = await rows(
      `select m.body, m.direction, m.status, ct.phone_e164, ct.profile_name, c.last_message_preview
         from messages m join conversations c on c.id = m.conversation_id join contacts ct on ct.id = c.contact_id
        where m.twilio_sid = $1`,
      [res.params.MessageSid],
    );
    expect(msg).toMatchObject({
      body: 'Hi there',
      direction: 'inbound',
      status: 'received',
      phone_e164: from,
      profile_name: 'Maria Garcia',
      last_message_preview: 'Hi there',
    });
  });

  it('a duplicate MessageSid stores one row and still gets 200', async () => {
    const messageSid = newSid('SM');
    const from = customer();
    const first = await ctx.stack.inbound({ from, to: ctx.org.number, body: 'once', messageSid });
    const again = await ctx.stack.inbound({ from, to: ctx.org.number, body: 'once', messageSid });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    expect(await again.text()).toContain('<Response/>');
    expect(await rows('select id from messages where twilio_sid = $1', [messageSid])).toHaveLength(1);
  });

  it('concurrent retries of one MessageSid store one row', async () => {
    const messageSid = newSid('SM');
    const from = customer();
    const results = await Promise.all(Array.from({ length: 8 }, () => ctx.stack.inbound({ from, to: ctx.org.number, body: 'race', messageSid })));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(await rows('select id from messages where twilio_sid = $1', [messageSid])).toHaveLength(1);
  });

  it('routes a message sent through a Messaging Service to its channel', async () => {
    const res = await ctx.stack.inbound({ from: customer(), to: 'whatsapp:+19999999999', messagingServiceSid: ctx.org.messagingServiceSid, body: 'via MG' });
    expect(res.status).toBe(200);
    const [row] = await rows('select c.channel_id from messages m join conversations c on c.id = m.conversation_id where m.twilio_sid = $1', [
      res.params.MessageSid,
    ]);
    expect(row?.channel_id).toBe(ctx.org.channelId);
  });

  it('keeps a message for a number no channel owns where an admin can route it', async () => {
    const res = await ctx.stack.inbound({ from: customer(), to: 'whatsapp:+18005550199', body: 'who owns me?' });
    expect(res.status).toBe(200);
    expect(await rows('select id from messages where twilio_sid = $1', [res.params.MessageSid])).toHaveLength(0);
    const unrouted = await listUnrouted(ctx.stack.db);
    expect(unrouted.find((u) => u.twilio_sid === res.params.MessageSid)).toMatchObject({ to_address: 'whatsapp:+18005550199', body: 'who owns me?' });
  });

  it('keeps NumMedia and MediaContentTypeN, and each MediaUrlN as the media sid of this account’s message', async () => {
    const messageSid = newSid('MM');
    const [me1, me2] = [newSid('ME'), newSid('ME')];
    const base = `${ctx.stack.config.twilioApiBaseUrl}/2010-04-01/Accounts/${ctx.stack.config.twilio.accountSid}/Messages/${messageSid}/Media`;
    const media = [
      { url: `${base}/${me1}`, contentType: 'image/jpeg' },
      { url: `${base}/${me2}`, contentType: 'application/pdf' },
    ];
    const res = await ctx.stack.inbound({ messageSid, from: customer(), to: ctx.org.number, media });
    expect(res.status).toBe(200);
    const [row] = await rows('select media, body from messages where twilio_sid = $1', [res.params.MessageSid]);
    expect(row).toEqual({
      media: [
        { contentType: 'image/jpeg', sid: me1 },
        { contentType: 'application/pdf', sid: me2 },
      ],
      body: '',
    });
  });

  it('rejects a malformed body with 400 and a clear message, storing nothing', async () => {
    const params = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: '+1646', to: ctx.org.number, body: 'bad from' });
    params.From = 'not-a-number';
    const res = await postSignedWebhook(ctx.stack.webhookUrl, ctx.stack.config.twilio.authToken, params);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/From/);
    expect(await rows('select id from messages where twilio_sid = $1', [params.MessageSid])).toHaveLength(0);
  });

  it('rejects a body without MessageSid with 400', async () => {
    const params = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: customer(), to: ctx.org.number });
    delete params.MessageSid;
    const res = await postSignedWebhook(ctx.stack.webhookUrl, ctx.stack.config.twilio.authToken, params);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/MessageSid/);
  });

  it('rejects an oversized body with 413, storing nothing', async () => {
    const params = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: customer(), to: ctx.org.number, body: 'x'.repeat(20 * 1024) });
    const res = await postSignedWebhook(ctx.stack.webhookUrl, ctx.stack.config.twilio.authToken, params);
    expect(res.status).toBe(413);
    expect(await rows('select id from messages where twilio_sid = $1', [params.MessageSid])).toHaveLength(0);
  });

  it('keeps customer markup as plain text, byte for byte', async () => {
    const body = '<img src=x onerror="alert(1)"> مرحبا 👋🏽';
    const res = await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body, profileName: '<b>Eve</b>' });
    expect(res.status).toBe(200);
    const [row] = await rows('select body from messages where twilio_sid = $1', [res.params.MessageSid]);
    expect(row?.body).toBe(body);
  });

  it('stores a burst of concurrent webhooks once each, with the right counts', async () => {
    const burst = Array.from({ length: 200 }, (_, i) =>
      inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: `+1757555${String(2000 + (i % 40))}`, to: ctx.org.number, body: `burst ${i}` }),
    );
    const answers = await Promise.all(
      burst.map((p) => postSignedWebhook(ctx.stack.webhookUrl, ctx.stack.config.twilio.authToken, p, `${ctx.stack.config.publicUrl}/api/webhooks/twilio`)),
    );
    expect(answers.map((a) => a.status)).toEqual(burst.map(() => 200));
    const stored = await rows('select count(*)::int as n from messages where twilio_sid = any($1)', [burst.map((p) => p.MessageSid)]);
    expect(stored[0].n).toBe(200);
    const counts = await rows(
      "select sum(inbound_count)::int as n from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 like '+17575552%' and c.organisation_id = $1",
      [ctx.org.id],
    );
    expect(counts[0].n).toBe(200);
  });

  it('shares commits while the database is busy: webhooks waiting behind a commit go together in the next', async () => {
    const batcher = createInboundBatcher(ctx.stack.db, { concurrency: 1 });
    const msgs = Array.from({ length: 100 }, (_, i) => {
      const p = inboundParams({
        accountSid: ctx.stack.config.twilio.accountSid,
        from: `+1757556${String(1000 + (i % 10))}`,
        to: ctx.org.number,
        body: `shared ${i}`,
      });
      return {
        messageSid: p.MessageSid!,
        from: p.From!,
        to: p.To!,
        messagingServiceSid: null,
        body: p.Body!,
        profileName: null,
        media: [],
        location: null,
        raw: p,
      };
    });
    const results = await Promise.all(msgs.map((m) => batcher.store(m)));
    expect(results.map((r) => r.kind)).toEqual(msgs.map(() => 'stored'));
    // Each row records the transaction that wrote it: one commit per webhook would be 100.
    const stored = await rows('select count(*)::int as n, count(distinct change_xid)::int as transactions from messages where twilio_sid = any($1)', [
      msgs.map((m) => m.messageSid),
    ]);
    expect(stored[0].n).toBe(100);
    expect(stored[0].transactions).toBeLessThan(10);
    // A message refused inside a shared transaction fails alone; its batch-mates are stored.
    const good = msgs.slice(0, 2).map((m, i) => ({ ...m, messageSid: `SM${'e'.repeat(31)}${i}`, body: `good ${i}` }));
    const bad = { ...good[0]!, messageSid: `SM${'f'.repeat(32)}`, body: 'bad\u0000' };
    const outcome = await Promise.allSettled([batcher.store(good[0]!), batcher.store(bad), batcher.store(good[1]!)]);
    expect(outcome.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('a batch stored set-based gives each message what storing them one by one would', async () => {
    const make = (from: string, body: string, extra: Partial<InboundMessage> = {}): InboundMessage => {
      const p = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from, to: ctx.org.number, body });
      return {
        messageSid: p.MessageSid!,
        from: p.From!,
        to: p.To!,
        messagingServiceSid: null,
        body,
        profileName: null,
        media: [],
        location: null,
        raw: p,
        ...extra,
      };
    };
    const ana = customer();
    const ben = customer();
    const earlier = make(ben, 'stored before');
    expect((await storeInbound(ctx.stack.db, earlier)).kind).toBe('stored');
    const batch = [
      make(ana, 'one', { profileName: 'Ana' }),
      make(ben, 'again', { messageSid: earlier.messageSid }), // already stored
      make(ana, 'two', { profileName: 'Ana Lima' }),
      { ...make(ana, 'nobody'), to: 'whatsapp:+15550000000' }, // no channel owns this number
      make(ben, 'three', { location: { latitude: 1.5, longitude: 2.5, address: null, label: 'Here' } }),
      make(ana, 'four'), // no profile name: Ana keeps hers
    ];
    batch.push({ ...batch[2]!, body: 'two (retried)' }); // the same MessageSid twice in one batch
    const results = await storeInboundBatch(ctx.stack.db, batch);
    expect(results.map((r) => r.kind)).toEqual(['stored', 'duplicate', 'stored', 'unrouted', 'stored', 'stored', 'duplicate']);
    const stored = results.filter((r) => r.kind === 'stored');
    expect(stored.map((r) => r.message.body)).toEqual(['one', 'two', 'three', 'four']);
    // Within a batch, messages keep the order the customers wrote them in.
    const thread = await rows(
      `select m.body from messages m join conversations c on c.id = m.conversation_id join contacts ct on ct.id = c.contact_id
        where ct.phone_e164 = $1 order by m.created_at`,
      [ana],
    );
    expect(thread.map((r) => r.body)).toEqual(['one', 'two', 'four']);
    const [conv] = await rows(
      `select c.inbound_count::int as n, c.last_message_preview as preview, ct.profile_name from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 = $1`,
      [ana],
    );
    expect(conv).toEqual({ n: 3, preview: 'four', profile_name: 'Ana Lima' });
    const [benConv] = await rows(
      `select c.inbound_count::int as n, c.last_message_preview as preview from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 = $1`,
      [ben],
    );
    expect(benConv).toEqual({ n: 2, preview: 'three' });
    // What agents are sent carries the conversation as the batch left it.
    const last = stored.at(-1)!;
    expect(last.conversation).toMatchObject({ inboundCount: 3, lastMessagePreview: 'four', contact: { profileName: 'Ana Lima' } });
    expect(stored[2]!.message.location).toEqual({ latitude: 1.5, longitude: 2.5, address: null, label: 'Here' });
    expect((await listUnrouted(ctx.stack.db)).filter((u) => u.from_address === `whatsapp:${ana}`).map((u) => u.body)).toEqual(['nobody']);
  });

  it('refuses NUL characters, which PostgreSQL text cannot hold, with 400', async () => {
    const res = await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'bad\u0000byte' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Body: must not contain NUL');
    // Any field: the whole payload is stored (a place's label goes into jsonb, which cannot hold NUL either).
    const from = customer();
    const label = await ctx.stack.inbound({ from, to: ctx.org.number, body: '', location: { latitude: 1, longitude: 2, label: 'bad\u0000label' } });
    expect(label.status).toBe(400);
    expect(await label.text()).toContain('Label: must not contain NUL');
    expect(await rows('select 1 from contacts where phone_e164 = $1', [from])).toHaveLength(0);
  });
});
