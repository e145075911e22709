import { randomUUID } from 'node:crypto';
import { io as ioClient } from 'socket.io-client';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SyncResponse } from '../../lib/contract/api';
import { signSupabaseJwt } from '../../server/auth/jwt';
import { saveCannedReply } from '../../server/inbox/team';
import { inboundParams, postSignedWebhook } from '../../server/dev/twilio-stand-in/inbound';
import { api, connectSocket, createTestOrg, customer, nextEvent } from '../support/stack';
import { useTestStack } from '../support/fixture';

/** Attackers and broken clients: every bad input gets a clear 4xx, nothing is stored that should not be, the server stays up. */
describe('Hostile and broken input', () => {
  const ctx = useTestStack({ orgs: { a: 1, b: 1 } });
  let convA: string;
  let messageA: string;

  beforeAll(async () => {
    const res = await ctx.stack.inbound({
      from: customer(),
      to: ctx.a.number,
      body: 'Org A secret',
      media: [
        {
          url: `${ctx.stack.config.twilioApiBaseUrl}/2010-04-01/Accounts/${ctx.stack.config.twilio.accountSid}/Messages/MM1/Media/ME1`,
          contentType: 'image/png',
        },
      ],
    });
    const row = (
      await ctx.stack.db.query<{ id: string; conversation_id: string }>('select id, conversation_id from messages where twilio_sid = $1', [
        res.params.MessageSid,
      ])
    ).rows[0]!;
    convA = row.conversation_id;
    messageA = row.id;
    await saveCannedReply(ctx.stack.db, ctx.a.id, 'secret', 'Org A canned reply');
  });

  const post = (params: Record<string, string>, body?: string) =>
    body === undefined
      ? postSignedWebhook(ctx.stack.webhookUrl, ctx.stack.config.twilio.authToken, params, `${ctx.stack.config.publicUrl}/api/webhooks/twilio`)
      : fetch(ctx.stack.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' }, body });
  const stored = async (sid: string) => (await ctx.stack.db.query('select count(*)::int as n from messages where twilio_sid = $1', [sid])).rows[0].n as number;

  describe('tokens, on REST and Socket.IO alike', () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const tokens = async (): Promise<Array<[string, string | null, number]>> => {
      const exp = Math.floor(Date.now() / 1000) + 600;
      const agent = ctx.a.agents[0]!.id;
      const stranger = (
        await ctx.stack.db.query<{ id: string }>("insert into auth.users (email) values ('nobody-' || gen_random_uuid() || '@test.dev') returning id")
      ).rows[0]!.id;
      return [
        ['no token', null, 401],
        ['garbage', 'not.a.jwt', 401],
        [
          'expired',
          await signSupabaseJwt(ctx.stack.config.jwtSecret!, {
            sub: agent,
            role: 'authenticated',
            aud: 'authenticated',
            exp: Math.floor(Date.now() / 1000) - 10,
          }),
          401,
        ],
        ['signed with another secret', await signSupabaseJwt('x'.repeat(40), { sub: agent, role: 'authenticated', aud: 'authenticated', exp }), 401],
        ['alg: none', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: agent, role: 'authenticated', aud: 'authenticated', exp })}.`, 401],
        ['the anon key', ctx.stack.config.supabaseAnonKey, 403],
        [
          'a user who is no agent',
          await signSupabaseJwt(ctx.stack.config.jwtSecret!, { sub: stranger, role: 'authenticated', aud: 'authenticated', exp }),
          403,
        ],
      ];
    };

    it('refuses every bad token with 401/403 and a reason, and the socket connection too', async () => {
      for (const [name, token, status] of await tokens()) {
        const rest = await api<{ error: string; message: string }>(ctx.stack, token, '/api/sync');
        expect(rest.status, name).toBe(status);
        expect(rest.body.message, name).toBeTruthy();
        const socket = ioClient(ctx.stack.serverUrl, { transports: ['websocket'], auth: token ? { token } : {}, reconnection: false, forceNew: true });
        const outcome = await new Promise<string>((resolve) => {
          socket.once('connect', () => resolve('connected'));
          socket.once('connect_error', (err) => resolve(err.message));
        });
        socket.close();
        expect(outcome, name).toMatch(/^(unauthorized|forbidden)/);
      }
    });
  });

  describe('webhooks', () => {
    it('refuses broken encodings and missing fields with 400, stores nothing, and accepts extra fields', async () => {
      const params = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: customer(), to: ctx.a.number, body: 'x' });
      const { From: _, ...noFrom } = params;
      const missing = await post(noFrom);
      expect(missing.status).toBe(400);
      expect(await missing.text()).toContain('From');
      expect(await stored(params.MessageSid!)).toBe(0);
      // A malformed form body is refused before any signature work or write.
      expect((await post({}, 'Body=%E0%A4%A&MessageSid=%%')).status).toBeGreaterThanOrEqual(400);

      const extra = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: customer(), to: ctx.a.number, body: 'with extras' });
      const res = await post({ ...extra, SomeFutureTwilioField: 'value', ButtonText: 'Yes' });
      expect(res.status).toBe(200);
      expect(await stored(extra.MessageSid!)).toBe(1);
    });

    it('keeps emoji, right-to-left text and markup in Body and ProfileName as plain text, byte for byte', async () => {
      const body = 'مرحبا 👋🏽 <img src=x onerror=alert(1)> שלום \u202Eevil';
      const params = inboundParams({
        accountSid: ctx.stack.config.twilio.accountSid,
        from: customer(),
        to: ctx.a.number,
        body,
        profileName: '<script>alert(1)</script>',
      });
      expect((await post(params)).status).toBe(200);
      const row = (
        await ctx.stack.db.query(
          'select m.body, ct.profile_name from messages m join conversations c on c.id = m.conversation_id join contacts ct on ct.id = c.contact_id where m.twilio_sid = $1',
          [params.MessageSid],
        )
      ).rows[0];
      expect(row).toEqual({ body, profile_name: '<script>alert(1)</script>' });
    });

    it('refuses a Body over WhatsApp’s limit with 400 and an oversized request with 413', async () => {
      const long = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: customer(), to: ctx.a.number, body: 'x'.repeat(5000) });
      expect((await post(long)).status).toBe(400);
      const huge = inboundParams({ accountSid: ctx.stack.config.twilio.accountSid, from: customer(), to: ctx.a.number, body: 'y' });
      expect((await post({ ...huge, Padding: 'z'.repeat(200_000) })).status).toBe(413);
      expect(await stored(long.MessageSid!)).toBe(0);
      expect(await stored(huge.MessageSid!)).toBe(0);
    });
  });

  describe('REST payloads', () => {
    const send = (path: string, body: string, token = ctx.a.agents[0]!.token) =>
      fetch(ctx.stack.serverUrl + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });

    it('answers wrong shapes, bad JSON and oversized bodies with 400/413 and a reason', async () => {
      const reply = `/api/conversations/${convA}/messages`;
      for (const [body, status] of [
        ['{not json', 400],
        [JSON.stringify({ id: randomUUID(), body: 42 }), 400],
        [JSON.stringify({ id: 'not-a-uuid', body: 'hi' }), 400],
        [JSON.stringify({ id: randomUUID() }), 400],
        [JSON.stringify({ id: randomUUID(), body: 'x'.repeat(5000) }), 400],
        [JSON.stringify({ id: randomUUID(), body: 'y'.repeat(300_000) }), 413],
      ] as const) {
        const res = await send(reply, body);
        expect(res.status, body.slice(0, 40)).toBe(status);
        expect(((await res.json()) as { message: string }).message).toBeTruthy();
      }
      expect((await send(`/api/conversations/${convA}/assign`, JSON.stringify([1, 2]))).status).toBe(400);
      expect((await send('/api/conversations/not-a-uuid/read', '{}')).status).toBe(400);
      const outbound = await ctx.stack.db.query("select count(*)::int as n from messages where conversation_id = $1 and direction = 'outbound'", [convA]);
      expect(outbound.rows[0].n).toBe(0);
    });

    it('limits a flood of requests from one agent with 429 and Retry-After, and keeps serving others', async () => {
      const flooder = await createTestOrg(ctx.stack, 1);
      const answers = await Promise.all(Array.from({ length: 150 }, () => api(ctx.stack, flooder.agents[0]!.token, '/api/me')));
      const limited = answers.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(answers.filter((r) => r.status === 200).length).toBe(120);
      expect(limited[0]!.body).toMatchObject({ error: 'rate_limited' });
      expect((await api(ctx.stack, ctx.b.agents[0]!.token, '/api/me')).status).toBe(200);
      const res = await fetch(`${ctx.stack.serverUrl}/api/me`, { headers: { authorization: `Bearer ${flooder.agents[0]!.token}` } });
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  describe('tenant isolation: an agent of one organisation gets nothing of another’s', () => {
    it('through every REST route', async () => {
      const t = ctx.b.agents[0]!.token;
      const notFound: Array<[string, string, unknown?]> = [
        ['GET', `/api/conversations/${convA}/messages`],
        ['POST', `/api/conversations/${convA}/read`],
        ['GET', `/api/conversations/${convA}/templates`],
        ['GET', `/api/conversations/${convA}/messages/${messageA}/media/0`],
        ['POST', `/api/conversations/${convA}/messages`, { id: randomUUID(), body: 'hijack' }],
        ['POST', `/api/conversations/${convA}/assign`, { assigneeId: ctx.b.agents[0]!.id }],
        ['POST', `/api/conversations/${convA}/notes`, { id: randomUUID(), body: 'hijack' }],
      ];
      for (const [method, path, body] of notFound) expect((await api(ctx.stack, t, path, method, body)).status, `${method} ${path}`).toBe(404);
      // Replies and notes with another organisation's message id are refused, not merged.
      expect((await api(ctx.stack, t, `/api/conversations/${convA}/messages`, 'POST', { id: messageA, body: 'x' })).status).not.toBe(200);

      const sync = await api<SyncResponse>(ctx.stack, t, '/api/sync');
      expect(JSON.stringify(sync.body)).not.toContain('Org A secret');
      const search = await api<{ results: unknown[] }>(ctx.stack, t, '/api/search?q=secret');
      expect(search.body.results).toEqual([]);
      const canned = await api<{ cannedReplies: unknown[] }>(ctx.stack, t, '/api/canned-replies');
      expect(JSON.stringify(canned.body)).not.toContain('Org A');
      const agents = await api<{ agents: Array<{ id: string }> }>(ctx.stack, t, '/api/agents');
      expect(agents.body.agents.map((x) => x.id)).toEqual([ctx.b.agents[0]!.id]);
      const rows = await ctx.stack.db.query("select count(*)::int as n from messages where conversation_id = $1 and body = 'hijack'", [convA]);
      expect(rows.rows[0].n).toBe(0);
      expect((await ctx.stack.db.query('select assignee_id from conversations where id = $1', [convA])).rows[0].assignee_id).toBeNull();
    });

    it('through Socket.IO: no event of another organisation, no joining its conversations', async () => {
      const spy = await connectSocket(ctx.stack, ctx.b.agents[0]!.token);
      const heard: string[] = [];
      spy.onAny((event) => heard.push(event));
      expect(await spy.emitWithAck('conversation:join', { conversationId: convA })).toEqual({ error: 'conversation not found' });
      spy.emit('typing:start', { conversationId: convA });
      const owner = await connectSocket(ctx.stack, ctx.a.agents[0]!.token);
      await owner.emitWithAck('conversation:join', { conversationId: convA });
      owner.emit('typing:start', { conversationId: convA });
      await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: 'Org A again' });
      await api(ctx.stack, ctx.a.agents[0]!.token, `/api/conversations/${convA}/assign`, 'POST', { assigneeId: ctx.a.agents[0]!.id });
      await api(ctx.stack, ctx.a.agents[0]!.token, `/api/conversations/${convA}/notes`, 'POST', { id: randomUUID(), body: 'private' });
      // A marker from its own organisation: events arrive in order, so a leak would be first.
      const marker = nextEvent(spy, 'message:new');
      await ctx.stack.inbound({ from: customer(), to: ctx.b.number, body: 'Org B marker' });
      expect((await marker).message.body).toBe('Org B marker');
      owner.close();
      spy.close();
      // Only its own organisation's presence (itself) and the marker reached it.
      expect(heard.filter((e) => !e.startsWith('presence:'))).toEqual(['message:new']);
    });
  });

  it('cuts a socket that sends an oversized frame, and keeps serving the others', async () => {
    const bystander = await connectSocket(ctx.stack, ctx.a.agents[0]!.token);
    const rogue = await connectSocket(ctx.stack, ctx.a.agents[0]!.token);
    const cut = new Promise<string>((resolve) => rogue.once('disconnect', (reason) => resolve(reason)));
    rogue.emit('typing:start', { conversationId: convA, padding: 'x'.repeat(100_000) } as never);
    expect(await cut).toBe('transport close');
    expect(await bystander.emitWithAck('conversation:join', { conversationId: convA })).toHaveProperty('data');
    bystander.close();
  });

  it('is still up and healthy after all of it', async () => {
    expect((await fetch(`${ctx.stack.serverUrl}/api/health`)).status).toBe(200);
  });
});
