import { describe, expect, it } from 'vitest';
import type { SyncResponse } from '@/lib/contract/api';
import type { AgentConversationView, ConversationView, MessageView } from '@/lib/contract/models';
import { message } from '../support/views';
import {
  applyConversation,
  applyMessage,
  applyPatch,
  diffInbox,
  applyRead,
  applySync,
  applyThreadPage,
  emptyInbox,
  MESSAGES_PER_CONVERSATION,
  sortedConversations,
  totalUnread,
  type InboxState,
} from '@/lib/inbox/state';

const conv = (over: Partial<ConversationView> = {}): ConversationView => ({
  id: 'c1',
  channelId: 'ch',
  contact: { id: 'ct', phone: '+14155550134', profileName: 'Maria' },
  assigneeId: null,
  lastMessageAt: '2026-01-01T10:00:00.000Z',
  lastMessagePreview: 'hi',
  lastInboundAt: '2026-01-01T10:00:00.000Z',
  inboundCount: 1,
  status: 'open',
  snoozedUntil: null,
  statusReason: null,
  statusChangedAt: null,
  version: 2,
  optedOutAt: null,
  lastReplyBy: null,
  ...over,
});
const agentConv = (over: Partial<AgentConversationView> = {}): AgentConversationView => ({
  ...conv(),
  lastReadAt: null,
  readInboundCount: 0,
  readVersion: 0,
  unreadCount: 1,
  ...over,
});
const msg = (id: string, createdAt: string, over: Partial<MessageView> = {}): MessageView => message(id, { createdAt, ...over });
const syncRes = (over: Partial<SyncResponse>): SyncResponse => ({
  cursor: 'x',
  full: false,
  conversations: [],
  messages: [],
  messagesTruncated: false,
  ...over,
});

