import type { MessageView } from '../contract/models';
import { diffInbox, type InboxPatch, type InboxState } from './state';
import type { PendingReply } from './types';
import { inboxItem, threadsItem } from '../storage/items';

type PatchListener = (patch: InboxPatch, state: InboxState) => void;
const patchListeners = new Set<PatchListener>();
/** Every change the background makes to the inbox, as it is made (before it is stored), with the new state. */
export function onInboxPatch(listener: PatchListener): () => void {
  patchListeners.add(listener);
  return () => patchListeners.delete(listener);
}

/** The stored inbox with its cached threads (what a UI paints first). */
export async function storedInbox(): Promise<InboxState> {
  const [inbox, threads] = await Promise.all([inboxItem.getValue(), threadsItem.getValue()]);
  return { ...inbox, messages: threads.messages };
}

/**
 * How a pending reply shows in the thread until the server's copy replaces it (same id). A
 * template has no text here (the server renders it): the bubble says "Template message" in the
 * agent's language for an agent's message with no sender, text or file.
 */
export function pendingMessage(p: PendingReply): MessageView {
  return {
    id: p.id,
    conversationId: p.conversationId,
    direction: p.note ? 'note' : 'outbound',
    body: p.content.body ?? '',
    media: p.content.mediaUrl
      ? [{ url: p.content.mediaUrl, contentType: 'application/octet-stream' }]
      : p.content.upload
        ? [{ contentType: p.content.upload.contentType, name: p.content.upload.name, size: p.content.upload.size, uploadId: p.content.upload.id }]
        : [],
    status: 'accepted',
    twilioSid: null,
    errorCode: null,
    errorMessage: null,
    sentBy: null,
    location: null,
    activity: null,
    quote: null,
    interactive: null,
    createdAt: p.createdAt,
    updatedAt: p.createdAt,
  };
}

type Pending = { fn: (state: InboxState) => InboxState; resolve: (s: InboxState) => void; reject: (e: unknown) => void };
let pending: Pending[] = [];
let flushing: Promise<void> | null = null;
/** The background's working copy: storage is its persisted image, written a moment later. */
let current: InboxState | null = null;
let persistTimer: ReturnType<typeof setTimeout> | null = null;
let threadsTimer: ReturnType<typeof setTimeout> | null = null;
let persistedThreads: InboxState['messages'] | null = null;
/**
 * How long changes may wait to be written together: every write of an item costs the browser a
 * copy to each open extension page, so the inbox is written at most once a second and the thread
 * cache at most every five (a thread is fetched again when opened, so a lost write costs nothing).
 */
const PERSIST_DELAY_MS = 1000;
const THREADS_DELAY_MS = 5000;

/** The inbox as the background knows it now (ahead of storage by at most PERSIST_DELAY_MS). */
export async function readInbox(): Promise<InboxState> {
  current ??= await storedInbox();
  persistedThreads ??= current.messages;
  return current;
}

/**
 * Read-modify-write of the inbox. Updates are serialised (concurrent events never overwrite each
 * other) and batched: everything queued meanwhile is applied in order, pushed at once to open side
 * panels (`onInboxPatch`), and written to storage together a moment later. A worker stopped before
 * the write loses nothing: the stored cursor is older, so the next catch-up fetches it again.
 */
export function updateInbox(fn: (state: InboxState) => InboxState): Promise<InboxState> {
  return new Promise((resolve, reject) => {
    pending.push({ fn, resolve, reject });
    // Right after a change, wait a few milliseconds to take the next ones with it: at 100 messages
    // a second that is one patch per few messages, not one each.
    flushing ??= new Promise((r) => setTimeout(r, Math.max(0, lastFlush + BATCH_MS - Date.now()))).then(flush);
  });
}
const BATCH_MS = 20;
let lastFlush = 0;

/** Writes the working copy to storage now (sign-out must not leave the old inbox on disk). */
export async function persistInbox(): Promise<void> {
  if (persistTimer) clearTimeout(persistTimer);
  persistTimer = null;
  if (current) await inboxItem.setValue({ ...current, messages: {} });
}

async function persistThreads(): Promise<void> {
  if (threadsTimer) clearTimeout(threadsTimer);
  threadsTimer = null;
  if (!current || current.messages === persistedThreads) return;
  persistedThreads = current.messages;
  await threadsItem.setValue({ messages: current.messages });
}

/** Writes everything now (sign-out must not leave the old inbox on disk). */
export async function persistAll(): Promise<void> {
  await Promise.all([persistInbox(), persistThreads()]);
}

async function flush(): Promise<void> {
  lastFlush = Date.now();
  try {
    while (pending.length) {
      const batch = pending;
      pending = [];
      const before = await readInbox();
      let state = before;
      for (const p of batch) {
        try {
          state = p.fn(state);
        } catch (err) {
          p.reject(err);
          p.reject = p.resolve = () => {};
        }
      }
      if (state !== before) {
        state = { ...state, seq: (before.seq ?? 0) + 1 };
        current = state;
        const patch = diffInbox(before, state);
        for (const listener of patchListeners) listener(patch, state);
        persistTimer ??= setTimeout(() => void persistInbox().catch(() => {}), PERSIST_DELAY_MS);
        if (state.messages !== before.messages) threadsTimer ??= setTimeout(() => void persistThreads().catch(() => {}), THREADS_DELAY_MS);
      }
      for (const p of batch) p.resolve(state);
    }
  } finally {
    flushing = null;
  }
}
