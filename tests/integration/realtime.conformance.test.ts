import type { RealtimePostgresChangesPayload } from '@supabase/supabase-js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signSupabaseJwt } from '../../server/auth/jwt';
import { RealtimeClients, sleep, subscribed, until } from '../support/realtime';
import { customer } from '../support/stack';
import { useTestStack } from '../support/fixture';

type Row = { id: number; n: number; label: string | null; organisation_id: string };

/** The unmodified supabase-js Realtime client against the local stack, as against hosted Supabase. */
describe('Local Realtime conformance', () => {
  const ctx = useTestStack({ orgs: { a: 2, b: 1 } });
  const clients = new RealtimeClients(() => ctx.stack);
  let nextId = 1;

  beforeAll(async () => {
    // A table of numbers to exercise every filter operator, with the same tenant policy as ours.
    await ctx.stack.db.query(`
      create table public.rt_items (id bigint primary key, n int not null, label text, organisation_id uuid not null);
      alter table public.rt_items enable row level security;
      create policy "org" on public.rt_items for select to authenticated using (organisation_id = public.my_organisation_id());
      alter publication supabase_realtime add table public.rt_items;
      -- Switchboard's publication publishes no deletes (they reach every subscriber); the local
      -- Realtime still plays them as hosted Supabase does for a project that publishes them.
      alter publication supabase_realtime set (publish = 'insert, update, delete');`);
  });
  afterEach(() => clients.closeAll());

  const insertItem = async (n: number, org = ctx.a.id, label: string | null = null) => {
    const id = nextId++;
    await ctx.stack.db.query('insert into rt_items (id, n, label, organisation_id) values ($1, $2, $3, $4)', [id, n, label, org]);
    return id;
  };
  const token = (agentId: string, expiresInSeconds: number) =>
    signSupabaseJwt(ctx.stack.local!.jwtSecret, {
      role: 'authenticated',
      sub: agentId,
      aud: 'authenticated',
      exp: Math.floor(Date.now() / 1000) + expiresInSeconds,
    });

  it('applies each filter operator: eq, neq, lt, lte, gt, gte, in', async () => {
    const sb = await clients.client(ctx.a.agents[0]!.token);
    const got: Record<string, number[]> = {};
    const filters = { eq: 'n=eq.5', neq: 'n=neq.5', lt: 'n=lt.5', lte: 'n=lte.5', gt: 'n=gt.5', gte: 'n=gte.5', in: 'n=in.(1,5,9)' };
    let channel = sb.channel('filters');
    for (const [op, filter] of Object.entries(filters)) {
      got[op] = [];
      channel = channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rt_items', filter }, (p: RealtimePostgresChangesPayload<Row>) =>
        got[op]!.push((p.new as Row).n),
      );
    }
    await subscribed(channel, true);
    for (const n of [1, 5, 9]) await insertItem(n);
    const expected = { eq: [5], neq: [1, 9], lt: [1], lte: [1, 5], gt: [9], gte: [5, 9], in: [1, 5, 9] };
    await until(() => Object.entries(expected).every(([op, v]) => got[op]!.length >= v.length), 'filtered inserts');
    await sleep(200); // nothing further may arrive
    expect(got).toEqual(expected);
  });

  it('matches an eq filter on a uuid however the uuid is spelled, and no other value', async () => {
    const sb = await clients.client(ctx.a.agents[0]!.token);
    const org = ctx.a.id;
    const spellings = { canonical: org, upper: `{${org.toUpperCase()}}`, bare: org.replaceAll('-', ''), other: '00000000-0000-4000-8000-000000000001' };
    const got: Record<string, number[]> = {};
    let channel = sb.channel('uuid-filters');
    for (const [name, value] of Object.entries(spellings)) {
      got[name] = [];
      channel = channel.on(
        'postgres_changes',
        { event: 'INSERT', schema: 'public', table: 'rt_items', filter: `organisation_id=eq.${value}` },
        (p: RealtimePostgresChangesPayload<Row>) => got[name]!.push((p.new as Row).n),
      );
    }
    await subscribed(channel, true);
    await insertItem(41);
    await until(() => got.canonical!.length > 0 && got.upper!.length > 0 && got.bare!.length > 0, 'the insert under each spelling');
    await sleep(200); // nothing further may arrive
    expect(got).toEqual({ canonical: [41], upper: [41], bare: [41], other: [] });
  });

  it('delivers INSERT, UPDATE and DELETE with the record shapes supabase-js expects, and `*`', async () => {
    const sb = await clients.client(ctx.a.agents[0]!.token);
    const all: Array<RealtimePostgresChangesPayload<Row>> = [];
    const updates: Array<RealtimePostgresChangesPayload<Row>> = [];
    const channel = sb
      .channel('events')
      .on('postgres_changes', { event: '*', schema: 'public', table: 'rt_items' }, (p: RealtimePostgresChangesPayload<Row>) => all.push(p))
      .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'rt_items' }, (p: RealtimePostgresChangesPayload<Row>) => updates.push(p));
    await subscribed(channel, true);
    // One at a time: as on hosted Supabase, RLS is checked against the row as it is when the
    // change is dispatched, so a row already deleted would hide its own INSERT.
    const id = await insertItem(7, ctx.a.id, 'seven');
    await until(() => all.length === 1, 'the insert');
    await ctx.stack.db.query('update rt_items set label = $2 where id = $1', [id, 'SEVEN']);
    await until(() => all.length === 2, 'the update');
    await ctx.stack.db.query('delete from rt_items where id = $1', [id]);
    await until(() => all.length === 3, 'the delete');
    expect(all.map((p) => p.eventType)).toEqual(['INSERT', 'UPDATE', 'DELETE']);
    expect(all[0]!.new).toMatchObject({ id, n: 7, label: 'seven', organisation_id: ctx.a.id });
    expect(all[1]!.new).toMatchObject({ id, label: 'SEVEN' });
    expect(all[1]!.old).toEqual({ id });
    expect(all[2]!.old).toEqual({ id }); // RLS table: a DELETE reveals only the primary key
    expect(all[0]!.commit_timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(updates).toHaveLength(1);
  });

  it('enforces RLS per subscriber: another organisation and the anon role see nothing', async () => {
    const received: Record<string, string[]> = { a: [], b: [], anon: [] };
    const watch = async (who: string, token: string | null) => {
      const sb = await clients.client(token);
      const ch = sb
        .channel(`inbox-${who}`)
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, (p) => received[who]!.push((p.new as { body: string }).body));
      await subscribed(ch, true);
    };
    await watch('a', ctx.a.agents[0]!.token);
    await watch('b', ctx.b.agents[0]!.token);
    await watch('anon', null);
    await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: 'for A only' });
    await until(() => received.a!.length === 1, 'A’s message');
    await ctx.stack.inbound({ from: customer(), to: ctx.b.number, body: 'for B only' });
    await until(() => received.b!.length === 1, 'B’s message');
    await sleep(200);
    expect(received).toEqual({ a: ['for A only'], b: ['for B only'], anon: [] });
  });

  it('broadcasts with self and ack', async () => {
    const sender = await clients.client(ctx.a.agents[0]!.token);
    const listener = await clients.client(ctx.a.agents[1]!.token);
    const seen: Record<string, unknown[]> = { sender: [], listener: [] };
    const sch = sender
      .channel('room1', { config: { broadcast: { self: true, ack: true } } })
      .on('broadcast', { event: 'cursor' }, (m) => seen.sender!.push(m.payload));
    const lch = listener.channel('room1').on('broadcast', { event: 'cursor' }, (m) => seen.listener!.push(m.payload));
    await subscribed(sch, false);
    await subscribed(lch, false);
    expect(await sch.send({ type: 'broadcast', event: 'cursor', payload: { x: 1, y: 2 } })).toBe('ok');
    await until(() => seen.sender!.length === 1 && seen.listener!.length === 1, 'broadcast to both');

    // Without self, the sender does not hear itself.
    const quiet = await clients.client(ctx.a.agents[0]!.token);
    const qch = quiet.channel('room2').on('broadcast', { event: 'ping' }, (m) => seen.sender!.push(m.payload));
    const other = await clients.client(ctx.a.agents[1]!.token);
    const och = other.channel('room2').on('broadcast', { event: 'ping' }, (m) => seen.listener!.push(m.payload));
    await subscribed(qch, false);
    await subscribed(och, false);
    await qch.send({ type: 'broadcast', event: 'ping', payload: { n: 1 } });
    await until(() => seen.listener!.length === 2, 'ping to the other client');
    await sleep(100);
    expect(seen.sender).toEqual([{ x: 1, y: 2 }]);
  });

  it('tracks presence: join and leave between two clients', async () => {
    const alice = await clients.client(ctx.a.agents[0]!.token);
    const bob = await clients.client(ctx.a.agents[1]!.token);
    const events: string[] = [];
    const ach = alice.channel('presence-room', { config: { presence: { key: 'alice' } } });
    ach.on('presence', { event: 'join' }, ({ key }) => events.push(`join:${key}`)).on('presence', { event: 'leave' }, ({ key }) => events.push(`leave:${key}`));
    await subscribed(ach, false);
    await ach.track({ name: 'Alice' });
    const bch = bob.channel('presence-room', { config: { presence: { key: 'bob' } } });
    await subscribed(bch, false);
    await bch.track({ name: 'Bob' });
    await until(() => events.includes('join:bob'), 'bob joining');
    expect(Object.keys(ach.presenceState()).sort()).toEqual(['alice', 'bob']);
    await bch.untrack();
    await until(() => events.includes('leave:bob'), 'bob leaving');
    expect(Object.keys(ach.presenceState())).toEqual(['alice']);
  });

  it('keeps streaming when the access token is refreshed mid-stream', async () => {
    const sb = await clients.client(await token(ctx.a.agents[0]!.id, 3));
    const bodies: string[] = [];
    const ch = sb
      .channel('refresh')
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, (p) => bodies.push((p.new as { body: string }).body));
    const w = await subscribed(ch, true);
    await sb.realtime.setAuth(await token(ctx.a.agents[0]!.id, 3600));
    await sleep(3500); // past the first token's expiry
    await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: 'after refresh' });
    await until(() => bodies.includes('after refresh'), 'a change after the refresh');
    expect(w.statuses).not.toContain('CLOSED');
  });

  it('closes a channel whose token expires, as Supabase does', async () => {
    const sb = await clients.client(await token(ctx.a.agents[0]!.id, 2));
    const ch = sb.channel('expiring').on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, () => {});
    const w = await subscribed(ch, true);
    await until(() => w.statuses.includes('CLOSED'), 'the channel to close', 6000);
    expect(w.system.some((s) => s.status === 'error' && /Token has expired/.test(s.message ?? ''))).toBe(true);
  });

  it('refuses a join with an expired token (CHANNEL_ERROR)', async () => {
    const sb = await clients.client(await token(ctx.a.agents[0]!.id, -10));
    const w = { statuses: [] as string[], errors: [] as string[] };
    sb.channel('late').subscribe((s, err) => {
      w.statuses.push(s);
      if (err) w.errors.push(err.message);
    });
    await until(() => w.statuses.includes('CHANNEL_ERROR'), 'the join error');
    expect(w.errors[0]).toMatch(/InvalidJWTToken: Token has expired \d+ seconds ago/);
  });

  it('reports a bad API key as a channel error', async () => {
    const sb = await clients.client(null, { apiKey: 'not-a-key' });
    const statuses: string[] = [];
    sb.channel('nope').subscribe((s) => statuses.push(s));
    await until(() => statuses.includes('CHANNEL_ERROR'), 'CHANNEL_ERROR');
  });

  it('speaks protocol 1.0.0 too', async () => {
    const sb = await clients.client(ctx.a.agents[0]!.token, { vsn: '1.0.0' });
    const got: string[] = [];
    const ch = sb
      .channel('v1', { config: { broadcast: { self: true } } })
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages' }, (p) => got.push((p.new as { body: string }).body))
      .on('broadcast', { event: 'hi' }, (m) => got.push(String((m.payload as { text: string }).text)));
    await subscribed(ch, true);
    await ch.send({ type: 'broadcast', event: 'hi', payload: { text: 'broadcast v1' } });
    await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: 'change v1' });
    await until(() => got.length === 2, 'both events');
    expect(got.sort()).toEqual(['broadcast v1', 'change v1']);
  });

  it('reports a table outside the publication as a postgres_changes error', async () => {
    const sb = await clients.client(ctx.a.agents[0]!.token);
    const ch = sb.channel('unrouted').on('postgres_changes', { event: '*', schema: 'public', table: 'unrouted_messages' }, () => {});
    const system: Array<{ status?: string; message?: string }> = [];
    ch.on('system', {}, (p: { status?: string; message?: string }) => system.push(p));
    ch.subscribe();
    await until(() => system.length > 0, 'a system message');
    expect(system[0]).toMatchObject({ status: 'error', message: expect.stringContaining('Unable to subscribe to changes') });
  });
});
