import { createClient } from '@supabase/supabase-js';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
// The oldest realtime-js still in the field (supabase-js 2.39 shipped it): protocol 1.0.0, and no
// `presence.enabled` in its join.
import { RealtimeClient as OldRealtimeClient } from 'realtime-js-2.9';
import { useTestStack } from '../support/fixture';
import { customer } from '../support/stack';
import { until } from '../support/wait';

/**
 * Presence, postgres_changes and broadcast work for every realtime-js from 2.9 to the latest: the
 * oldest is tried as a user of supabase-js 2.39 would, the newest through supabase-js itself.
 */
describe('Older Realtime clients', () => {
  const ctx = useTestStack({ orgs: { org: 2 } });
  const closers: Array<() => void> = [];
  afterAll(() => closers.forEach((c) => c()));

  const oldClient = (token: string) => {
    // No transport option: realtime-js 2.9 never wires up a custom one; on Node it loads `ws` itself.
    const client = new OldRealtimeClient(`${ctx.stack.config.supabaseUrl.replace(/^http/, 'ws')}/realtime/v1`, {
      params: { apikey: ctx.stack.config.supabaseAnonKey },
    });
    client.setAuth(token);
    closers.push(() => client.disconnect());
    return client;
  };
  const subscribedOld = (channel: ReturnType<ReturnType<typeof oldClient>['channel']>) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not subscribed')), 10_000);
      channel.subscribe((status: string) => {
        if (status === 'SUBSCRIBED') {
          clearTimeout(timer);
          resolve();
        }
      });
    });

  it('realtime-js 2.9: presence syncs (state, join, leave) with the newest client on the same channel', async () => {
    const [alice, bob] = ctx.org.agents;
    const old = oldClient(alice!.token);
    const events: string[] = [];
    let synced = 0;
    const och = old.channel('presence:old-and-new', { config: { presence: { key: 'alice' } } });
    och
      .on('presence', { event: 'sync' }, () => synced++)
      .on('presence', { event: 'join' }, ({ key }: { key: string }) => events.push(`join:${key}`))
      .on('presence', { event: 'leave' }, ({ key }: { key: string }) => events.push(`leave:${key}`));
    await subscribedOld(och);
    await until(() => synced > 0, { what: 'the first presence sync (presence_state)' });
    await och.track({ name: 'Alice (old client)' });
    await until(() => events.includes('join:alice'), { what: 'alice joining' });

    const newest = createClient(ctx.stack.config.supabaseUrl, ctx.stack.config.supabaseAnonKey, {
      auth: { persistSession: false },
      realtime: { transport: WebSocket as never },
    });
    await newest.realtime.setAuth(bob!.token);
    closers.push(() => void newest.realtime.disconnect());
    const nch = newest.channel('presence:old-and-new', { config: { presence: { key: 'bob' } } });
    const seenByNew: string[] = [];
    nch.on('presence', { event: 'join' }, ({ key }) => seenByNew.push(key));
    await new Promise<void>((resolve) => nch.subscribe((s) => s === 'SUBSCRIBED' && resolve()));
    await until(() => seenByNew.includes('alice'), { what: 'the newest client seeing alice' });
    await nch.track({ name: 'Bob (newest client)' });
    await until(() => events.includes('join:bob'), { what: 'the old client seeing bob' });
    expect(Object.keys(och.presenceState()).sort()).toEqual(['alice', 'bob']);
    await nch.untrack();
    await until(() => events.includes('leave:bob'), { what: 'the old client seeing bob leave' });
    expect(Object.keys(och.presenceState())).toEqual(['alice']);
  });

  it('realtime-js 2.9: postgres_changes under RLS, and broadcast', async () => {
    const old = oldClient(ctx.org.agents[0]!.token);
    const rows: Array<{ body?: string }> = [];
    const ch = old.channel('db-changes-old');
    ch.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, (p: { new: { body?: string } }) => rows.push(p.new));
    await subscribedOld(ch);
    await new Promise((r) => setTimeout(r, 300)); // the change stream is attached right after the join
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'Seen by an old client' });
    await until(() => rows.some((r) => r.body === 'Seen by an old client'), { what: 'the insert' });

    const got: unknown[] = [];
    const b1 = old.channel('room-old', { config: { broadcast: { self: true } } });
    b1.on('broadcast', { event: 'ping' }, (p: { payload: unknown }) => got.push(p.payload));
    await subscribedOld(b1);
    await b1.send({ type: 'broadcast', event: 'ping', payload: { n: 1 } });
    await until(() => got.length === 1, { what: 'the broadcast' });
  });
});
