import { describe, expect, it } from 'vitest';
import { signSupabaseJwt } from '../../server/auth/jwt';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { api, connectSocket, customer, nextEvent } from '../support/stack';
import { useTestStack } from '../support/fixture';

describe('Socket.IO', () => {
  const ctx = useTestStack({ orgs: { org: 2 } });

  it('refuses a connection without a token, with the anon key, or with a forged token', async () => {
    await expect(connectSocket(ctx.stack, null)).rejects.toThrow(/unauthorized/);
    await expect(connectSocket(ctx.stack, ctx.stack.config.supabaseAnonKey)).rejects.toThrow(/unauthorized/);
    const [h, p] = ctx.org.agents[0]!.token.split('.');
    await expect(connectSocket(ctx.stack, `${h}.${p}.forgedsignature`)).rejects.toThrow(/unauthorized/);
  });

  it('emits every stored inbound message to every agent of the organisation, once', async () => {
    const sockets = await Promise.all(ctx.org.agents.map((a) => connectSocket(ctx.stack, a.token)));
    const counts = sockets.map(() => 0);
    sockets.forEach((s, i) => s.on('message:new', () => counts[i]!++));
    const events = sockets.map((s) => nextEvent(s, 'message:new'));
    const messageSid = newSid('SM');
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'to everyone', messageSid, profileName: 'Zoe' });
    for (const e of events) {
      const { message, conversation } = await e;
      expect(message).toMatchObject({ body: 'to everyone', direction: 'inbound', twilioSid: messageSid });
      expect(conversation.contact.profileName).toBe('Zoe');
    }
    // A Twilio retry of the same message is not emitted again.
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'to everyone', messageSid });
    const marker = nextEvent(sockets[0]!, 'message:new');
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'marker' });
    await marker;
    expect(counts[0]).toBe(2);
    const status = await api<{ status: string; connections: number }>(ctx.stack, ctx.stack.config.operatorToken, '/api/socket');
    expect(status.body).toMatchObject({ status: 'up', connections: 2 });
    sockets.forEach((s) => s.close());
  });

  it('encodes a new message once for the organisation’s room, however many sockets are in it', async () => {
    // Three devices per agent: six sockets, one encoding (engine.io writes the same frame to each).
    const sockets = await Promise.all([...ctx.org.agents, ...ctx.org.agents, ...ctx.org.agents].map((a) => connectSocket(ctx.stack, a.token)));
    const encoder = ctx.stack.app.io.encoder;
    const encode = encoder.encode.bind(encoder);
    const encoded: string[] = [];
    encoder.encode = (packet) => {
      if (Array.isArray(packet.data)) encoded.push(String(packet.data[0]));
      return encode(packet);
    };
    try {
      const events = sockets.map((s) => nextEvent(s, 'message:new'));
      await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'one encoding' });
      for (const e of events) expect((await e).message.body).toBe('one encoding');
      expect(encoded.filter((event) => event === 'message:new')).toHaveLength(1);
    } finally {
      encoder.encode = encode;
      sockets.forEach((s) => s.close());
    }
  });

  it('tells the agent’s other devices when a conversation is read', async () => {
    const agent = ctx.org.agents[0]!;
    const otherDevice = await connectSocket(ctx.stack, agent.token);
    const colleague = await connectSocket(ctx.stack, ctx.org.agents[1]!.token);
    const colleagueEvents: unknown[] = [];
    colleague.on('conversation:read', (e) => colleagueEvents.push(e));
    const res = await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'read me' });
    expect(res.status).toBe(200);
    const { rows } = await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [
      res.params.MessageSid,
    ]);
    const read = nextEvent(otherDevice, 'conversation:read');
    expect((await api(ctx.stack, agent.token, `/api/conversations/${rows[0]!.conversation_id}/read`, 'POST')).status).toBe(200);
    expect((await read).conversationId).toBe(rows[0]!.conversation_id);
    expect(colleagueEvents).toEqual([]);
    otherDevice.close();
    colleague.close();
  });

  it('answers the client’s heartbeat at once, as the extension’s check that the server is answering', async () => {
    const socket = await connectSocket(ctx.stack, ctx.org.agents[0]!.token);
    const ack = await socket.timeout(4000).emitWithAck('heartbeat');
    expect(ack).toMatchObject({ data: { at: expect.any(Number) } });
    socket.close();
  });

  it('ends a socket when its token expires, unless the client refreshes it in time', async () => {
    const agent = ctx.org.agents[0]!;
    const token = (sub: string, seconds: number) =>
      signSupabaseJwt(ctx.stack.local!.jwtSecret, { role: 'authenticated', sub, aud: 'authenticated', exp: Math.floor(Date.now() / 1000) + seconds });
    const expiring = await connectSocket(ctx.stack, await token(agent.id, 2));
    const refreshed = await connectSocket(ctx.stack, await token(agent.id, 2));
    const ack = await refreshed.emitWithAck('auth:refresh', { token: await token(agent.id, 3600) });
    expect('data' in ack).toBe(true);
    const wrongUser = await refreshed.emitWithAck('auth:refresh', { token: await token(ctx.org.agents[1]!.id, 3600) });
    expect(wrongUser).toEqual({ error: 'token is for another user' });

    await new Promise<void>((resolve) => expiring.once('disconnect', () => resolve()));
    expect(refreshed.connected).toBe(true);
    const got = nextEvent(refreshed, 'message:new');
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'still here' });
    expect((await got).message.body).toBe('still here');
    expiring.close();
    refreshed.close();
  });
});
