import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BulkStatusResponse, MarkReadResponse, MarkUnreadResponse, StatusResponse, SyncResponse } from '../../lib/contract/api';
import type { ConversationUpdatedPayload } from '../../lib/contract/events';
import type { ConversationView, MessageView } from '../../lib/contract/models';
import { wakeSnoozed } from '../../server/inbox/status';
import { useClients, useTestStack } from '../support/fixture';
import { subscribed } from '../support/realtime';
import { api, customer, nextEvent, type TestOrg } from '../support/stack';
import { until } from '../support/wait';

/**
 * Conversation status (open, snoozed, resolved), activity lines and mark unread: every
 * transition, concurrent changes, a customer writing during a resolve, and every path agents
 * hear it by (Socket.IO, Realtime, sync).
 */
describe('Conversation status', () => {
  const ctx = useTestStack({ env: { SNOOZE_SWEEP_MS: '200' }, orgs: { a: 2, b: 1 } });
  const { connect, realtime } = useClients(ctx);

  const alice = () => ctx.a.agents[0]!;
  const bob = () => ctx.a.agents[1]!;
  const write = async (org: TestOrg, from: string, body = 'hello') => {
    const res = await ctx.stack.inbound({ from, to: org.number, body });
    expect(res.status).toBe(200);
    return res.params.MessageSid!;
  };
  const conversationWith = async (org: TestOrg = ctx.a, from = customer()) => {
    const sid = await write(org, from);
    const id = (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [sid])).rows[0]!
      .conversation_id;
    return { id, from };
  };
  const setStatus = (token: string, id: string, body: Record<string, unknown>) =>
    api<StatusResponse & { error?: string; message?: string }>(ctx.stack, token, `/api/conversations/${id}/status`, 'POST', body);
  const row = async (id: string) =>
    (
      await ctx.stack.db.query<{
        status: string;
        snoozed_until: Date | null;
        status_reason: string | null;
        status_changed_by: string | null;
        inbound_count: string;
      }>('select status, snoozed_until, status_reason, status_changed_by, inbound_count from conversations where id = $1', [id])
    ).rows[0]!;
  const activity = async (id: string) =>
    (
      await ctx.stack.db.query<{ sent_by: string | null; activity: Record<string, unknown> }>(
        "select sent_by, activity from messages where conversation_id = $1 and direction = 'activity' order by created_at, id",
        [id],
      )
    ).rows;
  const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

  it('resolves, reopens, snoozes and resolves again: each change one activity line naming the agent, live to colleagues over Socket.IO', async () => {
    const { id } = await conversationWith();
    const bobSocket = await connect(bob().token);
    const stranger = await connect(ctx.b.agents[0]!.token);
    const leaked: unknown[] = [];
    stranger.onAny((event) => event !== 'presence:state' && event !== 'presence:changes' && leaked.push(event));
    const heard: ConversationUpdatedPayload[] = [];
    bobSocket.on('conversation:updated', (p) => heard.push(p));

    const resolved = await setStatus(alice().token, id, { status: 'resolved', seenInboundCount: 1 });
    expect(resolved.status).toBe(200);
    expect(resolved.body.conversation).toMatchObject({ id, status: 'resolved', statusReason: 'agent', snoozedUntil: null });
    await until(() => heard.length === 1, { what: 'Bob hears the resolve' });
    expect(heard[0]!.conversation).toMatchObject({ id, status: 'resolved' });
    expect(heard[0]!.activity).toMatchObject([
      { direction: 'activity', sentBy: alice().id, body: '', activity: { kind: 'status', status: 'resolved', reason: 'agent', until: null } },
    ]);

    // The same change again: nothing new, nobody told.
    const again = await setStatus(bob().token, id, { status: 'resolved' });
    expect(again.body.conversation.version).toBe(resolved.body.conversation.version);

    const reopened = await setStatus(bob().token, id, { status: 'open' });
    expect(reopened.body.conversation).toMatchObject({ status: 'open', statusReason: 'agent' });
    const until1 = inFuture(3_600_000);
    const snoozed = await setStatus(alice().token, id, { status: 'snoozed', snoozedUntil: until1 });
    expect(snoozed.body.conversation).toMatchObject({ status: 'snoozed', snoozedUntil: until1 });
    // A snooze moved to another time is a change too.
    const until2 = inFuture(7_200_000);
    expect((await setStatus(alice().token, id, { status: 'snoozed', snoozedUntil: until2 })).body.conversation.snoozedUntil).toBe(until2);
    expect((await setStatus(bob().token, id, { status: 'resolved' })).body.conversation).toMatchObject({ status: 'resolved', snoozedUntil: null });

    const lines = await activity(id);
    expect(lines.map((l) => [l.activity.status, l.sent_by])).toEqual([
      ['resolved', alice().id],
      ['open', bob().id],
      ['snoozed', alice().id],
      ['snoozed', alice().id],
      ['resolved', bob().id],
    ]);
    await until(() => heard.length === 5, { what: 'Bob hears every change' });
    expect(heard.map((p) => p.conversation.status)).toEqual(['resolved', 'open', 'snoozed', 'snoozed', 'resolved']);
    expect(leaked).toEqual([]);
  });

  it('reaches Realtime subscribers (the row and its activity line) and a sync after a disconnect', async () => {
    const { id } = await conversationWith();
    const before = await api<SyncResponse>(ctx.stack, bob().token, '/api/sync');
    const client = await realtime.client(bob().token);
    const rows: Array<Record<string, unknown>> = [];
    const lines: Array<Record<string, unknown>> = [];
    await subscribed(
      client
        .channel(`status-${id}`)
        .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'conversations', filter: `organisation_id=eq.${ctx.a.id}` }, (p) =>
          rows.push(p.new),
        )
        .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages', filter: `organisation_id=eq.${ctx.a.id}` }, (p) => lines.push(p.new)),
      true,
    );
    await setStatus(alice().token, id, { status: 'resolved' });
    await until(() => rows.some((r) => r.id === id && r.status === 'resolved') && lines.some((l) => l.conversation_id === id && l.direction === 'activity'), {
      what: 'the resolve over Realtime',
    });

    // Bob was away for a resolve and a reopen: his sync brings the conversation as it is and both lines.
    await setStatus(alice().token, id, { status: 'open' });
    const after = await api<SyncResponse>(ctx.stack, bob().token, `/api/sync?cursor=${encodeURIComponent(before.body.cursor)}`);
    expect(after.body.conversations.find((c) => c.id === id)).toMatchObject({ status: 'open', statusReason: 'agent' });
    expect(after.body.messages.filter((m) => m.conversationId === id && m.direction === 'activity').map((m) => m.activity)).toEqual([
      { kind: 'status', status: 'resolved', reason: 'agent', until: null },
      { kind: 'status', status: 'open', reason: 'agent', until: null },
    ]);
  });

  it('a customer writing to a resolved or snoozed conversation reopens it at once, with its unread count and why', async () => {
    const { id, from } = await conversationWith();
    await api<MarkReadResponse>(ctx.stack, alice().token, `/api/conversations/${id}/read`, 'POST');
    await setStatus(alice().token, id, { status: 'resolved', seenInboundCount: 1 });
    const aliceSocket = await connect(alice().token);
    const live = nextEvent(aliceSocket, 'message:new');
    await write(ctx.a, from, 'One more question');
    const heard = await live;
    expect(heard.message.body).toBe('One more question');
    expect(heard.conversation).toMatchObject({ status: 'open', statusReason: 'customer_wrote', inboundCount: 2 });
    expect(await row(id)).toMatchObject({ status: 'open', status_reason: 'customer_wrote', status_changed_by: null });
    const sync = await api<SyncResponse>(ctx.stack, alice().token, '/api/sync');
    expect(sync.body.conversations.find((c) => c.id === id)).toMatchObject({ status: 'open', unreadCount: 1 });

    await setStatus(alice().token, id, { status: 'snoozed', snoozedUntil: inFuture(3_600_000) });
    await write(ctx.a, from, 'Hello again');
    expect(await row(id)).toMatchObject({ status: 'open', status_reason: 'customer_wrote', snoozed_until: null });
    expect((await activity(id)).map((l) => [l.activity.status, l.activity.reason, l.sent_by])).toEqual([
      ['resolved', 'agent', alice().id],
      ['open', 'customer_wrote', null],
      ['snoozed', 'agent', alice().id],
      ['open', 'customer_wrote', null],
    ]);
    // The activity line comes after the message that caused it, in the thread's order.
    const thread = (
      await ctx.stack.db.query<{ direction: string; body: string }>('select direction, body from messages where conversation_id = $1 order by created_at, id', [
        id,
      ])
    ).rows;
    expect(thread.slice(-2)).toEqual([
      { direction: 'inbound', body: 'Hello again' },
      { direction: 'activity', body: '' },
    ]);
  });

  it('an agent’s reply reopens a resolved conversation (a snoozed one stays snoozed); the customer is sent the replies only', async () => {
    const { id, from } = await conversationWith();
    await setStatus(alice().token, id, { status: 'resolved' });
    const bobSocket = await connect(bob().token);
    const heard: string[] = [];
    bobSocket.on('message:new', (p) => heard.push(p.message.direction));
    bobSocket.on('conversation:updated', (p) => heard.push(`${p.conversation.status}: ${p.activity.map((a) => a.direction).join()}`));
    const reply = await api(ctx.stack, alice().token, `/api/conversations/${id}/messages`, 'POST', { id: randomUUID(), body: 'Following up' });
    expect(reply.status).toBe(201);
    expect(await row(id)).toMatchObject({ status: 'open', status_reason: 'replied', status_changed_by: alice().id });
    await until(() => heard.length === 2, { what: 'the reply and its activity line' });
    expect(heard).toEqual(['outbound', 'open: activity']);

    await setStatus(alice().token, id, { status: 'snoozed', snoozedUntil: inFuture(3_600_000) });
    await api(ctx.stack, alice().token, `/api/conversations/${id}/messages`, 'POST', { id: randomUUID(), body: 'Waiting for your answer' });
    expect((await row(id)).status).toBe('snoozed');
    // Twilio was asked to send the two replies and nothing else.
    const sent = () => ctx.stack.twilioStandIn!.created.filter((m) => m.To === `whatsapp:${from}`);
    await until(() => sent().length === 2, { what: 'both replies sent' });
    expect(sent().map((m) => m.Body)).toEqual(['Following up', 'Waiting for your answer']);
  });

  it('two agents resolving at once make one change and one activity line', async () => {
    const { id } = await conversationWith();
    const answers = await Promise.all([setStatus(alice().token, id, { status: 'resolved' }), setStatus(bob().token, id, { status: 'resolved' })]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(await activity(id)).toHaveLength(1);
  });

  it('refuses to resolve or snooze over messages the agent has not seen (409), and leaves the conversation open', async () => {
    const { id, from } = await conversationWith();
    await write(ctx.a, from, 'Are you there?');
    const refused = await setStatus(alice().token, id, { status: 'resolved', seenInboundCount: 1 });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('new_messages');
    expect((await setStatus(alice().token, id, { status: 'snoozed', snoozedUntil: inFuture(60_000), seenInboundCount: 1 })).status).toBe(409);
    expect((await row(id)).status).toBe('open');
    expect(await activity(id)).toEqual([]);
    // Reopening is never refused.
    expect((await setStatus(alice().token, id, { status: 'open', seenInboundCount: 0 })).status).toBe(200);
  });

  it('a customer message racing a resolve never leaves an unseen message in a resolved conversation', async () => {
    for (let i = 0; i < 12; i++) {
      const { id, from } = await conversationWith();
      const [resolve] = await Promise.all([setStatus(alice().token, id, { status: 'resolved', seenInboundCount: 1 }), write(ctx.a, from, `race ${i}`)]);
      const r = await row(id);
      // Either the resolve came first and the message reopened it, or the message came first and the resolve was refused.
      expect(r.status).toBe('open');
      expect(Number(r.inbound_count)).toBe(2);
      expect([200, 409]).toContain(resolve.status);
      expect((await activity(id)).map((l) => l.activity.status)).toEqual(resolve.status === 200 ? ['resolved', 'open'] : []);
    }
  });

  it('bulk resolve: one transaction, an outcome each; one the customer wrote to since is left open', async () => {
    const one = await conversationWith();
    const two = await conversationWith();
    const three = await conversationWith();
    await write(ctx.a, three.from, 'Wait');
    const foreign = await conversationWith(ctx.b);
    const bobSocket = await connect(bob().token);
    const heard: ConversationUpdatedPayload[] = [];
    bobSocket.on('conversation:updated', (p) => heard.push(p));
    const res = await api<BulkStatusResponse>(ctx.stack, alice().token, '/api/conversations/status', 'POST', {
      status: 'resolved',
      conversations: [one, two, three, foreign].map((c) => ({ id: c.id, seenInboundCount: 1 })),
    });
    expect(res.status).toBe(200);
    expect(res.body.results.map((r) => [r.id, r.outcome])).toEqual([
      [one.id, 'changed'],
      [two.id, 'changed'],
      [three.id, 'new_messages'],
      [foreign.id, 'not_found'],
    ]);
    expect(res.body.results[3]).not.toHaveProperty('conversation');
    expect((await row(foreign.id)).status).toBe('open');
    expect((await row(three.id)).status).toBe('open');
    await until(() => heard.length === 2, { what: 'two resolves heard' });
    expect(new Set(heard.map((p) => p.conversation.id))).toEqual(new Set([one.id, two.id]));
  });

  it('answers bad requests with a clear 400 and another organisation’s conversation with 404', async () => {
    const { id } = await conversationWith();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ status: 'snoozed' }, /needs the time it ends/],
      [{ status: 'snoozed', snoozedUntil: new Date(Date.now() - 60_000).toISOString() }, /in the future/],
      [{ status: 'snoozed', snoozedUntil: new Date(Date.now() + 400 * 86_400_000).toISOString() }, /within 366 days/],
      [{ status: 'resolved', snoozedUntil: inFuture(60_000) }, /only a snooze/],
      [{ status: 'closed' }, /status/],
    ];
    for (const [body, message] of cases) {
      const res = await setStatus(alice().token, id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(message);
    }
    expect((await setStatus(ctx.b.agents[0]!.token, id, { status: 'resolved' })).status).toBe(404);
    expect((await row(id)).status).toBe('open');
  });

  describe('mark unread', () => {
    it('marks the conversation unread from its latest customer message, or from a message down; the agent’s other devices follow', async () => {
      const { id, from } = await conversationWith();
      await write(ctx.a, from, 'second');
      await write(ctx.a, from, 'third');
      const read = await api<MarkReadResponse>(ctx.stack, alice().token, `/api/conversations/${id}/read`, 'POST');
      expect(read.body.readState.readInboundCount).toBe(3);
      const otherDevice = await connect(alice().token);
      const bobSocket = await connect(bob().token);
      const bobHeard: unknown[] = [];
      bobSocket.on('conversation:read', (p) => bobHeard.push(p));

      const live = nextEvent(otherDevice, 'conversation:read');
      const latest = await api<MarkUnreadResponse>(ctx.stack, alice().token, `/api/conversations/${id}/unread`, 'POST', {});
      expect(latest.status).toBe(200);
      expect(latest.body.readState).toMatchObject({ conversationId: id, readInboundCount: 2 });
      expect(latest.body.readState.version).toBeGreaterThan(read.body.readState.version);
      expect(await live).toEqual(latest.body.readState);

      const messages = (
        await ctx.stack.db.query<{ id: string; body: string }>(
          "select id, body from messages where conversation_id = $1 and direction = 'inbound' order by created_at",
          [id],
        )
      ).rows;
      const fromSecond = await api<MarkUnreadResponse>(ctx.stack, alice().token, `/api/conversations/${id}/unread`, 'POST', { fromMessageId: messages[1]!.id });
      expect(fromSecond.body.readState.readInboundCount).toBe(1);
      const sync = await api<SyncResponse>(ctx.stack, alice().token, '/api/sync');
      expect(sync.body.conversations.find((c) => c.id === id)).toMatchObject({ unreadCount: 2, readVersion: fromSecond.body.readState.version });
      // A colleague's read state is his own.
      const bobSync = await api<SyncResponse>(ctx.stack, bob().token, '/api/sync');
      expect(bobSync.body.conversations.find((c) => c.id === id)?.unreadCount).toBe(3);
      expect(bobHeard).toEqual([]);
    });

    it('refuses what cannot be marked unread', async () => {
      const { id } = await conversationWith();
      const reply = await api<{ message: MessageView }>(ctx.stack, alice().token, `/api/conversations/${id}/messages`, 'POST', {
        id: randomUUID(),
        body: 'Answer',
      });
      const afterReply = await api<{ error: string }>(ctx.stack, alice().token, `/api/conversations/${id}/unread`, 'POST', {
        fromMessageId: reply.body.message.id,
      });
      expect([afterReply.status, afterReply.body.error]).toEqual([422, 'nothing_unread']);
      expect((await api(ctx.stack, alice().token, `/api/conversations/${id}/unread`, 'POST', { fromMessageId: randomUUID() })).status).toBe(404);
      expect((await api(ctx.stack, ctx.b.agents[0]!.token, `/api/conversations/${id}/unread`, 'POST', {})).status).toBe(404);
      expect((await api(ctx.stack, alice().token, `/api/conversations/${id}/unread`, 'POST', { fromMessageId: 'x' })).status).toBe(400);
    });
  });

  describe('snoozes end on the server', () => {
    it('wakes a snooze at its time: open again, why, and its assignee’s colleagues hear it', async () => {
      const { id } = await conversationWith();
      await api(ctx.stack, alice().token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: alice().id });
      const aliceSocket = await connect(alice().token);
      await setStatus(alice().token, id, { status: 'snoozed', snoozedUntil: inFuture(1500) });
      const woke = await new Promise<ConversationUpdatedPayload>((resolve) =>
        aliceSocket.on('conversation:updated', (p) => p.conversation.id === id && p.conversation.status === 'open' && resolve(p)),
      );
      expect(woke.conversation).toMatchObject({ status: 'open', statusReason: 'snooze_ended', assigneeId: alice().id });
      expect(woke.activity).toMatchObject([{ sentBy: null, activity: { kind: 'status', status: 'open', reason: 'snooze_ended' } }]);
    });

    it('sweepers racing over the same due snoozes wake each exactly once', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push((await conversationWith()).id);
      await ctx.stack.db.query(
        "update conversations set status = 'snoozed', snoozed_until = now() - interval '1 second', status_reason = 'agent' where id = any($1::uuid[])",
        [ids],
      );
      const changes = (await Promise.all(Array.from({ length: 8 }, () => wakeSnoozed(ctx.stack.db)))).flat();
      // The stack's own sweeper races with these eight too, so some may be woken by it: what counts
      // is that none is woken twice, and every one once.
      const ours = changes.filter((c) => ids.includes(c.conversation.id));
      expect(new Set(ours.map((c) => c.conversation.id)).size).toBe(ours.length);
      for (const c of ours) expect(c.activity).toHaveLength(1);
      const woken = await ctx.stack.db.query<{ conversation_id: string; n: number }>(
        "select conversation_id, count(*)::int as n from messages where conversation_id = any($1::uuid[]) and activity ->> 'reason' = 'snooze_ended' group by conversation_id",
        [ids],
      );
      expect(woken.rows).toHaveLength(20);
      for (const row of woken.rows) expect(row.n).toBe(1);
      const open = await ctx.stack.db.query("select count(*)::int as n from conversations where id = any($1::uuid[]) and status = 'open'", [ids]);
      expect(open.rows[0].n).toBe(20);
    });
  });

  it('an assignment is an activity line too, naming who assigned whom', async () => {
    const { id } = await conversationWith();
    await api(ctx.stack, alice().token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: bob().id });
    await api(ctx.stack, bob().token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: null });
    expect((await activity(id)).map((l) => [l.sent_by, l.activity])).toEqual([
      [alice().id, { kind: 'assigned', to: bob().id, from: null }],
      [bob().id, { kind: 'assigned', to: null, from: bob().id }],
    ]);
    const conv = (await api<SyncResponse>(ctx.stack, alice().token, '/api/sync')).body.conversations.find((c) => c.id === id) as ConversationView;
    // Activity lines are never unread and never the preview.
    expect(conv).toMatchObject({ inboundCount: 1, lastMessagePreview: 'hello' });
  });
});
