import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { NOTIFY_EVERY_MS, REFRESH_SHOWN_MS, notifyMessage } from '@/lib/background/notifications';
import { agentItem } from '@/lib/storage/items';
import { conversation, message } from '../support/views';

/**
 * The browser's notifications as Chrome documents them: `create` with an id in use replaces that
 * notification (it pops up again), `update` changes one that exists and says false when there is
 * none (the agent closed or clicked it). The WXT fake has no `update`.
 */
function notificationCenter() {
  const shown = new Map<string, { title?: string; message?: string; iconUrl?: string }>();
  const create = vi.fn(async (id: string, options: { title: string; message: string; iconUrl: string }) => {
    shown.set(id, { ...options });
    return id;
  });
  const update = vi.fn(async (id: string, options: { title?: string; message?: string }) => {
    const now = shown.get(id);
    if (!now) return false;
    shown.set(id, { ...now, ...options });
    return true;
  });
  Object.assign(fakeBrowser.notifications, { create, update, clear: async (id: string) => shown.delete(id) });
  return { shown, create, update };
}

describe('notifications of a burst of messages', () => {
  afterEach(() => {
    vi.useRealTimers();
    fakeBrowser.reset();
  });

  it('change the text of one still on screen, pop up again after it or once it is closed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let now = Date.parse('2026-12-07T12:00:00Z');
    vi.setSystemTime(now);
    // Each message after the previous notification's second (no burst throttling in between).
    const later = (ms: number) => vi.setSystemTime((now += ms));
    await agentItem.setValue({ id: 'a1', organisationId: 'o1', displayName: 'Ana', email: null, role: 'agent' });
    const center = notificationCenter();
    const mine = (id: string) => conversation(id, { assigneeId: 'a1', contact: { id: `ct-${id}`, phone: '+14155550134', profileName: `Customer ${id}` } });
    const say = (id: string, body: string) => notifyMessage(message(body, { conversationId: id, body }), mine(id));

    await say('c1', 'one');
    expect(center.create).toHaveBeenCalledTimes(1);
    expect(center.shown.get('conversation:c1')).toMatchObject({ title: 'Customer c1', message: 'one', iconUrl: expect.stringContaining('/icon/') });

    // The same customer again while it is on screen: the latest text, no new pop-up.
    later(NOTIFY_EVERY_MS + 100);
    await say('c1', 'two');
    expect(center.create).toHaveBeenCalledTimes(1);
    expect(center.shown.get('conversation:c1')?.message).toBe('two');

    // Another customer: a notification of its own.
    later(NOTIFY_EVERY_MS + 100);
    await say('c2', 'hello');
    expect(center.create).toHaveBeenCalledTimes(2);

    // The agent closed the first: the next message pops up again, even within the time.
    await fakeBrowser.notifications.clear('conversation:c1');
    later(NOTIFY_EVERY_MS + 100);
    await say('c1', 'three');
    expect(center.create).toHaveBeenCalledTimes(3);
    expect(center.shown.get('conversation:c1')?.message).toBe('three');

    // Still there but popped up long enough ago: it pops up again (the agent may have looked away).
    later(REFRESH_SHOWN_MS + 100);
    await say('c1', 'four');
    expect(center.create).toHaveBeenCalledTimes(4);
    expect(center.create.mock.calls.at(-1)?.[1]).toMatchObject({ message: 'four' });
    expect(center.update).toHaveBeenCalledTimes(2); // 'two', and 'three' (gone, so created)
  });

  it('pop up each time where the browser cannot change one (Firefox has no update)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let now = Date.parse('2026-12-07T13:00:00Z');
    vi.setSystemTime(now);
    await agentItem.setValue({ id: 'a1', organisationId: 'o1', displayName: 'Ana', email: null, role: 'agent' });
    const center = notificationCenter();
    Object.assign(fakeBrowser.notifications, { update: undefined });
    for (const body of ['one', 'two']) {
      vi.setSystemTime((now += NOTIFY_EVERY_MS + 100));
      await notifyMessage(message(body, { conversationId: 'c9', body }), conversation('c9', { assigneeId: 'a1' }));
    }
    expect(center.create.mock.calls.map((c) => c[1].message)).toEqual(['one', 'two']);
  });
});
