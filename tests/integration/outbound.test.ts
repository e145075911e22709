import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { postSignedWebhook } from '../../server/dev/twilio-stand-in/inbound';
import type { SyncResponse } from '../../lib/contract/api';
import { customer } from '../support/stack';
import { until } from '../support/wait';
import { useTestStack } from '../support/fixture';

describe('Replies through Twilio (the local stand-in)', () => {
  const ctx = useTestStack({ orgs: { org: 1, other: 1 } });
  let conversationId: string;
  let from: string;

  beforeAll(async () => {
    from = customer();
    const res = await ctx.stack.inbound({ from, to: ctx.org.number, body: 'Hi, can you help?' });
    conversationId = (
      await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid])
    ).rows[0]!.conversation_id;
  });

  const reply = (token: string, conv: string, body: unknown) =>
    fetch(`${ctx.stack.serverUrl}/api/conversations/${conv}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const statusOf = async (id: string) =>
    (
      await ctx.stack.db.query<{ status: string; error_code: number | null; twilio_sid: string | null }>(
        'select status, error_code, twilio_sid from messages where id = $1',
        [id],
      )
    ).rows[0]!;

  it('sends from the conversation’s channel to the customer, then follows status callbacks to "read"', async () => {
    const id = randomUUID();
    const res = await reply(ctx.org.agents[0]!.token, conversationId, { id, body: 'Of course!' });
    expect(res.status).toBe(201);
    // Stored first (the outbox), then handed to Twilio.
    await until(async () => ctx.stack.twilioStandIn!.created.some((c) => c.Body === 'Of course!'));
    const sent = ctx.stack.twilioStandIn!.created.find((c) => c.Body === 'Of course!')!;
    expect(sent).toMatchObject({ To: `whatsapp:${from}`, From: ctx.org.number, Body: 'Of course!' });
    expect(sent.StatusCallback).toBe(`${ctx.stack.config.publicUrl}/api/webhooks/twilio/status?message=${id}`);
    await until(async () => (await statusOf(id)).status === 'read');
    expect(await statusOf(id)).toMatchObject({ status: 'read', twilio_sid: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
  });

  it('records who wrote the latest reply, for the list to say "You:" or the colleague’s name', async () => {
    const from2 = customer();
    const res = await ctx.stack.inbound({ from: from2, to: ctx.org.number, body: 'Anyone?' });
    const conv = (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
    const synced = async () => {
      const r = await fetch(`${ctx.stack.serverUrl}/api/sync`, { headers: { authorization: `Bearer ${ctx.org.agents[0]!.token}` } });
      return ((await r.json()) as SyncResponse).conversations.find((c) => c.id === conv)!;
    };
    expect((await synced()).lastReplyBy).toBeNull();
    expect((await reply(ctx.org.agents[0]!.token, conv, { id: randomUUID(), body: 'Here' })).status).toBe(201);
    const after = await synced();
    expect(after.lastReplyBy).toBe(ctx.org.agents[0]!.id);
    expect(after.lastMessageAt! > after.lastInboundAt!).toBe(true);
    // The customer writes again: their message is the last, whoever replied before.
    await ctx.stack.inbound({ from: from2, to: ctx.org.number, body: 'Thanks' });
    const later = await synced();
    expect(later.lastInboundAt).toBe(later.lastMessageAt);
  });

  it('sends a retried request (same id) only once', async () => {
    const id = randomUUID();
    const before = ctx.stack.twilioStandIn!.created.filter((c) => c.Body === 'Once').length;
    const [a, b] = await Promise.all([
      reply(ctx.org.agents[0]!.token, conversationId, { id, body: 'Once' }),
      reply(ctx.org.agents[0]!.token, conversationId, { id, body: 'Once' }),
    ]);
    await until(async () => (await statusOf(id)).status === 'read');
    const again = await reply(ctx.org.agents[0]!.token, conversationId, { id, body: 'Once' });
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(again.status).toBe(200);
    expect(ctx.stack.twilioStandIn!.created.filter((c) => c.Body === 'Once').length - before).toBe(1);
    expect((await ctx.stack.db.query('select 1 from messages where id = $1', [id])).rowCount).toBe(1);
  });

  it('moves statuses forward only, whatever order the callbacks arrive in', async () => {
    const id = randomUUID();
    await reply(ctx.org.agents[0]!.token, conversationId, { id, body: 'Ticks' });
    await until(async () => (await statusOf(id)).status === 'read');
    const { twilio_sid } = await statusOf(id);
    const url = `${ctx.stack.serverUrl}/api/webhooks/twilio/status`;
    for (const status of ['sent', 'delivered', 'queued']) {
      const res = await postSignedWebhook(url, ctx.stack.config.twilio.authToken, {
        MessageSid: twilio_sid!,
        AccountSid: ctx.stack.config.twilio.accountSid,
        MessageStatus: status,
      });
      expect(res.status).toBe(204);
    }
    expect((await statusOf(id)).status).toBe('read');
  });

  it('rejects a forged status callback and changes nothing', async () => {
    const id = randomUUID();
    await reply(ctx.org.agents[0]!.token, conversationId, { id, body: 'Forged?' });
    await until(async () => (await statusOf(id)).status === 'read');
    const { twilio_sid } = await statusOf(id);
    const res = await postSignedWebhook(`${ctx.stack.serverUrl}/api/webhooks/twilio/status`, 'wrong-auth-token-wrong', {
      MessageSid: twilio_sid!,
      AccountSid: ctx.stack.config.twilio.accountSid,
      MessageStatus: 'failed',
    });
    expect(res.status).toBe(403);
    expect((await statusOf(id)).status).toBe('read');
  });

  it('keeps Twilio’s error code when a message fails', async () => {
    const failing = customer();
    ctx.stack.twilioStandIn!.failing.add(`whatsapp:${failing}`);
    const res = await ctx.stack.inbound({ from: failing, to: ctx.org.number, body: 'hello' });
    const conv = (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
    const id = randomUUID();
    await reply(ctx.org.agents[0]!.token, conv, { id, body: 'Will fail' });
    await until(async () => (await statusOf(id)).status === 'failed');
    expect(await statusOf(id)).toMatchObject({ status: 'failed', error_code: 63016 });
  });

  it('refuses another organisation’s conversation and an empty reply', async () => {
    expect((await reply(ctx.other.agents[0]!.token, conversationId, { id: randomUUID(), body: 'intruder' })).status).toBe(404);
    const empty = await reply(ctx.org.agents[0]!.token, conversationId, { id: randomUUID(), body: '   ' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { message: string }).message).toMatch(/empty/);
  });
});
