import type { AgentConversationView, MessageView } from '../../lib/contract/models';

/**
 * Views as the server sends them, for unit tests: a message (an inbound customer's by default)
 * and a conversation, with any field overridden.
 */
export function message(id: string, over: Partial<MessageView> = {}): MessageView {
  const direction = over.direction ?? 'inbound';
  const createdAt = over.createdAt ?? '2026-11-25T10:00:00.000Z';
  return {
    id,
    conversationId: 'c1',
    direction,
    body: id,
    media: [],
    status: direction === 'inbound' ? 'received' : 'sent',
    twilioSid: null,
    errorCode: null,
    errorMessage: null,
    sentBy: null,
    location: null,
    activity: null,
    quote: null,
    interactive: null,
    createdAt,
    updatedAt: createdAt,
    ...over,
  };
}

export function conversation(id: string, over: Partial<AgentConversationView> = {}): AgentConversationView {
  return {
    id,
    channelId: 'ch',
    contact: { id: `ct-${id}`, phone: '+14155550134', profileName: 'Zoë Brontë' },
    assigneeId: null,
    lastMessageAt: '2026-11-25T10:00:00.000Z',
    lastMessagePreview: 'Where is my parcel?',
    lastInboundAt: null,
    inboundCount: 0,
    status: 'open',
    snoozedUntil: null,
    statusReason: null,
    statusChangedAt: null,
    version: 1,
    optedOutAt: null,
    lastReplyBy: null,
    lastReadAt: null,
    readInboundCount: 0,
    readVersion: 0,
    unreadCount: 0,
    ...over,
  };
}
