import { afterAll, describe, expect, it } from 'vitest';
import { RealtimeClients, subscribed } from '../support/realtime';
import { useTestStack } from '../support/fixture';
import { api, customer } from '../support/stack';
import { until } from '../support/wait';

/**
 * Issue 29: Realtime sends a DELETE with the deleted row's primary key to every subscriber of the
 * table, whatever its RLS (hosted Supabase does the same: deletes cannot be filtered), so a read
 * state deleted in one organisation told anyone with the anon key which agent had read which
 * conversation. The publication publishes inserts and updates only.
 */
describe('Realtime deletes, as a subscriber of another organisation or with the anon key sees them', () => {
  const ctx = useTestStack({ orgs: { a: 2, b: 1 } });
  const clients = new RealtimeClients(() => ctx.stack);
  afterAll(() => clients.closeAll());

  it('publishes no delete of any table (the anon key and another organisation hear nothing of org A’s deleted read states)', async () => {
    const { rows } = await ctx.stack.db.query<{ pubinsert: boolean; pubupdate: boolean; pubdelete: boolean; pubtruncate: boolean }>(
      "select pubinsert, pubupdate, pubdelete, pubtruncate from pg_publication where pubname = 'supabase_realtime'",
    );
    expect(rows[0]).toEqual({ pubinsert: true, pubupdate: true, pubdelete: false, pubtruncate: false });

    const heard: Record<'anon' | 'b' | 'a', Array<{ table: string; type: string; old: unknown }>> = { anon: [], b: [], a: [] };
    const listen = async (name: keyof typeof heard, token: string | null) => {
      const sb = await clients.client(token);
      let ch = sb.channel(`deletes-${name}`);
      for (const table of ['read_states', 'messages', 'conversations', 'contacts']) {
        ch = ch.on('postgres_changes', { event: '*', schema: 'public', table }, (p) => heard[name].push({ table, type: p.eventType, old: p.old }));
      }
      await subscribed(ch, true);
    };
    await listen('anon', null);
    await listen('b', ctx.b.agents[0]!.token);
    await listen('a', ctx.a.agents[0]!.token);

    // Agent a1 reads a conversation (a read state of org A), then leaves: its read states are deleted.
    const [a0, a1] = ctx.a.agents;
    const res = await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: 'Is my order on its way?' });
    const conversationId = (
      await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid])
    ).rows[0]!.conversation_id;
    expect((await api(ctx.stack, a1!.token, `/api/conversations/${conversationId}/read`, 'POST')).status).toBe(200);
    await ctx.stack.db.query('delete from read_states where agent_id = $1', [a1!.id]);
    await ctx.stack.db.query('delete from agents where id = $1', [a1!.id]);
    // After the deletes in the log: a read state of a0's own (a0 hears it), and a message to org B (b hears it).
    expect((await api(ctx.stack, a0!.token, `/api/conversations/${conversationId}/read`, 'POST')).status).toBe(200);
    await ctx.stack.inbound({ from: customer(), to: ctx.b.number, body: 'Hello B' });
    await until(() => heard.a.some((h) => h.table === 'read_states') && heard.b.some((h) => h.table === 'messages'), { what: 'the changes after the deletes' });

    for (const name of ['anon', 'b', 'a'] as const) expect(heard[name].filter((h) => h.type === 'DELETE')).toEqual([]);
    // Nothing of organisation A at all reached the anon key or organisation B.
    expect(heard.anon).toEqual([]);
    expect(JSON.stringify(heard.b)).not.toContain(a1!.id);
    expect(JSON.stringify(heard.b)).not.toContain(conversationId);
  });
});
