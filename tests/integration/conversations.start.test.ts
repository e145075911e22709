import { describe, expect, it } from 'vitest';
import type { StartConversationResponse, SyncResponse } from '../../lib/contract/api';
import { api } from '../support/stack';
import { useTestStack } from '../support/fixture';

/** `POST /api/conversations`: an agent starts a WhatsApp conversation with a number from a CRM page. */
describe('Starting a conversation with a phone number', () => {
  const ctx = useTestStack({ orgs: { org: 1, other: 1 } });

  const start = (token: string, body: unknown) =>
    fetch(`${ctx.stack.serverUrl}/api/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('creates the conversation on the organisation’s channel once; asking again returns the same one', async () => {
    const first = await start(ctx.org.agents[0]!.token, { phone: '+33142685300' });
    expect(first.status).toBe(201);
    const { conversation } = (await first.json()) as StartConversationResponse;
    expect(conversation).toMatchObject({ channelId: ctx.org.channelId, contact: { phone: '+33142685300' }, unreadCount: 0, inboundCount: 0 });
    const again = await start(ctx.org.agents[0]!.token, { phone: '+33142685300' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as StartConversationResponse).conversation.id).toBe(conversation.id);
    const sync = await api<SyncResponse>(ctx.stack, ctx.org.agents[0]!.token, '/api/sync');
    expect(sync.body.conversations.map((c) => c.id)).toContain(conversation.id);
  });

  it('keeps organisations apart: the same number is another organisation’s own conversation', async () => {
    const mine = (await (await start(ctx.org.agents[0]!.token, { phone: '+14155550142' })).json()) as StartConversationResponse;
    const theirs = await start(ctx.other.agents[0]!.token, { phone: '+14155550142' });
    expect(theirs.status).toBe(201);
    const body = (await theirs.json()) as StartConversationResponse;
    expect(body.conversation.id).not.toBe(mine.conversation.id);
    expect(body.conversation.channelId).toBe(ctx.other.channelId);
  });

  it('refuses numbers that are not E.164 and callers that are not agents', async () => {
    const bad = await start(ctx.org.agents[0]!.token, { phone: '415 555 0134' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('E.164');
    expect((await start('not-a-token', { phone: '+14155550134' })).status).toBe(401);
    const count = await ctx.stack.db.query('select count(*)::int as n from contacts where phone_e164 = $1', ['+14155550134']);
    expect(count.rows[0].n).toBe(0);
  });
});
