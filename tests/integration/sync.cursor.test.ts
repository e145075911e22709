import { beforeAll, describe, expect, it } from 'vitest';
import type { SyncResponse } from '../../lib/contract/api';
import { api, customer } from '../support/stack';
import { useTestStack } from '../support/fixture';

describe('Sync cursor', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  let token: string;
  let conversationId: string;
  beforeAll(async () => {
    token = ctx.org.agents[0]!.token;
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'first' });
    conversationId = (await ctx.stack.db.query<{ id: string }>('select id from conversations where organisation_id = $1', [ctx.org.id])).rows[0]!.id;
  });

  const sync = async (cursor: string | null) => {
    const res = await api<SyncResponse>(ctx.stack, token, `/api/sync${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    return res.body;
  };
  const insertMessage = (client: { query: (s: string, a: unknown[]) => Promise<unknown> }, body: string, conversation = conversationId) =>
    client.query(`insert into messages (organisation_id, conversation_id, direction, body, status) values ($1, $2, 'inbound', $3, 'received')`, [
      ctx.org.id,
      conversation,
      body,
    ]);

  it('without a cursor returns the conversations with unread counts and a cursor', async () => {
    const res = await sync(null);
    expect(res.full).toBe(true);
    expect(res.conversations).toHaveLength(1);
    expect(res.conversations[0]).toMatchObject({ id: conversationId, unreadCount: 1, lastMessagePreview: 'first' });
    expect(res.cursor).toMatch(/^\d+:\d+:[\d,]*\.[\w-]{43}$/);
  });

  it('with a fresh cursor and no changes returns nothing', async () => {
    const { cursor } = await sync(null);
    const res = await sync(cursor);
    expect(res).toMatchObject({ full: false, conversations: [], messages: [] });
  });

  it('never skips a row whose transaction commits after a later one (out-of-order commit)', async () => {
    // Two customers' messages: writers of one conversation take its row lock and so commit in
    // order; those of two conversations (or two organisations' webhooks) do not.
    await ctx.stack.inbound({ from: customer(), to: ctx.org.number, body: 'another customer' });
    const other = (
      await ctx.stack.db.query<{ id: string }>('select id from conversations where organisation_id = $1 and id <> $2', [ctx.org.id, conversationId])
    ).rows[0]!.id;
    const { cursor: start } = await sync(null);
    const early = await ctx.stack.db.connect();
    const late = await ctx.stack.db.connect();
    try {
      // T1 starts and writes first, but commits last.
      await early.query('begin');
      await insertMessage(early, 'T1 (commits last)');
      await late.query('begin');
      await insertMessage(late, 'T2 (commits first)', other);
      await late.query('commit');

      const between = await sync(start);
      expect(between.messages.map((m) => m.body)).toEqual(['T2 (commits first)']);

      await early.query('commit');
      const after = await sync(between.cursor);
      expect(after.messages.map((m) => m.body)).toEqual(['T1 (commits last)']);

      // The hazard this guards against: T1's row is older than T2's by time, so a
      // "created after the last row I saw" cursor would have skipped it for good.
      const times = (
        await ctx.stack.db.query<{ body: string; created_at: Date }>(`select body, created_at from messages where body like 'T_ (%' order by created_at`)
      ).rows.map((r) => r.body);
      expect(times).toEqual(['T1 (commits last)', 'T2 (commits first)']);

      // And nothing comes twice.
      expect((await sync(after.cursor)).messages).toEqual([]);
    } finally {
      early.release();
      late.release();
    }
  });

  it('returns updated rows: a status change, a read, an assignment', async () => {
    const { cursor } = await sync(null);
    await ctx.stack.db.query(`update messages set status = 'read' where body = 'first'`);
    const statusChange = await sync(cursor);
    expect(statusChange.messages.map((m) => [m.body, m.status])).toEqual([['first', 'read']]);

    const read = await api(ctx.stack, token, `/api/conversations/${conversationId}/read`, 'POST');
    expect(read.status).toBe(200);
    const afterRead = await sync(statusChange.cursor);
    expect(afterRead.conversations).toHaveLength(1);
    expect(afterRead.conversations[0]).toMatchObject({ id: conversationId, unreadCount: 0 });
    expect(afterRead.conversations[0]!.lastReadAt).not.toBeNull();

    await ctx.stack.db.query('update conversations set assignee_id = $1 where id = $2', [ctx.org.agents[0]!.id, conversationId]);
    const afterAssign = await sync(afterRead.cursor);
    expect(afterAssign.conversations[0]).toMatchObject({ assigneeId: ctx.org.agents[0]!.id });
  });

  it('rejects a cursor it did not issue with 400', async () => {
    const res = await api<{ error: string }>(ctx.stack, token, `/api/sync?cursor=${encodeURIComponent("1'; drop table messages; --")}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_cursor');
    const inverted = await api<{ error: string }>(ctx.stack, token, '/api/sync?cursor=10:5:');
    expect(inverted.status).toBe(400);
  });
});
