import { describe, expect, it } from 'vitest';
import type { AssignResponse, BulkStatusResponse, ConversationCount, CountsResponse, StatusResponse } from '../../lib/contract/api';
import { createChannel } from '../../server/admin/commands';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { useClients, useTestStack } from '../support/fixture';
import { refusedFor } from '../support/postgrest';
import { api, createTestOrg, customer, type TestOrg } from '../support/stack';
import { until } from '../support/wait';

/**
 * Issue 34 (docs/delivery-scope.md, "Counts"): the organisation's conversations counted per
 * channel, status and assigned, kept by the database whatever path changes a conversation, read by
 * `GET /api/counts` and pushed as `counts:update` to the organisation, at most once a second.
 */
describe('Organisation-wide counts', () => {
  const ctx = useTestStack({ orgs: { a: 2, b: 1, c: 1 } });
  const clients = useClients(ctx);
  const db = () => ctx.stack.db;

  const conversationWith = async (org: TestOrg, to = org.number, from = customer()) => {
    const res = await ctx.stack.inbound({ from, to, body: 'hello' });
    expect(res.status).toBe(200);
    const { rows } = await db().query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]);
    return { id: rows[0]!.conversation_id, from };
  };
  /** What the counters say. */
  const counted = async (org: TestOrg): Promise<ConversationCount[]> =>
    (
      await db().query<{ channelId: string; status: ConversationCount['status']; assigned: boolean; count: number }>(
        'select channel_id as "channelId", status, assigned, count::int from conversation_counts_of($1)',
        [org.id],
      )
    ).rows;
  /** What the conversations say, in the same order. */
  const truth = async (org: TestOrg): Promise<ConversationCount[]> =>
    (
      await db().query<{ channelId: string; status: ConversationCount['status']; assigned: boolean; count: number }>(
        `select channel_id as "channelId", status, assignee_id is not null as assigned, count(*)::int as count
           from conversations where organisation_id = $1 group by 1, 2, 3 order by 1, 2, 3`,
        [org.id],
      )
    ).rows;
  const setStatus = async (org: TestOrg, id: string, status: 'open' | 'resolved' | 'snoozed') => {
    const snoozedUntil = status === 'snoozed' ? new Date(Date.now() + 3_600_000).toISOString() : null;
    const res = await api<StatusResponse>(ctx.stack, org.agents[0]!.token, `/api/conversations/${id}/status`, 'POST', { status, snoozedUntil });
    expect(res.status).toBe(200);
  };
  const assign = async (org: TestOrg, id: string, to: string | null) => {
    const res = await api<AssignResponse>(ctx.stack, org.agents[0]!.token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: to });
    expect(res.status).toBe(200);
  };
  /** Conversations written straight into the database: no server path runs, so nothing is told. */
  const quietConversations = async (org: TestOrg, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const { rows } = await db().query<{ id: string }>(
        `with ct as (insert into contacts (organisation_id, phone_e164) values ($1, $2) returning id)
         insert into conversations (organisation_id, channel_id, contact_id) select $1, $3, id from ct returning id`,
        [org.id, customer(), org.channelId],
      );
      ids.push(rows[0]!.id);
    }
    return ids;
  };

  it('equal a count(*) group by after new conversations, status changes, assignments, channel moves and deletions, from many connections', async () => {
    const sales = await createChannel(db(), {
      organisationId: ctx.a.id,
      name: 'Sales',
      whatsappNumber: 'whatsapp:+14155599001',
      messagingServiceSid: newSid('MG'),
    });
    const salesNumber = 'whatsapp:+14155599001';
    const support = await Promise.all([1, 2, 3, 4, 5].map(() => conversationWith(ctx.a)));
    const sold = await Promise.all([1, 2].map(() => conversationWith(ctx.a, salesNumber)));
    await conversationWith(ctx.b);
    const [s1, s2, s3, s4, s5] = support.map((c) => c.id) as [string, string, string, string, string];
    // At once: each on a connection of the pool, so several writers count.
    await Promise.all([
      setStatus(ctx.a, s1, 'resolved'),
      setStatus(ctx.a, s2, 'snoozed'),
      assign(ctx.a, s3, ctx.a.agents[1]!.id),
      assign(ctx.a, sold[0]!.id, ctx.a.agents[0]!.id),
    ]);
    await assign(ctx.a, s3, ctx.a.agents[0]!.id); // assigned to another: still assigned
    await assign(ctx.a, sold[0]!.id, null);
    // The customer writes again: a BEFORE trigger reopens the resolved conversation.
    await conversationWith(ctx.a, ctx.a.number, support[0]!.from);
    expect((await db().query<{ status: string }>('select status from conversations where id = $1', [s1])).rows[0]!.status).toBe('open');
    // A bulk resolve across both channels, in one transaction.
    const bulk = await api<BulkStatusResponse>(ctx.stack, ctx.a.agents[0]!.token, '/api/conversations/status', 'POST', {
      status: 'resolved',
      conversations: [{ id: s4 }, { id: sold[1]!.id }],
    });
    expect(bulk.body.results.map((r) => r.outcome)).toEqual(['changed', 'changed']);
    // A conversation moved to the other channel, and a customer erased with their conversation.
    await db().query('update conversations set channel_id = $1 where id = $2', [sales.id, s5]);
    await db().query('delete from contacts where id = (select contact_id from conversations where id = $1)', [s3]);

    const expected = await truth(ctx.a);
    expect(expected.map((r) => r.channelId)).toContain(sales.id);
    expect(await counted(ctx.a)).toEqual(expected);
    expect(await counted(ctx.b)).toEqual(await truth(ctx.b));

    // Folded into one row per key, the same counts.
    const { rows } = await db().query<{ folded: number }>('select conversation_counts_fold($1) as folded', [ctx.a.id]);
    expect(rows[0]!.folded).toBeGreaterThan(0);
    expect((await db().query('select 1 from conversation_counts where organisation_id = $1 and writer <> 0', [ctx.a.id])).rowCount).toBe(0);
    expect(await counted(ctx.a)).toEqual(expected);
  });

  it('a channel or an organisation deleted takes its counts with it', async () => {
    const org = await createTestOrg(ctx.stack, 0);
    const other = await createChannel(db(), {
      organisationId: org.id,
      name: 'Other',
      whatsappNumber: 'whatsapp:+14155599002',
      messagingServiceSid: newSid('MG'),
    });
    await conversationWith(org);
    await conversationWith(org, 'whatsapp:+14155599002');
    await db().query('delete from channels where id = $1', [other.id]);
    expect(await counted(org)).toEqual(await truth(org));
    expect((await counted(org)).map((r) => r.channelId)).toEqual([org.channelId]);
    await db().query('delete from organisations where id = $1', [org.id]);
    expect((await db().query('select 1 from conversation_counts where organisation_id = $1', [org.id])).rowCount).toBe(0);
  });

  it('no writer waits for another’s change of the same channel, and a fold waits for no writer', async () => {
    const [c1, c2, c3] = await quietConversations(ctx.c, 3);
    await db().query(`update conversations set status = 'resolved' where id = $1`, [c3]);
    const before = await truth(ctx.c);
    const [a, b, folder] = await Promise.all([db().connect(), db().connect(), db().connect()]);
    try {
      // A lock wait would fail the statement: with one shared row per key, `b` would wait for `a`.
      for (const c of [a, b, folder]) await c.query(`begin; set local lock_timeout = '2s'`);
      await a.query(`update conversations set status = 'resolved' where id = $1`, [c1]);
      // The same keys the other way round (a reopening): a deadlock with shared rows.
      await b.query(`update conversations set status = 'open' where id = $1`, [c3]);
      await b.query(`update conversations set status = 'resolved' where id = $1`, [c2]);
      await folder.query('select conversation_counts_fold($1)', [ctx.c.id]);
      await folder.query('commit');
      expect(await counted(ctx.c)).toEqual(before); // nothing in flight is counted yet
      await a.query('commit');
      await b.query('commit');
    } finally {
      // (A transaction left open by a failure is not handed back to the pool.)
      for (const c of [a, b, folder]) {
        await c.query('rollback').catch(() => {});
        c.release();
      }
    }
    expect(await counted(ctx.c)).toEqual(await truth(ctx.c));
  });

  it('GET /api/counts answers the agent’s own organisation’s counts, nobody without a token; clients reach no count around the server', async () => {
    await conversationWith(ctx.b);
    const mine = await api<CountsResponse>(ctx.stack, ctx.a.agents[1]!.token, '/api/counts');
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ channels: await truth(ctx.a) });
    const theirs = await api<CountsResponse>(ctx.stack, ctx.b.agents[0]!.token, '/api/counts');
    expect(theirs.body).toEqual({ channels: await truth(ctx.b) });
    expect(theirs.body.channels.every((c) => c.channelId === ctx.b.channelId)).toBe(true);
    expect((await api(ctx.stack, null, '/api/counts')).status).toBe(401);
    // With their own token and the anon key (PostgREST), neither the table nor its functions.
    const agent = ctx.b.agents[0]!.id;
    for (const sql of [
      'select * from conversation_counts',
      `select * from conversation_counts_of('${ctx.b.id}')`,
      `select conversation_counts_fold('${ctx.b.id}')`,
      `insert into conversation_counts (organisation_id, channel_id, status, assigned, count) values ('${ctx.b.id}', '${ctx.b.channelId}', 'open', false, 9)`,
    ])
      expect([sql, await refusedFor(ctx.stack, agent, sql)]).toEqual([sql, { refused: true, code: '42501' }]);
  });

  it('counts:update reaches the organisation after a new conversation and after a resolve, and no other organisation', async () => {
    const [alice, stranger] = await Promise.all([clients.connect(ctx.a.agents[1]!.token), clients.connect(ctx.b.agents[0]!.token)]);
    const heard: { alice: CountsResponse[]; stranger: CountsResponse[] } = { alice: [], stranger: [] };
    alice.on('counts:update', (p) => heard.alice.push(p));
    stranger.on('counts:update', (p) => heard.stranger.push(p));
    const heardNow = async (who: 'alice' | 'stranger', org: TestOrg, what: string) => {
      const now = JSON.stringify({ channels: await truth(org) });
      await until(() => heard[who].some((p) => JSON.stringify(p) === now), { what });
    };

    const { id } = await conversationWith(ctx.a);
    await heardNow('alice', ctx.a, 'the counts with the new conversation');
    await setStatus(ctx.a, id, 'resolved');
    await heardNow('alice', ctx.a, 'the counts with it resolved');
    // The stranger's own organisation changes after: its event comes, and only its own channels ever did.
    await conversationWith(ctx.b);
    await heardNow('stranger', ctx.b, 'the other organisation’s own counts');
    expect(heard.stranger.flatMap((p) => p.channels.map((c) => c.channelId)).every((channelId) => channelId === ctx.b.channelId)).toBe(true);
  });

  it('several changes at once make one counts:update', async () => {
    const ids = await quietConversations(ctx.c, 3);
    const socket = await clients.connect(ctx.c.agents[0]!.token);
    const heard: string[] = [];
    socket.on('counts:update', (p) => heard.push(JSON.stringify(p)));

    const bulk = await api<BulkStatusResponse>(ctx.stack, ctx.c.agents[0]!.token, '/api/conversations/status', 'POST', {
      status: 'resolved',
      conversations: ids.map((id) => ({ id })),
    });
    expect(bulk.body.results.map((r) => r.outcome)).toEqual(['changed', 'changed', 'changed']);
    const resolved = JSON.stringify({ channels: await truth(ctx.c) });
    await until(() => heard.includes(resolved), { what: 'the counts with all three resolved' });
    // A later change is the marker: its event comes after every event of the bulk change.
    await conversationWith(ctx.c);
    const marked = JSON.stringify({ channels: await truth(ctx.c) });
    await until(() => heard.includes(marked), { what: 'the marker’s counts' });
    expect(heard).toEqual([resolved, marked]);
  });
});
