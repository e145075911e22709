import type { MessageView } from '../contract/models';
import { diffInbox, emptyInbox, type InboxPatch, type InboxState } from './state';
import type { PendingReply } from './types';
import { legacyInboxItem, legacyThreadsItem } from '../storage/items';
import { clearCache, readCache, writeCache, type Written } from './cache';

type PatchListener = (patch: InboxPatch, state: InboxState) => void;
const patchListeners = new Set<PatchListener>();
/** Every change the background makes to the inbox, as it is made (before it is stored), with the new state. */
export function onInboxPatch(listener: PatchListener): () => void {
  patchListeners.add(listener);
  return () => patchListeners.delete(listener);
}

/**
 * The worker's start: the cache, or (once, after an update from a version that kept the inbox in
 * `storage.local`) the old items moved into it, so the cursor and what was announced survive.
 */
async function startingInbox(): Promise<{ state: InboxState; written: Written | null }> {
  const cached = await readCache().catch(() => null);
  if (cached) return { state: cached, written: { conversations: cached.conversations, messages: cached.messages, meta: cached } };
  const [inbox, threads] = await Promise.all([legacyInboxItem.getValue(), legacyThreadsItem.getValue()]);
  const state = { ...inbox, messages: threads.messages };
  if (state.cursor === null && Object.keys(state.conversations).length === 0) return { state, written: null };
  // Written before the old items go: a worker stopped in between keeps one of the two.
  const moved = await writeCache(state, null, { threads: true }).catch(() => null);
  if (moved) await Promise.all([legacyInboxItem.removeValue({ removeMeta: true }), legacyThreadsItem.removeValue({ removeMeta: true })]);
  return { state, written: moved };
}
/** The start, read once however many callers ask for the inbox at once. */
let starting: ReturnType<typeof startingInbox> | null = null;

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
/** What the cache holds (null: nothing known, the next write is whole); writes go one at a time. */
let written: Written | null = null;
let writing: Promise<void> = Promise.resolve();
/**
 * How long changes may wait to be written together (each write is a transaction of the records
 * that changed): the conversations at most once a second, the threads at most every five (a
 * thread is fetched again when opened, so a lost write costs nothing).
 */
const PERSIST_DELAY_MS = 1000;
const THREADS_DELAY_MS = 5000;

/** The inbox as the background knows it now (ahead of storage by at most PERSIST_DELAY_MS). */
export async function readInbox(): Promise<InboxState> {
  if (!current) {
    starting ??= startingInbox();
    const start = await starting;
    if (!current) ({ state: current, written } = start);
  }
  return current;
}

/**
 * Read-modify-write of the inbox. Updates are serialised (concurrent events never overwrite each
 * other) and batched: everything queued meanwhile is applied in order, pushed at once to open side
 * panels (`onInboxPatch`), and written to storage together a moment later. A worker stopped before
 * the write loses nothing: the stored cursor is older, so the next catch-up fetches it again.
 */
export function updateInbox(fn: (state: InboxState) => InboxState, opts: { gather?: boolean } = {}): Promise<InboxState> {
  return new Promise((resolve, reject) => {
    pending.push({ fn, resolve, reject });
    // Right after a change, wait a few milliseconds to take the next ones with it: at 100 messages
    // a second that is one patch per few messages, not one each. `gather`: more of the same
    // transaction is on its way (Realtime sends a message's row, then its conversation's, as two
    // frames a moment apart): wait for it, so the two make one patch and one render, not two.
    const wait = Math.max(opts.gather ? GATHER_MS : 0, lastFlush + BATCH_MS - Date.now());
    flushing ??= new Promise((r) => setTimeout(r, wait)).then(flush);
  });
}
const BATCH_MS = 20;
/** How long a message's row waits for its conversation's (the next frame of the same commit). */
const GATHER_MS = 4;
let lastFlush = 0;

/** Writes what changed to the cache, in order, one write at a time. */
function persist(threads: boolean): Promise<void> {
  writing = writing.then(async () => {
    if (!current) return;
    written = await writeCache(current, written, { threads }).catch(() => null); // a failed write: the next one is whole
  });
  return writing;
}

/** Writes the conversations now (the threads wait for their own timer). */
export function persistInbox(): Promise<void> {
  if (persistTimer) clearTimeout(persistTimer);
  persistTimer = null;
  return persist(false);
}

async function persistThreads(): Promise<void> {
  if (threadsTimer) clearTimeout(threadsTimer);
  threadsTimer = null;
  await persist(true);
}

/** Writes everything now. */
export async function persistAll(): Promise<void> {
  if (persistTimer) clearTimeout(persistTimer);
  persistTimer = null;
  await persistThreads();
}

/** Sign-out: the working copy is emptied and nothing of the organisation stays in the cache. */
export async function forgetInbox(): Promise<void> {
  await updateInbox(() => emptyInbox());
  for (const timer of [persistTimer, threadsTimer]) if (timer) clearTimeout(timer);
  persistTimer = threadsTimer = null;
  writing = writing.then(async () => {
    await clearCache();
    written = null;
  });
  await writing;
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
        persistTimer ??= setTimeout(() => void persistInbox(), PERSIST_DELAY_MS);
        if (state.messages !== before.messages) threadsTimer ??= setTimeout(() => void persistThreads(), THREADS_DELAY_MS);
      }
      for (const p of batch) p.resolve(state);
    }
  } finally {
    flushing = null;
  }
}
