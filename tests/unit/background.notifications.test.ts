import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing';
import { DEFAULT_NOTIFICATION_SETTINGS } from '@/lib/notifications/rules';
import { agentItem, notificationSettingsItem } from '@/lib/storage/items';
import { conversation, message } from '../support/views';

/** The extension's sound (an offscreen document in the browser): counted here. */
const sound = vi.hoisted(() => ({ played: 0 }));
vi.mock('@/lib/background/sound', () => ({ playNotificationSound: async () => void sound.played++ }));

/**
 * The browser's notifications as Chrome documents them: `create` with an id in use replaces that
 * notification (it pops up again), `update` changes one that exists and says false when there is
 * none (the agent closed or clicked it). The WXT fake has no `update`; its own methods are put back
 * after each test.
 */
const fakeNotifications = { ...fakeBrowser.notifications };
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
  // One clock for the file, a minute on for each test: what the module keeps (when it last
  // notified, what is up) is over by then. (Importing it afresh would run the settings' storage
  // migration again over the values set here.)
  let now = Date.parse('2026-12-07T12:00:00Z');
  /** After the previous notification's second (no burst throttling in between). */
  const later = (ms: number) => vi.setSystemTime((now += ms));
  const mine = (id: string) => conversation(id, { assigneeId: 'a1', contact: { id: `ct-${id}`, phone: '+14155550134', profileName: `Customer ${id}` } });
  const load = () => import('@/lib/background/notifications');

  beforeEach(async () => {
    fakeBrowser.reset();
    vi.useFakeTimers({ toFake: ['Date'] });
    later(60_000);
    sound.played = 0;
    await agentItem.setValue({ id: 'a1', organisationId: 'o1', displayName: 'Ana', email: null, role: 'agent' });
    await notificationSettingsItem.setValue({ ...DEFAULT_NOTIFICATION_SETTINGS, sound: true });
  });
  afterEach(() => {
    vi.useRealTimers();
    Object.assign(fakeBrowser.notifications, fakeNotifications, { update: undefined });
  });

  it('change the text of one still up, pop up again after it or once it is closed', async () => {
    const { NOTIFY_EVERY_MS, REFRESH_SHOWN_MS, notifyMessage } = await load();
    const center = notificationCenter();
    const say = (id: string, body: string) => notifyMessage(message(body, { conversationId: id, body }), mine(id));

    await say('c1', 'one');
    expect(center.create).toHaveBeenCalledTimes(1);
    expect(center.shown.get('conversation:c1')).toMatchObject({ title: 'Customer c1', message: 'one', iconUrl: expect.stringContaining('/icon/') });
    expect(sound.played).toBe(1);

    // The same customer again while it is up: the latest text, no new pop-up, no second sound.
    later(NOTIFY_EVERY_MS + 100);
    await say('c1', 'two');
    expect(center.create).toHaveBeenCalledTimes(1);
    expect(center.shown.get('conversation:c1')?.message).toBe('two');
    expect(sound.played).toBe(1);

    // Another customer: a notification of its own.
    later(NOTIFY_EVERY_MS + 100);
    await say('c2', 'hello');
    expect(center.create).toHaveBeenCalledTimes(2);
    expect(sound.played).toBe(2);

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
    expect(sound.played).toBe(4);
  });

  it('an SLA alert always pops up, and the customer’s next message pops up after it', async () => {
    const { NOTIFY_EVERY_MS, notifyMessage, notifySla } = await load();
    const center = notificationCenter();
    await notifyMessage(message('one', { conversationId: 'c1', body: 'one' }), mine('c1'));
    later(100);
    await notifySla({ conversationId: 'c1', kind: 'first_response', dueAt: new Date(now).toISOString(), assigneeId: 'a1' }, true, mine('c1'));
    expect(center.create).toHaveBeenCalledTimes(2);
    expect(center.shown.get('conversation:c1')?.title).toMatch(/overdue/i);
    later(NOTIFY_EVERY_MS + 100);
    await notifyMessage(message('two', { conversationId: 'c1', body: 'two' }), mine('c1'));
    expect(center.create).toHaveBeenCalledTimes(3);
    expect(center.shown.get('conversation:c1')?.message).toBe('two');
    expect(sound.played).toBe(3);
  });

  it('pops up when the browser fails to change the one that is up', async () => {
    const { NOTIFY_EVERY_MS, notifyMessage } = await load();
    const center = notificationCenter();
    await notifyMessage(message('one', { conversationId: 'c1', body: 'one' }), mine('c1'));
    center.update.mockRejectedValueOnce(new Error('No such notification'));
    later(NOTIFY_EVERY_MS + 100);
    await notifyMessage(message('two', { conversationId: 'c1', body: 'two' }), mine('c1'));
    expect(center.create).toHaveBeenCalledTimes(2);
    expect(center.shown.get('conversation:c1')?.message).toBe('two');
  });

  it('pop up each time where the browser cannot change one (Firefox has no update)', async () => {
    const { NOTIFY_EVERY_MS, notifyMessage } = await load();
    const center = notificationCenter();
    Object.assign(fakeBrowser.notifications, { update: undefined });
    for (const body of ['one', 'two']) {
      await notifyMessage(message(body, { conversationId: 'c9', body }), mine('c9'));
      later(NOTIFY_EVERY_MS + 100);
    }
    expect(center.create.mock.calls.map((c) => c[1].message)).toEqual(['one', 'two']);
  });
});
