import { describe, expect, it } from 'vitest';
import type { MessageView } from '@/lib/contract/models';
import { createOutbox } from '@/lib/inbox/outbox';
import { pendingMessage } from '@/lib/inbox/store';
import { isOutboxCopy } from '@/lib/inbox/view';
import type { PendingReply } from '@/lib/inbox/types';

class Refused extends Error {}
class Offline extends Error {}

/** A server that answers per reply body, a stored queue and an inbox, all in memory. */
function harness(server: (p: PendingReply) => Promise<void>, o: { storageDelayMs?: number } = {}) {
  // chrome.storage answers later than a microtask: the stored queue is read and written back with a delay.
  const later = () => (o.storageDelayMs ? new Promise((r) => setTimeout(r, o.storageDelayMs)) : Promise.resolve());
  let queue: PendingReply[] = [];
  const inbox = new Map<string, MessageView>();
  const sent: string[] = [];
  const serve = async (p: PendingReply) => {
    await server(p);
    sent.push(p.content.body ?? '');
    return { message: { ...pendingMessage(p), status: 'sent' as const } };
  };
  const outbox = createOutbox({
    reply: serve,
    note: serve,
    load: async () => {
      await later();
      return queue;
    },
    save: async (q) => {
      await later();
      queue = q;
    },
    apply: async (m) => void inbox.set(m.id, m),
    pendingMessage,
    isTransient: (err) => err instanceof Offline,
    now: () => new Date('2026-11-28T10:00:00Z'),
  });
  let n = 0;
  const reply = (body: string): PendingReply => ({
    id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    conversationId: 'c1',
    content: { body },
    createdAt: '2026-11-28T09:59:00.000Z',
  });
  return { outbox, reply, sent, inbox, queue: () => queue };
}

describe('outbox', () => {
  it('sends two replies given at once (a document’s text and its file) each exactly once, whatever storage’s delays', async () => {
    const h = harness(async () => new Promise((r) => setTimeout(r, 3)), { storageDelayMs: 2 });
    const text = h.reply('Here it is');
    const file = h.reply('[the invoice]');
    await Promise.all([h.outbox.add(text), h.outbox.add(file)]);
    await h.outbox.flush();
    expect([...h.sent].sort()).toEqual(['Here it is', '[the invoice]']);
    expect(h.queue()).toEqual([]);
  });

  it('shows a reply at once as pending, hands it over, and keeps the server’s copy', async () => {
    const h = harness(async () => {});
    const r = h.reply('Hello');
    await h.outbox.add(r);
    expect(h.sent).toEqual(['Hello']);
    expect(h.inbox.get(r.id)?.status).toBe('sent');
    expect(h.queue()).toEqual([]);
  });

  it('offline: keeps every reply, in order, and sends each once when the connection is back', async () => {
    let online = false;
    const h = harness(async () => {
      if (!online) throw new Offline('offline');
    });
    const [a, b] = [h.reply('first'), h.reply('second')];
    await h.outbox.add(a);
    await h.outbox.add(b);
    expect(h.inbox.get(a.id)?.status).toBe('accepted'); // shown as pending, not failed
    expect(h.queue().map((p) => p.id)).toEqual([a.id, b.id]);
    online = true;
    await Promise.all([h.outbox.flush(), h.outbox.flush()]); // two flushes at once: still once each
    expect(h.sent).toEqual(['first', 'second']);
    expect(h.queue()).toEqual([]);
  });

  it('a refused reply is marked failed with the reason and leaves the queue; the next still goes', async () => {
    const h = harness(async (p) => {
      if (p.content.body === 'too late') throw new Refused('The 24-hour window closed');
    });
    const [late, fine] = [h.reply('too late'), h.reply('fine')];
    await h.outbox.add(late);
    await h.outbox.add(fine);
    expect(h.inbox.get(late.id)).toMatchObject({ status: 'failed', errorMessage: 'The 24-hour window closed', updatedAt: '2026-11-28T10:00:00.000Z' });
    expect(h.sent).toEqual(['fine']);
    expect(h.queue()).toEqual([]);
  });

  it('tells the outbox’s own copy of a reply (its file not stored yet) from the server’s', () => {
    const upload = { id: 'u1', contentType: 'image/png', name: 'photo.png', size: 10 };
    const own = pendingMessage({ id: 'm1', conversationId: 'c1', content: { upload }, createdAt: '2026-11-28T09:59:00.000Z' });
    expect(isOutboxCopy(own)).toBe(true);
    expect(isOutboxCopy({ ...own, sentBy: 'agent-1' })).toBe(false); // the server's copy, same id
    expect(isOutboxCopy({ ...own, status: 'failed' })).toBe(false);
    expect(isOutboxCopy({ ...own, direction: 'inbound' })).toBe(false);
  });
});