describe('inbox state', () => {
  it('counts a new inbound message once, whichever path brings it first, in any order', () => {
    const m = msg('m1', '2026-01-01T10:00:00.000Z');
    const viaSocket = (s: ReturnType<typeof emptyInbox>) => applyMessage(s, m, conv({ version: 2, inboundCount: 1 }));
    const viaRealtime = (s: ReturnType<typeof emptyInbox>) => applyConversation(applyMessage(s, m), conv({ version: 2, inboundCount: 1 }));
    const viaSync = (s: ReturnType<typeof emptyInbox>) => applySync(s, syncRes({ conversations: [agentConv({ version: 2, inboundCount: 1 })], messages: [m] }));
    for (const order of [
      [viaSync, viaSocket, viaRealtime],
      [viaSocket, viaRealtime, viaSync],
      [viaRealtime, viaSync, viaSocket, viaSocket],
    ]) {
      const s = order.reduce((state, apply) => apply(state), emptyInbox());
      expect(totalUnread(s)).toBe(1);
      expect(s.messages.c1).toHaveLength(1);
    }
  });

  it('a second or third copy of what is known changes nothing: the same state, so no patch and no re-render', () => {
    const m = msg('m1', '2026-01-01T10:00:00.000Z');
    const known = applyMessage(applySync(emptyInbox(), syncRes({ conversations: [agentConv({ version: 2, inboundCount: 1 })], messages: [] })), m, conv());
    // Realtime's copies of the message row and of the conversation row, then Socket.IO's again.
    expect(applyMessage(known, { ...m })).toBe(known);
    expect(applyConversation(known, conv())).toBe(known);
    expect(applyMessage(known, { ...m }, conv())).toBe(known);
    // A newer version of either is applied.
    const delivered = applyMessage(known, { ...m, status: 'read', updatedAt: '2026-01-01T10:00:05.000Z' });
    expect(delivered).not.toBe(known);
    expect(delivered.messages.c1![0]!.status).toBe('read');
    const resolved = applyConversation(known, conv({ version: 3, status: 'resolved' }));
    expect(resolved.conversations.c1!.status).toBe('resolved');
    // Untouched conversations keep their objects (their rows do not re-render).
    expect(applyMessage(known, msg('m2', '2026-01-01T10:01:00.000Z')).conversations).toBe(known.conversations);
  });

  it('takes the larger counter, so an older copy never lowers or raises the count', () => {
    let s = applySync(emptyInbox(), syncRes({ conversations: [agentConv({ version: 3, inboundCount: 2 })] }));
    s = applyMessage(s, msg('m3', '2026-01-01T10:06:00.000Z'), conv({ version: 4, inboundCount: 3 }));
    expect(totalUnread(s)).toBe(3);
    s = applySync(s, syncRes({ conversations: [agentConv({ version: 3, inboundCount: 2 })] }));
    expect(totalUnread(s)).toBe(3);
  });

  it('keeps row fields from the newest version', () => {
    let s = applyMessage(emptyInbox(), msg('m1', '2026-01-01T10:00:00.000Z'), conv({ version: 5, lastMessagePreview: 'newest' }));
    s = applySync(s, syncRes({ conversations: [agentConv({ version: 4, lastMessagePreview: 'older' })] }));
    expect(s.conversations.c1).toMatchObject({ lastMessagePreview: 'newest' });
  });

  it('a read (here or on another device) clears the count; an older read does not bring it back', () => {
    let s = applyMessage(emptyInbox(), msg('m1', '2026-01-01T10:00:00.000Z'), conv({ inboundCount: 1 }));
    s = applyRead(s, { conversationId: 'c1', lastReadAt: '2026-01-01T10:00:00.000Z', readInboundCount: 1, version: 2 });
    expect(totalUnread(s)).toBe(0);
    s = applyMessage(s, msg('m2', '2026-01-01T10:01:00.000Z'), conv({ version: 3, inboundCount: 2 }));
    expect(totalUnread(s)).toBe(1);
    s = applyRead(s, { conversationId: 'c1', lastReadAt: '2026-01-01T09:00:00.000Z', readInboundCount: 0, version: 1 });
    expect(totalUnread(s)).toBe(1);
  });

  it('a mark unread (a newer read version) raises the count; copies older than it, by any path, do not undo it', () => {
    let s = applySync(
      emptyInbox(),
      syncRes({ conversations: [agentConv({ version: 2, inboundCount: 3, readInboundCount: 3, readVersion: 4, unreadCount: 0 })] }),
    );
    expect(totalUnread(s)).toBe(0);
    s = applyRead(s, { conversationId: 'c1', lastReadAt: '2026-01-01T09:00:00.000Z', readInboundCount: 1, version: 5 });
    expect(totalUnread(s)).toBe(2);
    // The Realtime copy of the earlier read, and a sync taken before the mark: both older.
    s = applyRead(s, { conversationId: 'c1', lastReadAt: '2026-01-01T10:00:00.000Z', readInboundCount: 3, version: 4 });
    s = applySync(s, syncRes({ conversations: [agentConv({ version: 2, inboundCount: 3, readInboundCount: 3, readVersion: 4 })] }));
    expect(totalUnread(s)).toBe(2);
    // Read again later: cleared.
    s = applyRead(s, { conversationId: 'c1', lastReadAt: '2026-01-01T10:00:00.000Z', readInboundCount: 3, version: 6 });
    expect(totalUnread(s)).toBe(0);
  });

  it('the toolbar count leaves out snoozed and resolved conversations, and can count only mine and unassigned', () => {
    let s = applySync(
      emptyInbox(),
      syncRes({
        conversations: [
          agentConv({ id: 'a', inboundCount: 2, assigneeId: 'me' }),
          agentConv({ id: 'b', inboundCount: 3, assigneeId: null }),
          agentConv({ id: 'c', inboundCount: 4, assigneeId: 'bob' }),
          agentConv({ id: 'd', inboundCount: 5, status: 'resolved' }),
          agentConv({ id: 'e', inboundCount: 6, status: 'snoozed', snoozedUntil: '2026-01-02T09:00:00.000Z' }),
        ],
      }),
    );
    expect(totalUnread(s, 'all', 'me')).toBe(9);
    expect(totalUnread(s, 'mine+unassigned', 'me')).toBe(5);
    // Reopened (a newer version of the row): counted again.
    s = applyConversation(s, conv({ id: 'd', inboundCount: 6, status: 'open', version: 3 }));
    expect(totalUnread(s, 'all', 'me')).toBe(15);
  });

  it('keeps a local read over a sync snapshot taken before it', () => {
    let s = applySync(emptyInbox(), syncRes({ conversations: [agentConv({ version: 2, inboundCount: 1 })] }));
    s = applyRead(s, { conversationId: 'c1', lastReadAt: '2026-01-01T10:00:00.000Z', readInboundCount: 1, version: 1 });
    s = applySync(s, syncRes({ conversations: [agentConv({ version: 2, inboundCount: 1, readInboundCount: 0, lastReadAt: null })] }));
    expect(totalUnread(s)).toBe(0);
  });

  it('ignores a Realtime change for a conversation it does not know yet (the sync brings it)', () => {
    expect(applyConversation(emptyInbox(), conv())).toEqual(emptyInbox());
  });

  it('merges status updates by id and keeps threads ordered and bounded', () => {
    const many = Array.from({ length: MESSAGES_PER_CONVERSATION + 20 }, (_, i) =>
      msg(`m${String(i).padStart(3, '0')}`, `2026-01-01T10:${String(i % 60).padStart(2, '0')}:${String(Math.floor(i / 60)).padStart(2, '0')}.000Z`),
    );
    let s = applyThreadPage(emptyInbox(), 'c1', [...many].reverse());
    expect(s.messages.c1).toHaveLength(MESSAGES_PER_CONVERSATION);
    const times = s.messages.c1!.map((m) => m.createdAt);
    expect([...times].sort()).toEqual(times);
    const last = s.messages.c1!.at(-1)!;
    s = applySync(s, syncRes({ conversations: [agentConv()], messages: [{ ...last, status: 'read', updatedAt: '2027-01-01T00:00:00.000Z' }] }));
    expect(s.messages.c1!.at(-1)!.status).toBe('read');
    expect(s.messages.c1).toHaveLength(MESSAGES_PER_CONVERSATION);
  });

  it('sorts conversations newest first and stores the cursor', () => {
    const s = applySync(
      emptyInbox(),
      syncRes({
        cursor: '10:12:',
        full: true,
        conversations: [
          agentConv({ id: 'old', lastMessageAt: '2026-01-01T09:00:00.000Z' }),
          agentConv({ id: 'new', lastMessageAt: '2026-01-02T09:00:00.000Z' }),
        ],
      }),
    );
    expect(sortedConversations(s).map((c) => c.id)).toEqual(['new', 'old']);
    expect(s.cursor).toBe('10:12:');
  });
});

