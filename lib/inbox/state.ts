import type { SyncResponse } from '../contract/api';
import type { AgentConversationView, ConversationView, MessageView, ReadStateView } from '../contract/models';
import { newestFirst } from './order';

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
  /** Ids of the latest messages seen by any path (newest last): what has already been announced. */
  seen: string[];
  /** Bumped by every stored update: orders the patches that UIs receive live against what they read. */
  seq?: number;
}

/**
 * What one update changed, for UIs that hold a copy (the side panel): changed entries by value,
 * removed ones by id. Reducers keep unchanged entries' identity, so the diff is a pointer compare.
 */
export interface InboxPatch {
  seq: number;
  cursor: string | null;
  conversations: Record<string, AgentConversationView>;
  removedConversations: string[];
  /** Per thread, the messages added or changed (merged by id on the other side, as here). */
  messages: Record<string, MessageView[]>;
  /** Threads replaced wholesale (not a delta of the copy's list). */
  threads: Record<string, MessageView[]>;
  removedThreads: string[];
}

export function diffInbox(prev: InboxState, next: InboxState): InboxPatch {
  // Run on every change of a busy inbox over thousands of conversations: compares, builds only what differs.
  const changed = <T>(a: Record<string, T>, b: Record<string, T>) => {
    const out: Record<string, T> = {};
    for (const id in b) if (a[id] !== b[id]) out[id] = b[id]!;
    return out;
  };
  const removed = <T>(a: Record<string, T>, b: Record<string, T>) => {
    const out: string[] = [];
    for (const id in a) if (!(id in b)) out.push(id);
    return out;
  };
  const messages: Record<string, MessageView[]> = {};
  const threads: Record<string, MessageView[]> = {};
  for (const [id, list] of Object.entries(changed(prev.messages, next.messages))) {
    const before = prev.messages[id];
    if (!before) threads[id] = list;
    else {
      // Only what is new in the list: a busy thread does not resend its last hundred messages.
      const known = new Set(before);
      messages[id] = list.filter((m) => !known.has(m));
    }
  }
  return {
    seq: next.seq ?? 0,
    cursor: next.cursor,
    conversations: changed(prev.conversations, next.conversations),
    removedConversations: removed(prev.conversations, next.conversations),
    messages,
    threads,
    removedThreads: removed(prev.messages, next.messages),
  };
}

/** A UI's copy brought up to date by a patch (patches at or below the copy's seq are already in it). */
export function applyPatch(state: InboxState, patch: InboxPatch): InboxState {
  if (patch.seq <= (state.seq ?? 0)) return state;
  const conversations = { ...state.conversations, ...patch.conversations };
  for (const id of patch.removedConversations) delete conversations[id];
  const messages = { ...state.messages, ...patch.threads };
  for (const [id, changed] of Object.entries(patch.messages)) messages[id] = mergeMessages(messages[id] ?? [], changed).list;
  for (const id of patch.removedThreads) delete messages[id];
  return { ...state, seq: patch.seq, cursor: patch.cursor, conversations, messages };
}

export const MESSAGES_PER_CONVERSATION = 100;
export const CACHED_THREADS = 50;
export const CACHED_CONVERSATIONS = 2000;
export const SEEN_IDS = 1000;

export const emptyInbox = (): InboxState => ({ cursor: null, conversations: {}, messages: {}, seen: [] });

/** True when no path has brought this message before. */
export const isNewMessage = (state: InboxState, id: string) => !state.seen.includes(id);

const markSeen = (seen: string[], ids: string[]) => {
  const fresh = ids.filter((id) => !seen.includes(id));
  return fresh.length ? [...seen, ...fresh].slice(-SEEN_IDS) : seen;
};

const after = (a: string | null, b: string | null) => a !== null && (b === null || a > b);

/** What the toolbar badge counts: unread in the agent's and unassigned conversations, or in all. */
export type BadgeScope = 'mine+unassigned' | 'all';

/**
 * Unread messages in open conversations (snoozed and resolved ones wait out of sight): what the
 * toolbar badge shows, over every conversation or only the agent's and unassigned ones.
 */
