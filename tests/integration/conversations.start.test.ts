import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartConversationResponse, SyncResponse } from '../../lib/contract/api';
import { api, createTestOrg, startTestStack, type TestOrg, type TestStack } from '../support/stack';

/** `POST /api/conversations`: an agent starts a WhatsApp conversation with a number from a CRM page. */
describe('Starting a conversation with a phone number', () => {
  let stack: TestStack;
  let org: TestOrg;
  let other: TestOrg;

  beforeAll(async () => {
    stack = await startTestStack();
    org = await createTestOrg(stack, 1);
    other = await createTestOrg(stack, 1);
  });
  afterAll(() => stack?.stop());

  const start = (token: string, body: unknown) =>
    fetch(`${stack.serverUrl}/api/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('creates the conversation on the organisation’s channel once; asking again returns the same one', async () => {
    const first = await start(org.agents[0]!.token, { phone: '+33142685300' });
    expect(first.status).toBe(201);
    const { conversation } = (await first.json()) as StartConversationResponse;
    expect(conversation).toMatchObject({ channelId: org.channelId, contact: { phone: '+33142685300' }, unreadCount: 0, inboundCount: 0 });
    const again = await start(org.agents[0]!.token, { phone: '+33142685300' });
    expect(again.status).toBe(200);
    expect(((await again.json()) as StartConversationResponse).conversation.id).toBe(conversation.id);
    const sync = await api<SyncResponse>(stack, org.agents[0]!.token, '/api/sync');
    expect(sync.body.conversations.map((c) => c.id)).toContain(conversation.id);
  });

  it('keeps organisations apart: the same number is another organisation’s own conversation', async () => {
    const mine = (await (await start(org.agents[0]!.token, { phone: '+14155550142' })).json()) as StartConversationResponse;
    const theirs = await start(other.agents[0]!.token, { phone: '+14155550142' });
    expect(theirs.status).toBe(201);
    const body = (await theirs.json()) as StartConversationResponse;
    expect(body.conversation.id).not.toBe(mine.conversation.id);
    expect(body.conversation.channelId).toBe(other.channelId);
  });

  it('refuses numbers that are not E.164 and callers that are not agents', async () => {
    const bad = await start(org.agents[0]!.token, { phone: '415 555 0134' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('E.164');
    expect((await start('not-a-token', { phone: '+14155550134' })).status).toBe(401);
    const count = await stack.db.query('select count(*)::int as n from contacts where phone_e164 = $1', ['+14155550134']);
    expect(count.rows[0].n).toBe(0);
  });
});
