import { describe, expect, it } from 'vitest';
import type { ApiClient, ReplyContent } from '@/lib/api/client';
import type { BulkStatusResponse } from '@/lib/contract/api';
import type { ConversationStatus } from '@/lib/contract/models';
import { composerHandlers } from '@/lib/background/handlers/composer';
import { conversationStatusHandlers } from '@/lib/background/handlers/conversation-status';
import type { Rooms } from '@/lib/background/links/rooms';
import { addConversation, applyThreadPage } from '@/lib/inbox/state';
import { readInbox, updateInbox } from '@/lib/inbox/store';
import type { PendingReply } from '@/lib/inbox/types';
import { conversation, message } from '../support/views';

/** Handlers get the connections of the moment; here, a server that answers from memory. */
const connections =
  <T>(parts: T) =>
  async () =>
    parts;

describe('background request handlers', () => {
  it('a status change goes with what the agent has seen, and says what changed and what the customer wrote to since', async () => {
    await updateInbox((s) => addConversation(addConversation(s, conversation('s1', { inboundCount: 3 })), conversation('s2', { inboundCount: 5 })));
    let asked: unknown;
    const api = {
      setStatus: async (seen: unknown, status: ConversationStatus, snoozedUntil: string | null): Promise<BulkStatusResponse> => {
        asked = { seen, status, snoozedUntil };
        return {
          results: [
            { id: 's1', outcome: 'changed', conversation: conversation('s1', { inboundCount: 3, status: 'resolved', version: 2 }) },
            { id: 's2', outcome: 'new_messages' },
            { id: 's3', outcome: 'not_found' },
          ],
        };
      },
    } as unknown as ApiClient;
    const handlers = conversationStatusHandlers(connections({ api }));

    const summary = await handlers['inbox:setStatus']({ conversationIds: ['s1', 's2', 's3'], status: 'resolved', snoozedUntil: null });

    expect(asked).toEqual({
      seen: [
        { id: 's1', seenInboundCount: 3 },
        { id: 's2', seenInboundCount: 5 },
        { id: 's3', seenInboundCount: 0 },
      ],
      status: 'resolved',
      snoozedUntil: null,
    });
    expect(summary).toEqual({ changed: 1, unchanged: 0, newMessages: 1, notFound: 1 });
    expect((await readInbox()).conversations.s1?.status).toBe('resolved');
    expect((await readInbox()).conversations.s2?.status).toBe('open');
  });

  it('only a failed reply is sent again, as a new message through the outbox, with typing stopped', async () => {
    const failed = message('r1', { conversationId: 'r', direction: 'outbound', status: 'failed', body: 'Your parcel left today' });
    const sent = message('r2', { conversationId: 'r', direction: 'outbound', status: 'sent' });
    await updateInbox((s) => applyThreadPage(addConversation(s, conversation('r')), 'r', [failed, sent]));
    const queued: PendingReply[] = [];
    const typing: Array<[string, boolean]> = [];
    const handlers = composerHandlers(
      connections({
        api: {} as ApiClient,
        outbox: { add: async (p: PendingReply) => void queued.push(p) } as never,
        rooms: { typing: (id: string, on: boolean) => void typing.push([id, on]) } as unknown as Rooms,
      }),
    );

    await expect(handlers['composer:retry']({ conversationId: 'r', messageId: 'r2' })).rejects.toThrow('only a failed reply can be retried');
    await handlers['composer:retry']({ conversationId: 'r', messageId: 'r1' });

    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ conversationId: 'r', content: { body: 'Your parcel left today' } satisfies ReplyContent });
    expect(queued[0]?.id).not.toBe('r1');
    expect(typing).toEqual([['r', false]]);
  });
});
