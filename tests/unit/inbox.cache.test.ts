import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { clearCache, readCache, writeCache } from '@/lib/inbox/cache';
import { addConversation, applyMessage, emptyInbox, type InboxState } from '@/lib/inbox/state';
import { conversation, message } from '../support/views';

const inboxOf = (...ids: string[]): InboxState => ids.reduce((s, id) => addConversation(s, conversation(id)), emptyInbox());

describe('the inbox cache (IndexedDB)', () => {
  beforeEach(async () => {
    await clearCache();
    fakeBrowser.reset();
  });

  it('is empty before the first write, and reads back what was written', async () => {
    expect(await readCache()).toBeNull();
    const state = { ...applyMessage(inboxOf('a', 'b'), message('m1', { conversationId: 'a' })), cursor: 'c1', seq: 3 };
    await writeCache(state, null, { threads: false });
    const read = await readCache();
    expect(read).toEqual({ ...state, seen: state.seen });
    expect(read!.messages.a!.map((m) => m.id)).toEqual(['m1']); // a first write is whole, threads too
  });

  it('writes only the records that changed, removes the ones gone, and leaves threads for their own write', async () => {
    const first = inboxOf('a', 'b', 'c');
    let written = await writeCache(first, null, { threads: true });
    const withMessage = applyMessage(first, message('m2', { conversationId: 'b' }));
    const { c: _gone, ...kept } = withMessage.conversations;
    const next = { ...withMessage, cursor: 'c2', conversations: { ...kept, b: { ...kept.b!, lastMessagePreview: 'new text' } } };
    written = await writeCache(next, written, { threads: false });
    let read = await readCache();
    expect(Object.keys(read!.conversations).sort()).toEqual(['a', 'b']);
    expect(read!.conversations.b!.lastMessagePreview).toBe('new text');
    expect(read!.cursor).toBe('c2');
    expect(read!.messages.b ?? []).toEqual([]); // the thread waits
    await writeCache(next, written, { threads: true });
    read = await readCache();
    expect(read!.messages.b!.map((m) => m.id)).toEqual(['m2']);
  });

  it('an unchanged conversation is not written again (its record stays as the cache has it)', async () => {
    const first = inboxOf('a', 'b');
    const written = await writeCache(first, null, { threads: true });
    // Tamper with the record behind the worker's back: a write that rewrote everything would restore it.
    const { openDB } = await import('idb');
    const db = await openDB('switchboard-inbox');
    await db.put('conversations', { ...first.conversations.a!, lastMessagePreview: 'untouched' });
    db.close();
    await writeCache(applyMessage(first, message('m3', { conversationId: 'b' })), written, { threads: true });
    expect((await readCache())!.conversations.a!.lastMessagePreview).toBe('untouched');
  });

  it('after an update from a version that kept the inbox in storage.local, the worker moves it into the cache', async () => {
    vi.resetModules();
    const legacy = inboxOf('old');
    await fakeBrowser.storage.local.set({
      inbox: { ...legacy, cursor: 'kept', messages: {} },
      inbox$: { v: 4 },
      threads: { messages: { old: [message('m0', { conversationId: 'old' })] } },
      threads$: { v: 1 },
    });
    const store = await import('@/lib/inbox/store');
    const state = await store.readInbox();
    expect(state.cursor).toBe('kept');
    expect(state.messages.old!.map((m) => m.id)).toEqual(['m0']);
    expect((await readCache())!.cursor).toBe('kept'); // in the cache before the old items go
    expect(await fakeBrowser.storage.local.get(['inbox', 'inbox$', 'threads', 'threads$'])).toEqual({});
  });

  it('sign-out forgets the cached inbox', async () => {
    vi.resetModules();
    const store = await import('@/lib/inbox/store');
    await store.updateInbox((s) => addConversation(s, conversation('x')));
    await store.persistAll();
    expect(Object.keys((await readCache())!.conversations)).toEqual(['x']);
    await store.forgetInbox();
    expect(await readCache()).toBeNull();
    expect(await store.readInbox()).toEqual({ ...emptyInbox(), seq: expect.any(Number) });
  });
});
