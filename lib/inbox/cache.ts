import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { AgentConversationView, MessageView } from '../contract/models';
import type { InboxState } from './state';

/**
 * The inbox's cache on this device (docs/architecture.md, "The inbox cache"): IndexedDB, one
 * record per conversation and per thread, so a change writes only what changed. It was a single
 * `storage.local` item; every write of one copied the whole inbox into every extension page and
 * CRM tab listening to storage changes, about half of an agent's CPU per message.
 *
 * Only the service worker reads and writes it (a page gets the worker's copy over its port). The
 * cache is a copy: lost or unreadable, the next catch-up (from no cursor) fills it again.
 */
interface CacheSchema extends DBSchema {
  /** The inbox's small fields, under the key `inbox`. */
  meta: { key: 'inbox'; value: Meta };
  /** Conversations by id. */
  conversations: { key: string; value: AgentConversationView };
  /** Cached threads, by conversation id, oldest message first. */
  threads: { key: string; value: MessageView[] };
}
type Meta = Pick<InboxState, 'cursor' | 'seen' | 'seq'>;

const DB_NAME = 'switchboard-inbox';
/** Bumped when a cached record's shape changes: an older cache is dropped (the catch-up refills it). */
const DB_VERSION = 1;

let db: Promise<IDBPDatabase<CacheSchema>> | null = null;
function open(): Promise<IDBPDatabase<CacheSchema>> {
  db ??= openDB<CacheSchema>(DB_NAME, DB_VERSION, {
    upgrade(database) {
      for (const name of database.objectStoreNames) database.deleteObjectStore(name);
      database.createObjectStore('meta');
      database.createObjectStore('conversations', { keyPath: 'id' });
      database.createObjectStore('threads');
    },
    // Another context holds an older version open: let it go, it opens again on its next read.
    blocking() {
      void db?.then((d) => d.close());
      db = null;
    },
  }).catch((err: unknown) => {
    db = null;
    throw err;
  });
  return db;
}

/** The cached inbox, or null when there is none yet (first start, or just cleared). */
export async function readCache(): Promise<InboxState | null> {
  const d = await open();
  const tx = d.transaction(['meta', 'conversations', 'threads'], 'readonly');
  const [meta, conversations, threadKeys, threads] = await Promise.all([
    tx.objectStore('meta').get('inbox'),
    tx.objectStore('conversations').getAll(),
    tx.objectStore('threads').getAllKeys(),
    tx.objectStore('threads').getAll(),
  ]);
  if (!meta) return null;
  return {
    ...meta,
    conversations: Object.fromEntries(conversations.map((c) => [c.id, c])),
    messages: Object.fromEntries(threadKeys.map((k, i) => [k, threads[i]!])),
  };
}

/** What the cache holds now, as the worker last wrote it (compared by reference with the next state). */
export interface Written {
  conversations: InboxState['conversations'];
  messages: InboxState['messages'];
  meta: Meta;
}

/**
 * Writes what changed since `written` (null: the cache is rewritten whole) and returns what the
 * cache then holds. `threads` false leaves the threads for a later write (they are the larger
 * part). Reducers keep an unchanged conversation's or thread's identity, so the comparison is by
 * reference: a message writes its conversation's record and, with the threads, its thread's.
 */
export async function writeCache(next: InboxState, written: Written | null, opts: { threads: boolean }): Promise<Written> {
  const d = await open();
  const tx = d.transaction(['meta', 'conversations', 'threads'], 'readwrite');
  const writes: Promise<unknown>[] = [];
  const put = <T>(store: 'conversations' | 'threads', before: Record<string, T> | null, now: Record<string, T>) => {
    const s = tx.objectStore(store);
    if (!before) writes.push(s.clear());
    for (const [id, v] of Object.entries(now))
      if (before?.[id] !== v) writes.push(store === 'threads' ? s.put(v as MessageView[], id) : s.put(v as AgentConversationView));
    for (const id of Object.keys(before ?? {})) if (!(id in now)) writes.push(s.delete(id));
  };
  put('conversations', written?.conversations ?? null, next.conversations);
  const threads = opts.threads || !written;
  if (threads) put('threads', written?.messages ?? null, next.messages);
  const meta: Meta = { cursor: next.cursor, seen: next.seen, seq: next.seq };
  const was = written?.meta;
  if (!was || was.cursor !== meta.cursor || was.seen !== meta.seen || was.seq !== meta.seq) writes.push(tx.objectStore('meta').put(meta, 'inbox'));
  await Promise.all([...writes, tx.done]);
  return { conversations: next.conversations, messages: threads ? next.messages : written!.messages, meta };
}

/** Forgets the cached inbox (sign-out: nothing of the organisation stays on the device). */
export async function clearCache(): Promise<void> {
  const d = await open();
  const tx = d.transaction(['meta', 'conversations', 'threads'], 'readwrite');
  await Promise.all([tx.objectStore('meta').clear(), tx.objectStore('conversations').clear(), tx.objectStore('threads').clear(), tx.done]);
}
