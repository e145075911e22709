import { afterAll, describe, expect, it } from 'vitest';
import { RealtimeClients, subscribed } from '../support/realtime';
import { useTestStack } from '../support/fixture';
import { api, customer } from '../support/stack';
import { until } from '../support/wait';

/**
 * The local Realtime checks Row Level Security once per group of subscribers who see the same rows
 * (visibility.ts): exact all the same. Agents of two organisations, a removed agent, and read
 * states that only their own agent may see, all subscribed to the same tables at once.
 */
describe('Local Realtime: one RLS check per visibility, exact for everyone', () => {
  const ctx = useTestStack({ orgs: { a: 3, b: 2 } });
  const clients = new RealtimeClients(() => ctx.stack);
  afterAll(() => clients.closeAll());

  it('gives each subscriber exactly the rows it may read, whatever the others in its group', async () => {
    const [a0, a1, removed] = ctx.a.agents;
    const [b0, b1] = ctx.b.agents;
    const who = { a0: a0!, a1: a1!, removed: removed!, b0: b0!, b1: b1! };
    const got: Record<string, { messages: string[]; reads: string[] }> = {};
    for (const [name, agent] of Object.entries(who)) {
      got[name] = { messages: [], reads: [] };
      const sb = await clients.client(agent.token);
      const ch = sb
        .channel(`visibility-${name}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, (p) =>
          got[name]!.messages.push(String((p.new as { body: string }).body)),
        )
        .on('postgres_changes', { event: '*', schema: 'public', table: 'read_states' }, (p) =>
          got[name]!.reads.push(String((p.new as { agent_id: string }).agent_id)),
        );
      await subscribed(ch, true);
    }
    // Taken out of organisation A after subscribing: its token still works, its rows must not flow.
    await ctx.stack.db.query('delete from agents where id = $1', [removed!.id]);

    for (let i = 0; i < 3; i++) {
      await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: `for A ${i}` });
      await ctx.stack.inbound({ from: customer(), to: ctx.b.number, body: `for B ${i}` });
    }
    const res = await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: 'read me' });
    const conversationId = (
      await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid])
    ).rows[0]!.conversation_id;
    expect((await api(ctx.stack, a0!.token, `/api/conversations/${conversationId}/read`, 'POST')).status).toBe(200);
    const last = await ctx.stack.inbound({ from: customer(), to: ctx.b.number, body: 'last for B' });
    expect(last.status).toBe(200);
    await until(() => got.a1!.messages.includes('read me') && got.b1!.messages.includes('last for B') && got.a0!.reads.length > 0, {
      what: 'every change delivered',
    });

    const forA = ['for A 0', 'for A 1', 'for A 2', 'read me'];
    const forB = ['for B 0', 'for B 1', 'for B 2', 'last for B'];
    expect(got.a0!.messages.sort()).toEqual(forA.sort());
    expect(got.a1!.messages.sort()).toEqual(forA.sort());
    expect(got.b0!.messages.sort()).toEqual(forB.sort());
    expect(got.b1!.messages.sort()).toEqual(forB.sort());
    expect(got.removed!.messages).toEqual([]);
    // A read state is its own agent's only.
    expect(new Set(got.a0!.reads)).toEqual(new Set([a0!.id]));
    expect(got.a1!.reads).toEqual([]);
    expect(got.b0!.reads).toEqual([]);
    expect(got.removed!.reads).toEqual([]);
  });
});
