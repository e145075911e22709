import { storage } from 'wxt/utils/storage';
import type { ReplyContent } from '../api/client';
import type { AgentProfile, MessageView } from '../contract/models';
import { emptyInbox, type InboxState } from './state';

/**
 * What must survive a service-worker restart lives in extension storage, never in module
 * variables: the inbox (conversations, cursor, cached messages) and who is signed in.
 * UIs read these items and watch them.
 */
export const inboxItem = storage.defineItem<InboxState>('local:inbox', {
  fallback: emptyInbox(),
  version: 2,
  migrations: { 2: (old: Omit<InboxState, 'seen'>) => ({ ...old, seen: [] }) },
});
export const agentItem = storage.defineItem<AgentProfile | null>('local:agent', { fallback: null, version: 1 });
/** A reply the server has not confirmed yet (offline, or the request in flight). */
export interface PendingReply {
  id: string;
  conversationId: string;
  content: ReplyContent;
  createdAt: string;
}
/** Replies waiting for the server, oldest first: they survive a worker restart and go out once. */
export const outboxItem = storage.defineItem<PendingReply[]>('local:outbox', { fallback: [], version: 1 });

/** How a pending reply shows in the thread until the server's copy replaces it (same id). */
export function pendingMessage(p: PendingReply): MessageView {
  return {
    id: p.id,
    conversationId: p.conversationId,
    direction: 'outbound',
    body: p.content.body ?? (p.content.template ? 'Template message' : ''),
    media: p.content.mediaUrl ? [{ url: p.content.mediaUrl, contentType: 'application/octet-stream' }] : [],
    status: 'accepted',
    twilioSid: null,
    errorCode: null,
    errorMessage: null,
    createdAt: p.createdAt,
    updatedAt: p.createdAt,
  };
}

/** The conversation the side panel shows. */
export const openConversationItem = storage.defineItem<string | null>('session:openConversation', { fallback: null });

type Pending = { fn: (state: InboxState) => InboxState; resolve: (s: InboxState) => void; reject: (e: unknown) => void };
let pending: Pending[] = [];
let flushing: Promise<void> | null = null;

/**
 * Read-modify-write of the inbox. Updates are serialised (concurrent events never overwrite each
 * other) and batched: everything queued while a write is in flight is applied in order and
 * written once, so a burst of messages costs a few storage writes, not one each.
 */
export function updateInbox(fn: (state: InboxState) => InboxState): Promise<InboxState> {
  return new Promise((resolve, reject) => {
    pending.push({ fn, resolve, reject });
    flushing ??= flush();
  });
}

async function flush(): Promise<void> {
  try {
    while (pending.length) {
      const batch = pending;
      pending = [];
      let state = await inboxItem.getValue();
      const applied: Pending[] = [];
      for (const p of batch) {
        try {
          state = p.fn(state);
          applied.push(p);
        } catch (err) {
          p.reject(err);
        }
      }
      try {
        await inboxItem.setValue(state);
        for (const p of applied) p.resolve(state);
      } catch (err) {
        for (const p of applied) p.reject(err);
      }
    }
  } finally {
    flushing = null;
  }
}