export function totalUnread(state: InboxState, scope: BadgeScope = 'all', me: string | null = null): number {
  let n = 0;
  for (const c of Object.values(state.conversations)) {
    if (c.status !== 'open' || !c.unreadCount) continue;
    if (scope === 'mine+unassigned' && c.assigneeId !== null && c.assigneeId !== me) continue;
    n += c.unreadCount;
  }
  return n;
}

/** Conversations, most recent message first. */
export function sortedConversations(state: InboxState): AgentConversationView[] {
  return Object.values(state.conversations).sort(newestFirst);
}

/**
 * Whether two copies of a row say the same: each message or change reaches the worker by two or
 * three paths (Socket.IO, Realtime's row, the conversation's update), and a copy that brings nothing
 * new must change nothing (no new object, so no patch and no re-render). Field by field; nested
 * values (a contact, media) by their JSON, which is small.
 */
export function sameRow<T extends object>(a: T, b: T): boolean {
  if (a === b) return true;
  const keys = Object.keys(a) as Array<keyof T>;
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null || JSON.stringify(x) !== JSON.stringify(y)) return false;
  }
  return true;
}

function mergeMessages(list: MessageView[], incoming: MessageView[]): { list: MessageView[] } {
  const byId = new Map(list.map((m) => [m.id, m]));
  let changed = false;
  for (const m of incoming) {
    const known = byId.get(m.id);
    if (known && (m.updatedAt < known.updatedAt || sameRow(known, m))) continue;
    byId.set(m.id, m);
    changed = true;
  }
  if (!changed) return { list };
  const merged = [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return { list: merged.slice(-MESSAGES_PER_CONVERSATION) };
}

const maxIso = (a: string | null | undefined, b: string | null | undefined) => (after(a ?? null, b ?? null) ? a! : (b ?? a ?? null));

type ReadFields = Pick<AgentConversationView, 'lastReadAt' | 'readInboundCount' | 'readVersion'>;

/**
 * Merges two copies of a conversation. Row fields (status, preview, assignee…) come from the newer
 * version; the inbound count only grows, so the larger wins. The agent's read state comes from the
 * copy with the higher read version (marking unread lowers the count, so the larger count is not
 * always the newer). Unread is their difference. Every copy can arrive in any order, any number of
 * times, by any path: the result is the same.
 */
function mergeConversation(local: AgentConversationView | undefined, c: ConversationView & Partial<ReadFields>): AgentConversationView {
  const row: ConversationView = !local || c.version >= local.version ? c : local;
  const inboundCount = Math.max(local?.inboundCount ?? 0, c.inboundCount);
  const incoming: ReadFields | null =
    c.readVersion === undefined ? null : { lastReadAt: c.lastReadAt ?? null, readInboundCount: c.readInboundCount ?? 0, readVersion: c.readVersion };
  const known: ReadFields = local
    ? { lastReadAt: local.lastReadAt, readInboundCount: local.readInboundCount, readVersion: local.readVersion ?? 0 }
    : { lastReadAt: null, readInboundCount: 0, readVersion: 0 };
  let read = known;
  if (incoming && incoming.readVersion > known.readVersion) read = incoming;
  else if (incoming && incoming.readVersion === known.readVersion) {
    // The same write seen twice (or two copies without any read state): nothing to choose.
    read = {
      lastReadAt: maxIso(known.lastReadAt, incoming.lastReadAt),
      readInboundCount: Math.max(known.readInboundCount, incoming.readInboundCount),
      readVersion: known.readVersion,
    };
  }
  return {
    ...row,
    contact: row.contact.phone ? row.contact : (local?.contact ?? row.contact),
    lastInboundAt: maxIso(local?.lastInboundAt, c.lastInboundAt),
    inboundCount,
    ...read,
    unreadCount: Math.max(0, inboundCount - read.readInboundCount),
  };
}

/**
 * A message pushed live (Socket.IO, or Realtime), with its conversation as of that change when
 * the path carries it. Realtime brings the conversation as a separate change.
 */
export function applyMessage(state: InboxState, message: MessageView, conversation?: ConversationView): InboxState {
  const id = message.conversationId;
  const thread = state.messages[id];
  const { list } = mergeMessages(thread ?? [], [message]);
  const local = state.conversations[id];
  const merged = conversation && mergeConversation(local, conversation);
  const conversationChanged = !!merged && !(local && sameRow(local, merged));
  const seen = markSeen(state.seen, [message.id]);
  // A copy of what is known (the second and third path of the same message): nothing to do.
  if (thread && list === thread && !conversationChanged && seen === state.seen) return state;
  const conversations = conversationChanged ? { ...state.conversations, [id]: merged } : state.conversations;
  return trim({ ...state, conversations, messages: list === thread ? state.messages : { ...state.messages, [id]: list }, seen });
}

/** A changed conversation row (Realtime). Unknown conversations wait for the next sync, which brings the contact. */
export function applyConversation(state: InboxState, conversation: ConversationView): InboxState {
  const local = state.conversations[conversation.id];
  if (!local) return state;
  const merged = mergeConversation(local, conversation);
  if (sameRow(local, merged)) return state; // a copy of what is known
  return { ...state, conversations: { ...state.conversations, [conversation.id]: merged } };
}

/** A conversation the agent just started or looked up: added if unknown, merged by counters if known. */
export function addConversation(state: InboxState, conversation: AgentConversationView): InboxState {
  return trim({
    ...state,
    conversations: { ...state.conversations, [conversation.id]: mergeConversation(state.conversations[conversation.id], conversation) },
  });
}

/** A sync answer: conversations as the server saw them at the cursor's snapshot, changed messages. */
export function applySync(state: InboxState, res: SyncResponse): InboxState {
  const conversations = { ...state.conversations };
  const messages = { ...state.messages };
  for (const c of res.conversations) {
    conversations[c.id] = mergeConversation(conversations[c.id], c);
    if (res.messagesTruncated) delete messages[c.id];
  }
  const byConversation = new Map<string, MessageView[]>();
  for (const m of res.messages) byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
  for (const [id, incoming] of byConversation) {
    // Only threads we already cache, or conversations we know: others are fetched when opened.
    if (messages[id] || conversations[id]) messages[id] = mergeMessages(messages[id] ?? [], incoming).list;
  }
  return trim({
    cursor: res.cursor,
    conversations,
    messages,
    seen: markSeen(
      state.seen,
      res.messages.map((m) => m.id),
    ),
  });
}

/** A page of a thread fetched from the server. */
export function applyThreadPage(state: InboxState, conversationId: string, page: MessageView[]): InboxState {
  return trim({ ...state, messages: { ...state.messages, [conversationId]: mergeMessages(state.messages[conversationId] ?? [], page).list } });
}

/** The agent read a conversation (here, or on another device). */
export function applyRead(state: InboxState, read: ReadStateView): InboxState {
  const local = state.conversations[read.conversationId];
  if (!local) return state;
  const copy = { ...local, version: -1, lastReadAt: read.lastReadAt, readInboundCount: read.readInboundCount, readVersion: read.version };
  return { ...state, conversations: { ...state.conversations, [read.conversationId]: mergeConversation(local, copy) } };
}

/** Keeps the stored cache bounded: threads of the most recent conversations, a cap on conversations. */
function trim(state: InboxState): InboxState {
  // Called on every change, so it sorts only what it must: all conversations when there are too
  // many, otherwise just the threads (a few dozen at most).
  const overConversations = Object.keys(state.conversations).length > CACHED_CONVERSATIONS;
  const threadIds = Object.keys(state.messages);
  if (!overConversations && threadIds.length <= CACHED_THREADS) return state;
  const keep = new Set(
    overConversations
      ? sortedConversations(state)
          .slice(0, CACHED_CONVERSATIONS)
          .map((c) => c.id)
      : Object.keys(state.conversations),
  );
  const recency = (id: string) => state.conversations[id]!.lastMessageAt ?? '';
  const keepThreads = threadIds
    .filter((id) => keep.has(id))
    .sort((a, b) => recency(b).localeCompare(recency(a)) || a.localeCompare(b))
    .slice(0, CACHED_THREADS);
  return {
    ...state,
    conversations: overConversations ? Object.fromEntries(Object.entries(state.conversations).filter(([id]) => keep.has(id))) : state.conversations,
    messages: Object.fromEntries(keepThreads.map((id) => [id, state.messages[id]!])),
  };
}
