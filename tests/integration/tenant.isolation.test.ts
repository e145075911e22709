import { beforeAll, describe, expect, it } from 'vitest';
import type { SyncResponse } from '../../lib/contract/api';
import { api, connectSocket, customer, nextEvent } from '../support/stack';
import { useTestStack } from '../support/fixture';

describe('Tenant isolation', () => {
  const ctx = useTestStack({ orgs: { a: 1, b: 1 } });
  let conversationOfA: string;
  beforeAll(async () => {
    await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: 'secret of A' });
    await ctx.stack.inbound({ from: customer(), to: ctx.b.number, body: 'hello B' });
    conversationOfA = (await ctx.stack.db.query<{ id: string }>('select id from conversations where organisation_id = $1', [ctx.a.id])).rows[0]!.id;
  });

  it('an agent never syncs another organisation’s data', async () => {
    const full = await api<SyncResponse>(ctx.stack, ctx.b.agents[0]!.token, '/api/sync');
    expect(full.body.conversations.map((c) => c.lastMessagePreview)).toEqual(['hello B']);
    await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: 'another secret of A' });
    const delta = await api<SyncResponse>(ctx.stack, ctx.b.agents[0]!.token, `/api/sync?cursor=${encodeURIComponent(full.body.cursor)}`);
    expect(delta.body.conversations).toEqual([]);
    expect(delta.body.messages).toEqual([]);
  });

  it('another organisation’s conversation is not found, for reading and for marking read', async () => {
    const token = ctx.b.agents[0]!.token;
    expect((await api(ctx.stack, token, `/api/conversations/${conversationOfA}/messages`)).status).toBe(404);
    expect((await api(ctx.stack, token, `/api/conversations/${conversationOfA}/read`, 'POST')).status).toBe(404);
    expect((await api(ctx.stack, ctx.a.agents[0]!.token, `/api/conversations/${conversationOfA}/messages`)).status).toBe(200);
  });

  it('an agent of org B never receives org A’s messages over Socket.IO', async () => {
    const socketA = await connectSocket(ctx.stack, ctx.a.agents[0]!.token);
    const socketB = await connectSocket(ctx.stack, ctx.b.agents[0]!.token);
    const leaked: string[] = [];
    socketB.on('message:new', ({ message }) => leaked.push(message.body));
    const gotA = nextEvent(socketA, 'message:new');
    await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: 'only for A' });
    expect((await gotA).message.body).toBe('only for A');
    // B's own message arrives after A's, on the same server: if A's were going to leak, it would be first.
    const gotB = nextEvent(socketB, 'message:new');
    await ctx.stack.inbound({ from: customer(), to: ctx.b.number, body: 'for B' });
    expect((await gotB).message.body).toBe('for B');
    expect(leaked).toEqual(['for B']);
    socketA.close();
    socketB.close();
  });

  it('refuses requests without a valid agent token', async () => {
    expect((await api(ctx.stack, null, '/api/sync')).status).toBe(401);
    expect((await api(ctx.stack, 'not.a.jwt', '/api/sync')).status).toBe(401);
    // The anon key is a valid Supabase JWT but not a signed-in agent.
    expect((await api(ctx.stack, ctx.stack.config.supabaseAnonKey, '/api/sync')).status).toBe(403);
  });
});
