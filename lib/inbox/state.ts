import type { SyncResponse } from '../contract/api';
import type { AgentConversationView, ConversationView, MessageView, ReadStateView } from '../contract/models';

/**
 * The agent's inbox as the extension keeps it (in `storage.local`): conversations with unread
 * counts, a bounded cache of recent messages, and the sync cursor. Pure functions; every path a
 * message can take (Socket.IO, sync, a thread page) goes through them, so each message is applied
 * once, by id.
 */
export interface InboxState {
  cursor: string | null;
  conversations: Record<string, AgentConversationView>;
  /** Per conversation, oldest first, at most MESSAGES_PER_CONVERSATION. */
  messages: Record<string, MessageView[]>;
}

export const MESSAGES_PER_CONVERSATION = 100;
export const CACHED_THREADS = 50;
export const CACHED_CONVERSATIONS = 2000;

export const emptyInbox = (): InboxState => ({ cursor: null, conversations: {}, messages: {} });

const after = (a: string | null, b: string | null) => a !== null && (b === null || a > b);

/** Total unread across conversations: what the toolbar badge shows. */
export function totalUnread(state: InboxState): number {
  return Object.values(state.conversations).reduce((n, c) => n + c.unreadCount, 0);
}

/** Conversations, most recent message first. */
export function sortedConversations(state: InboxState): AgentConversationView[] {
  return Object.values(state.conversations).sort(
    (a, b) => (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? '') || a.id.localeCompare(b.id),
  );
}

function mergeMessages(list: MessageView[], incoming: MessageView[]): { list: MessageView[]; added: MessageView[] } {
  const byId = new Map(list.map((m) => [m.id, m]));
  const added: MessageView[] = [];
  for (const m of incoming) {
    const known = byId.get(m.id);
    if (!known) added.push(m);
    if (!known || m.updatedAt >= known.updatedAt) byId.set(m.id, m);
  }
  const merged = [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return { list: merged.slice(-MESSAGES_PER_CONVERSATION), added };
}

/** Organisation-wide fields from a newer copy; the agent's own read state stays. */
function withConversation(local: AgentConversationView | undefined, c: ConversationView): AgentConversationView {
  return { ...c, lastReadAt: local?.lastReadAt ?? null, unreadCount: local?.unreadCount ?? 0 };
}

/** A message pushed live (Socket.IO or Realtime), with its conversation as of that change. */
export function applyMessage(state: InboxState, message: MessageView, conversation: ConversationView): InboxState {
  const local = state.conversations[conversation.id];
  const { list, added } = mergeMessages(state.messages[conversation.id] ?? [], [message]);
  let next = local;
  // Only a newer conversation version can carry a message the local count has not seen:
  // a sync answer that already counted it has the same or a higher version.
  if (!local || conversation.version > local.version) {
    next = withConversation(local, conversation);
    if (added.length && message.direction === 'inbound' && after(message.createdAt, local?.lastReadAt ?? null)) {
      next = { ...next, unreadCount: next.unreadCount + 1 };
    }
  }
  return trim({
    ...state,
    conversations: { ...state.conversations, [conversation.id]: next! },
    messages: { ...state.messages, [conversation.id]: list },
  });
}

/** A sync answer: conversations as the server saw them at the cursor's snapshot, changed messages. */
export function applySync(state: InboxState, res: SyncResponse): InboxState {
  const conversations = { ...state.conversations };
  const messages = { ...state.messages };
  for (const c of res.conversations) {
    const local = conversations[c.id];
    if (!local) {
      conversations[c.id] = c;
      continue;
    }
    const newerRow = c.version >= local.version;
    const newerRead = !after(local.lastReadAt, c.lastReadAt);
    if (newerRow && newerRead) conversations[c.id] = c;
    else if (newerRow) {
      // Read here after the server's snapshot: keep the local read unless a later message came in.
      conversations[c.id] = { ...c, lastReadAt: local.lastReadAt, unreadCount: after(c.lastInboundAt, local.lastReadAt) ? c.unreadCount : 0 };
    } else if (newerRead) {
      conversations[c.id] = { ...local, lastReadAt: c.lastReadAt, unreadCount: after(local.lastInboundAt, c.lastReadAt) ? local.unreadCount : 0 };
    }
    if (res.messagesTruncated) delete messages[c.id];
  }
  const byConversation = new Map<string, MessageView[]>();
  for (const m of res.messages) byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
  for (const [id, incoming] of byConversation) {
    // Only threads we already cache, or conversations we know: others are fetched when opened.
    if (messages[id] || conversations[id]) messages[id] = mergeMessages(messages[id] ?? [], incoming).list;
  }
  return trim({ cursor: res.cursor, conversations, messages });
}

/** A page of a thread fetched from the server. */
export function applyThreadPage(state: InboxState, conversationId: string, page: MessageView[]): InboxState {
  return trim({ ...state, messages: { ...state.messages, [conversationId]: mergeMessages(state.messages[conversationId] ?? [], page).list } });
}

/** The agent read a conversation (here, or on another device). */
export function applyRead(state: InboxState, read: ReadStateView): InboxState {
  const local = state.conversations[read.conversationId];
  if (!local || (local.lastReadAt !== null && !after(read.lastReadAt, local.lastReadAt))) return state;
  const stillUnread = (state.messages[read.conversationId] ?? []).filter((m) => m.direction === 'inbound' && after(m.createdAt, read.lastReadAt)).length;
  return {
    ...state,
    conversations: { ...state.conversations, [read.conversationId]: { ...local, lastReadAt: read.lastReadAt, unreadCount: stillUnread } },
  };
}

/** Keeps the stored cache bounded: threads of the most recent conversations, a cap on conversations. */
function trim(state: InboxState): InboxState {
  const order = sortedConversations(state);
  if (order.length <= CACHED_CONVERSATIONS && Object.keys(state.messages).length <= CACHED_THREADS) return state;
  const keep = new Set(order.slice(0, CACHED_CONVERSATIONS).map((c) => c.id));
  const keepThreads = new Set(order.filter((c) => state.messages[c.id]).slice(0, CACHED_THREADS).map((c) => c.id));
  return {
    cursor: state.cursor,
    conversations: Object.fromEntries(Object.entries(state.conversations).filter(([id]) => keep.has(id))),
    messages: Object.fromEntries(Object.entries(state.messages).filter(([id]) => keepThreads.has(id))),
  };
}