/** The side panel's copy follows the worker's by patches: what one update changed, applied on the other side. */
describe('inbox patches (diffInbox, applyPatch)', () => {
  const base = () =>
    applySync(
      emptyInbox(),
      syncRes({
        cursor: '10:1:',
        full: true,
        conversations: [agentConv({ id: 'c1' }), agentConv({ id: 'c2', lastMessageAt: '2026-01-01T09:00:00.000Z' })],
        messages: [message('m1', { conversationId: 'c1' })],
      }),
    );

  it('brings a copy to the new state: a new message, a changed and a removed conversation, a new thread', () => {
    const before = { ...base(), seq: 1 };
    let after = applyMessage(
      before,
      message('m2', { conversationId: 'c1', createdAt: '2026-01-01T10:05:00.000Z' }),
      conv({ id: 'c1', version: 3, lastMessagePreview: 'again' }),
    );
    after = applyMessage(after, message('m3', { conversationId: 'c2' }));
    const { c2: _gone, ...conversations } = after.conversations;
    after = { ...after, conversations, seq: 2 };
    const patch = diffInbox(before, after);
    expect(Object.keys(patch.conversations)).toEqual(['c1']); // only what changed travels
    expect(patch.messages.c1!.map((m) => m.id)).toEqual(['m2']);
    expect(patch.removedConversations).toEqual(['c2']);
    const copy = applyPatch(JSON.parse(JSON.stringify(before)) as InboxState, patch);
    expect(copy.conversations).toEqual(after.conversations);
    expect(copy.messages).toEqual(after.messages);
    expect(copy.seq).toBe(2);
  });

  it('a patch the copy already has (its seq or older) changes nothing', () => {
    const state = { ...base(), seq: 5 };
    const patch = diffInbox({ ...state, seq: 4 }, { ...state, conversations: {} });
    expect(applyPatch(state, { ...patch, seq: 5 })).toBe(state);
  });
});
