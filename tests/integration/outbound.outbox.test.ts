import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { TemplateView, ReplyWindow } from '../../lib/contract/reply-window';
import { addTemplate } from '../../server/admin/commands';
import { createApp, type App } from '../../server/app';
import { createLogger } from '../../server/logger';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { customer } from '../support/stack';
import { until } from '../support/wait';
import { useTestStack } from '../support/fixture';

/**
 * Replies beyond the happy path: WhatsApp's 24-hour window and templates, Twilio's rate limit,
 * media behind the account's credentials, and replies that outlive a server stop.
 */
describe('Replies: window, templates, rate limits, media, and server stops', () => {
  const ctx = useTestStack({ orgs: { org: 1, other: 1 } });
  const extraApps: App[] = [];

  afterAll(async () => {
    for (const a of extraApps) await a.http.close().catch(() => {});
  });

  const post = (token: string, path: string, body: unknown, base = ctx.stack.serverUrl) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const get = (token: string, path: string, base = ctx.stack.serverUrl) => fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const row = async (id: string) =>
    (
      await ctx.stack.db.query<{ status: string; twilio_sid: string | null; error_message: string | null; body: string; send_attempts: number }>(
        'select status, twilio_sid, error_message, body, send_attempts from messages where id = $1',
        [id],
      )
    ).rows[0]!;
  /**
   * A marker reply through `app`, waited for until Twilio has it: the outbox sends oldest first,
   * so anything the servers were going to (re)send went before it.
   */
  const sendersCaughtUp = async (app: App, conv: string) => {
    const base = `http://127.0.0.1:${(app.http.server.address() as { port: number }).port}`;
    const body = `Marker ${randomUUID()}`;
    const res = await post(ctx.org.agents[0]!.token, `/api/conversations/${conv}/messages`, { id: randomUUID(), body }, base);
    expect(res.status).toBe(201);
    await until(() => sentWith(body).length === 1, { what: 'the marker reply to reach Twilio' });
  };
  /** A conversation whose customer last wrote `hoursAgo` hours ago. */
  const conversation = async (hoursAgo = 0) => {
    const res = await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Hello' });
    const id = (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
    if (hoursAgo) await ctx.stack.db.query(`update conversations set last_inbound_at = now() - make_interval(hours => $2) where id = $1`, [id, hoursAgo]);
    return id;
  };
  const sentWith = (body: string) => ctx.stack.twilioStandIn!.created.filter((c) => c.Body === body);

  it('refuses free-form text outside the 24-hour window and says when it closed; templates still go out', async () => {
    const token = ctx.org.agents[0]!.token;
    const open = await conversation(23);
    const closed = await conversation(25);
    expect((await post(token, `/api/conversations/${open}/messages`, { id: randomUUID(), body: 'Within the window' })).status).toBe(201);
    const refused = await post(token, `/api/conversations/${closed}/messages`, { id: randomUUID(), body: 'Too late' });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ error: 'window_closed', message: expect.stringMatching(/24-hour window .* closed at \d{4}-.*template/) });

    const list = (await (await get(token, `/api/conversations/${closed}/templates`)).json()) as { window: ReplyWindow; templates: TemplateView[] };
    expect(list.window.open).toBe(false);
    expect(list.templates.map((t) => t.name)).toEqual(['follow_up', 'order_update']); // the rejected one is not offered
    const orderUpdate = list.templates.find((t) => t.name === 'order_update')!;
    const id = randomUUID();
    const sent = await post(token, `/api/conversations/${closed}/messages`, { id, template: { sid: orderUpdate.sid, variables: { '1': 'Ana', '2': 'A-77' } } });
    expect(sent.status).toBe(201);
    expect((await row(id)).body).toBe('Hello Ana, your order A-77 has shipped.');
    await until(async () => (await row(id)).status === 'read');
    const call = ctx.stack.twilioStandIn!.created.find((c) => c.ContentSid === orderUpdate.sid)!;
    expect(JSON.parse(call.ContentVariables!)).toEqual({ '1': 'Ana', '2': 'A-77' });
    expect(call.Body).toBeUndefined();

    // What the variables mean, as the organisation labelled them (admin path); the other
    // organisation's labels for the same template are its own.
    await expect(addTemplate(ctx.stack.db, ctx.org.id, orderUpdate.sid, { '1': ' ' })).rejects.toThrow(/template labels: 1: a label cannot be empty/);
    await addTemplate(ctx.stack.db, ctx.org.id, orderUpdate.sid, { '1': 'Customer name', '2': 'Order number' });
    await addTemplate(ctx.stack.db, ctx.other.id, orderUpdate.sid, { '1': 'Their label' });
    await addTemplate(ctx.stack.db, ctx.org.id, orderUpdate.sid); // given again without labels: kept
    const labelled = (await (await get(token, `/api/conversations/${closed}/templates`)).json()) as { templates: TemplateView[] };
    expect(labelled.templates.map((t) => [t.name, t.labels])).toEqual([
      ['follow_up', {}],
      ['order_update', { '1': 'Customer name', '2': 'Order number' }],
    ]);

    const rejected = await post(token, `/api/conversations/${closed}/messages`, { id: randomUUID(), template: { sid: 'HX' + '3'.repeat(32) } });
    expect(rejected.status).toBe(422);
    expect(((await rejected.json()) as { error: string }).error).toBe('template_not_approved');
  });

  it('a conversation started from the CRM (no message yet) opens with a template only', async () => {
    const token = ctx.org.agents[0]!.token;
    const started = (await (await post(token, '/api/conversations', { phone: customer() })).json()) as { conversation: { id: string } };
    const text = await post(token, `/api/conversations/${started.conversation.id}/messages`, { id: randomUUID(), body: 'Hi!' });
    expect(text.status).toBe(422);
    expect(((await text.json()) as { message: string }).message).toMatch(/has not written yet/);
  });

  it('rides out Twilio’s rate limit: every reply goes out exactly once, none is lost', async () => {
    const conv = await conversation();
    ctx.stack.twilioStandIn!.rateLimitPerSecond = 2;
    const limitedBefore = ctx.stack.twilioStandIn!.rateLimited;
    try {
      const ids = Array.from({ length: 6 }, () => randomUUID());
      const answers = await Promise.all(ids.map((id, i) => post(ctx.org.agents[0]!.token, `/api/conversations/${conv}/messages`, { id, body: `Burst ${i}` })));
      expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201]);
      for (const id of ids) await until(async () => (await row(id)).twilio_sid !== null);
      expect(ctx.stack.twilioStandIn!.rateLimited).toBeGreaterThan(limitedBefore); // Twilio did say 429
      for (let i = 0; i < 6; i++) expect(sentWith(`Burst ${i}`)).toHaveLength(1);
    } finally {
      ctx.stack.twilioStandIn!.rateLimitPerSecond = null;
    }
  });

  it('serves inbound media to the organisation’s agents only, with Twilio’s credentials kept on the server', async () => {
    const messageSid = newSid('MM');
    const image = ctx.stack.twilioStandIn!.mediaUrl('image', messageSid);
    // Twilio's media need the account's Basic auth: without it, nothing.
    expect((await fetch(image)).status).toBe(401);
    const res = await ctx.stack.inbound({
      messageSid,
      from: customer(),
      to: ctx.org.number,
      body: 'Here is a photo',
      media: [{ url: image, contentType: 'image/png' }],
    });
    const m = (
      await ctx.stack.db.query<{ id: string; conversation_id: string }>('select id, conversation_id from messages where twilio_sid = $1', [
        res.params.MessageSid,
      ])
    ).rows[0]!;
    const path = `/api/conversations/${m.conversation_id}/messages/${m.id}/media/0`;
    const mine = await get(ctx.org.agents[0]!.token, path);
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await mine.arrayBuffer()).slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    expect((await get(ctx.other.agents[0]!.token, path)).status).toBe(404);
    expect((await get(ctx.org.agents[0]!.token, path.replace(/0$/, '1'))).status).toBe(404);
    expect((await fetch(`${ctx.stack.serverUrl}${path}`)).status).toBe(401);
  });

  it('the stand-in answers Messages fetch through the twilio library, with the status its callbacks reported', async () => {
    const conv = await conversation();
    const id = randomUUID();
    await post(ctx.org.agents[0]!.token, `/api/conversations/${conv}/messages`, { id, body: 'Fetch me' });
    await until(async () => (await row(id)).status === 'read');
    const { createTwilioClient } = await import('../../server/outbound/twilio-client');
    const client = createTwilioClient(ctx.stack.config.twilio, ctx.stack.twilioStandIn!.url);
    const fetched = await client.messages((await row(id)).twilio_sid!).fetch();
    expect(fetched).toMatchObject({ sid: (await row(id)).twilio_sid, status: 'read', body: 'Fetch me', to: expect.stringMatching(/^whatsapp:\+/) });
    await expect(client.messages('SM' + '0'.repeat(32)).fetch()).rejects.toMatchObject({ status: 404, code: 20404 });
  });

  it('sends a file by URL', async () => {
    const conv = await conversation();
    const id = randomUUID();
    const res = await post(ctx.org.agents[0]!.token, `/api/conversations/${conv}/messages`, {
      id,
      body: 'The invoice',
      mediaUrl: 'https://files.example.com/invoice-77.pdf',
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { message: { media: unknown } }).message.media).toEqual([
      { url: 'https://files.example.com/invoice-77.pdf', contentType: 'application/pdf' },
    ]);
    await until(async () => sentWith('The invoice').length === 1);
    expect(sentWith('The invoice')[0]!.MediaUrl).toBe('https://files.example.com/invoice-77.pdf');
    const bad = await post(ctx.org.agents[0]!.token, `/api/conversations/${conv}/messages`, { id: randomUUID(), mediaUrl: 'javascript:alert(1)' });
    expect(bad.status).toBe(400);
  });

  const secondInstance = async () => {
    const app = await createApp({ config: ctx.stack.config, db: ctx.stack.db, verify: ctx.stack.verify, log: createLogger('silent') });
    await app.http.listen({ host: '127.0.0.1', port: 0 });
    extraApps.push(app);
    return app;
  };

  it('a reply waiting for a retry when its server stops goes out once from the next server', async () => {
    const conv = await conversation();
    const app1 = await secondInstance();
    const base1 = `http://127.0.0.1:${(app1.http.server.address() as { port: number }).port}`;
    ctx.stack.twilioStandIn!.rateLimitPerSecond = 0; // Twilio refuses everything for now
    const id = randomUUID();
    const res = await fetch(`${base1}/api/conversations/${conv}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.org.agents[0]!.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, body: 'Survives a restart' }),
    });
    expect(res.status).toBe(201);
    await until(async () => (await row(id)).send_attempts >= 1);
    await app1.http.close(); // graceful stop: nothing in flight is abandoned
    expect((await row(id)).status).toBe('accepted');
    ctx.stack.twilioStandIn!.rateLimitPerSecond = null;
    const app2 = await secondInstance(); // a server starting sends what is due
    await until(async () => (await row(id)).twilio_sid !== null);
    await sendersCaughtUp(app2, conv);
    expect(sentWith('Survives a restart')).toHaveLength(1);
  });

  it('a call to Twilio in flight when its server stops finishes first; nothing is sent twice', async () => {
    const conv = await conversation();
    // Only the instance under test may claim the reply: stop every other sender.
    await ctx.stack.app.sender.stop();
    for (const a of extraApps.splice(0)) await a.http.close();
    const app1 = await secondInstance();
    const base1 = `http://127.0.0.1:${(app1.http.server.address() as { port: number }).port}`;
    ctx.stack.twilioStandIn!.createDelayMs = 800;
    try {
      const id = randomUUID();
      await fetch(`${base1}/api/conversations/${conv}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ctx.org.agents[0]!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id, body: 'In flight' }),
      });
      await until(async () => (await row(id)).send_attempts >= 1);
      await app1.http.close();
      expect((await row(id)).twilio_sid).toMatch(/^SM/); // the call finished before the server stopped
      await sendersCaughtUp(await secondInstance(), conv);
      expect(sentWith('In flight')).toHaveLength(1);
    } finally {
      ctx.stack.twilioStandIn!.createDelayMs = 0;
    }
  });

  it('a send cut off by a crash is reported to the agent, never resent blindly', async () => {
    const conv = await conversation();
    const id = randomUUID();
    // What a crash mid-call leaves: claimed three minutes ago, no MessageSid.
    await ctx.stack.db.query(
      `insert into messages (id, organisation_id, conversation_id, direction, body, status, send_claimed_at, send_attempts)
       values ($1, $2, $3, 'outbound', 'Lost in a crash', 'accepted', now() - interval '3 minutes', 1)`,
      [id, ctx.org.id, conv],
    );
    await secondInstance();
    await until(async () => (await row(id)).status === 'failed');
    expect((await row(id)).error_message).toMatch(/cannot tell whether it went out; it was not resent/);
    expect(sentWith('Lost in a crash')).toHaveLength(0);
  });
});
