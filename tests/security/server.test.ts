import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { SyncResponse } from '../../lib/contract/api';
import { STAND_IN_TEMPLATES } from '../../server/dev/twilio-stand-in/server';
import { api, connectSocket, customer, nextEvent, type TestOrg, type TestSocket } from '../support/stack';
import { useTestStack } from '../support/fixture';

/**
 * The Switchboard server as an attacker meets it: another organisation's templates, a removed or
 * moved agent keeping its sockets, forged sync cursors, operator routes, connection floods, and a
 * web page calling the API.
 */
describe('Server: agents, templates, cursors, operators and connection limits', () => {
  const ctx = useTestStack({ env: { SOCKETS_PER_AGENT: '3', HANDSHAKES_PER_IP: '40' }, orgs: { a: 2, b: 2 } });
  const sockets: TestSocket[] = [];

  afterAll(async () => {
    sockets.forEach((s) => s.close());
  });
  const connect = async (token: string) => {
    const s = await connectSocket(ctx.stack, token);
    sockets.push(s);
    return s;
  };
  const conversationOf = async (org: TestOrg, hoursAgo = 0) => {
    const res = await ctx.stack.inbound({ from: customer(), to: org.number, body: 'hello' });
    const id = (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
    if (hoursAgo) await ctx.stack.db.query(`update conversations set last_inbound_at = now() - make_interval(hours => $2) where id = $1`, [id, hoursAgo]);
    return id;
  };

  it('one organisation never lists or sends another’s templates, even on one Twilio account', async () => {
    const [approved] = STAND_IN_TEMPLATES;
    // Organisation B was given only `order_update`; A has both approved ones.
    await ctx.stack.db.query('delete from organisation_templates where organisation_id = $1 and content_sid = $2', [ctx.b.id, approved.sid]);
    const convB = await conversationOf(ctx.b, 30);
    const listed = await api<{ templates: Array<{ sid: string }> }>(ctx.stack, ctx.b.agents[0]!.token, `/api/conversations/${convB}/templates`);
    expect(listed.body.templates.map((t) => t.sid)).toEqual([STAND_IN_TEMPLATES[1].sid]);
    const sent = await api<{ error: string }>(ctx.stack, ctx.b.agents[0]!.token, `/api/conversations/${convB}/messages`, 'POST', {
      id: randomUUID(),
      template: { sid: approved.sid, variables: {} },
    });
    expect(sent.status).toBe(422);
    expect(sent.body.error).toBe('template_not_approved');
    expect((await ctx.stack.db.query('select 1 from messages where conversation_id = $1 and direction = $2', [convB, 'outbound'])).rowCount).toBe(0);
    const convA = await conversationOf(ctx.a, 30);
    const listedA = await api<{ templates: Array<{ sid: string }> }>(ctx.stack, ctx.a.agents[0]!.token, `/api/conversations/${convA}/templates`);
    expect(listedA.body.templates.map((t) => t.sid)).toEqual([STAND_IN_TEMPLATES[0].sid, STAND_IN_TEMPLATES[1].sid]);
  });

  it('a forged or another agent’s sync cursor is refused, not answered with the whole history', async () => {
    const token = ctx.a.agents[0]!.token;
    for (const forged of ['1:1:', '1:1:.AAAA', `1:1:.${'A'.repeat(43)}`]) {
      const res = await api<{ error: string }>(ctx.stack, token, `/api/sync?cursor=${encodeURIComponent(forged)}`);
      expect([forged, res.status, res.body.error]).toEqual([forged, 400, 'bad_cursor']);
    }
    const colleagues = (await api<SyncResponse>(ctx.stack, ctx.a.agents[1]!.token, '/api/sync')).body.cursor;
    expect((await api(ctx.stack, token, `/api/sync?cursor=${encodeURIComponent(colleagues)}`)).status).toBe(400);
    const own = (await api<SyncResponse>(ctx.stack, token, '/api/sync')).body.cursor;
    expect((await api(ctx.stack, token, `/api/sync?cursor=${encodeURIComponent(own)}`)).status).toBe(200);
  });

  it('search needs 3 characters (the trigram index’s minimum)', async () => {
    const res = await api<{ message: string }>(ctx.stack, ctx.a.agents[0]!.token, '/api/search?q=he');
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/at least 3 characters/);
    expect((await api(ctx.stack, ctx.a.agents[0]!.token, '/api/search?q=hel')).status).toBe(200);
  });

  it('metrics and socket details are for operators only', async () => {
    for (const path of ['/api/metrics', '/api/socket']) {
      expect((await api(ctx.stack, null, path)).status).toBe(401);
      expect((await api(ctx.stack, ctx.a.agents[0]!.token, path)).status).toBe(401);
      expect((await api(ctx.stack, ctx.stack.config.operatorToken, path)).status).toBe(200);
    }
  });

  it('a web page cannot call the API or open a socket, even with a token it stole', async () => {
    const res = await fetch(`${ctx.stack.serverUrl}/api/sync`, {
      headers: { authorization: `Bearer ${ctx.a.agents[0]!.token}`, origin: 'https://crm.evil.example' },
    });
    expect(res.status).toBe(403);
    const ok = await fetch(`${ctx.stack.serverUrl}/api/sync`, {
      headers: { authorization: `Bearer ${ctx.a.agents[0]!.token}`, origin: 'chrome-extension://abcdefghijklmnop' },
    });
    expect(ok.status).toBe(200);
    const { io } = await import('socket.io-client');
    const page = io(ctx.stack.serverUrl, {
      transports: ['websocket'],
      auth: { token: ctx.a.agents[0]!.token },
      reconnection: false,
      forceNew: true,
      extraHeaders: { origin: 'https://crm.evil.example' },
    });
    const outcome = await new Promise<string>((resolve) => {
      page.once('connect', () => resolve('connected'));
      page.once('connect_error', (err) => resolve(`refused: ${err.message}`));
    });
    page.close();
    expect(outcome).toMatch(/^refused/);
  });

  it('an agent holds at most the configured number of sockets', async () => {
    const token = ctx.b.agents[1]!.token;
    for (let i = 0; i < 3; i++) await connect(token);
    await expect(connectSocket(ctx.stack, token)).rejects.toThrow(/rate_limited: this agent already holds 3 connections/);
    sockets.pop()!.close();
    await vi.waitFor(async () => sockets.push(await connectSocket(ctx.stack, token)));
  });

  it('an agent moved to another organisation is told and cut at its next token refresh', async () => {
    const agent = ctx.a.agents[1]!;
    const socket = await connect(agent.token);
    const told = nextEvent(socket, 'session:revoked');
    const cut = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    await ctx.stack.db.query('update agents set organisation_id = $2 where id = $1', [agent.id, ctx.b.id]);
    try {
      const ack = await socket
        .timeout(5000)
        .emitWithAck('auth:refresh', { token: agent.token })
        .catch((e: Error) => ({ error: e.message }));
      expect(await told).toEqual({ reason: 'moved' });
      expect(await cut).toBe('io server disconnect');
      expect(ack).not.toHaveProperty('data');
      // Reconnecting puts it in its new organisation only: A's messages no longer reach it.
      const again = await connect(agent.token);
      const leaked: string[] = [];
      again.on('message:new', ({ message }) => leaked.push(message.body));
      const seenByA = nextEvent(await connect(ctx.a.agents[0]!.token), 'message:new');
      await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: 'for A only' });
      await seenByA;
      const seenByB = nextEvent(again, 'message:new');
      await ctx.stack.inbound({ from: customer(), to: ctx.b.number, body: 'for B' });
      await seenByB;
      expect(leaked).toEqual(['for B']);
    } finally {
      await ctx.stack.db.query('update agents set organisation_id = $2 where id = $1', [agent.id, ctx.a.id]);
    }
  });

  it('handshakes per address are rate limited (X-Forwarded-For is not believed)', async () => {
    const { io } = await import('socket.io-client');
    let refusedAt = -1;
    for (let i = 0; i < 60 && refusedAt < 0; i++) {
      const s = io(ctx.stack.serverUrl, {
        transports: ['websocket'],
        auth: { token: 'garbage' },
        reconnection: false,
        forceNew: true,
        extraHeaders: { 'x-forwarded-for': `198.51.100.${i}` },
      });
      const message = await new Promise<string>((resolve) => s.once('connect_error', (err) => resolve(err.message)));
      s.close();
      if (message.startsWith('rate_limited')) refusedAt = i;
    }
    expect(refusedAt).toBeGreaterThan(0);
    expect(refusedAt).toBeLessThanOrEqual(40);
  });
});

describe('Server: a removed agent loses its sockets at the periodic re-check', () => {
  const ctx2 = useTestStack({ env: { AGENT_RECHECK_MS: '200' }, orgs: { org: 1 } });

  it('is told, cut, and refused on REST and on reconnecting', async () => {
    const agent = ctx2.org.agents[0]!;
    const socket = await connectSocket(ctx2.stack, agent.token);
    const told = nextEvent(socket, 'session:revoked');
    const cut = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    await ctx2.stack.db.query('delete from agents where id = $1', [agent.id]);
    expect(await told).toEqual({ reason: 'removed' });
    expect(await cut).toBe('io server disconnect');
    expect((await api(ctx2.stack, agent.token, '/api/sync')).status).toBe(403);
    await expect(connectSocket(ctx2.stack, agent.token)).rejects.toThrow(/forbidden: not an agent/);
  });
});
