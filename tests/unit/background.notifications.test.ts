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
  const getAll = async () => Object.fromEntries([...shown.keys()].map((id) => [id, true]));
  Object.assign(fakeBrowser.notifications, { create, update, getAll, clear: async (id: string) => shown.delete(id) });
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
  /** A name as a burst shows it: isolated from the text around it (FSI … PDI). */
  const fsi = (name: string) => `\u2068${name}\u2069`;

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

  it('pop up each time where the browser cannot change one (Firefox has no update), a burst too', async () => {
    const { NOTIFY_EVERY_MS, notifyMessage } = await load();
    const center = notificationCenter();
    Object.assign(fakeBrowser.notifications, { update: undefined });
    for (const [id, body] of [
      ['c9', 'one'],
      ['c9', 'two'],
      ['c10', 'three'],
      ['c11', 'four'],
      ['c12', 'five'],
    ]) {
      await notifyMessage(message(body!, { conversationId: id, body }), mine(id!));
      later(NOTIFY_EVERY_MS + 100);
    }
    expect(center.create.mock.calls.map((c) => [c[0], c[1].message])).toEqual([
      ['conversation:c9', 'one'],
      ['conversation:c9', 'two'],
      ['conversation:c10', 'three'],
      ['conversation:c11', 'four'],
      ['conversation:c12', 'five'],
    ]);
  });

  it('a burst of customers: after three pop-ups, one notification names the rest, changed in place', async () => {
    const { NOTIFY_EVERY_MS, BURST_NOTIFICATION_ID, notifyMessage } = await load();
    const center = notificationCenter();
    const say = (id: string, body: string) => notifyMessage(message(body, { conversationId: id, body }), mine(id));
    for (const id of ['c1', 'c2', 'c3']) {
      await say(id, `from ${id}`);
      later(NOTIFY_EVERY_MS + 100);
    }
    expect(center.create.mock.calls.map((c) => c[0])).toEqual(['conversation:c1', 'conversation:c2', 'conversation:c3']);
    expect(sound.played).toBe(3);

    // The fourth customer within the pop-ups' time: the burst's notification, with its sound.
    await say('c4', 'from c4');
    expect(center.create).toHaveBeenCalledTimes(4);
    expect(center.create.mock.calls.at(-1)?.[0]).toBe(BURST_NOTIFICATION_ID);
    expect(center.shown.get(BURST_NOTIFICATION_ID)).toMatchObject({
      title: '1 more customer wrote',
      message: fsi('Customer c4'),
      iconUrl: expect.stringContaining('/icon/'),
    });
    expect(sound.played).toBe(4);

    // More customers: the same notification, changed in place (no icon, no pop-up, no sound), the latest first.
    later(NOTIFY_EVERY_MS + 100);
    await say('c5', 'from c5');
    later(NOTIFY_EVERY_MS + 100);
    await say('c6', 'from c6');
    expect(center.shown.get(BURST_NOTIFICATION_ID)).toMatchObject({
      title: '3 more customers wrote',
      message: `${fsi('Customer c6')}, ${fsi('Customer c5')}, and ${fsi('Customer c4')}`,
    });
    // Someone in the burst writes again: named first, counted once.
    later(NOTIFY_EVERY_MS + 100);
    await say('c4', 'again from c4');
    expect(center.shown.get(BURST_NOTIFICATION_ID)).toMatchObject({
      title: '3 more customers wrote',
      message: `${fsi('Customer c4')}, ${fsi('Customer c6')}, and ${fsi('Customer c5')}`,
    });
    // The agent closed it (the browser did not say so): it is over, and with the three pop-ups over
    // too, the next customer has a notification of their own.
    await fakeBrowser.notifications.clear(BURST_NOTIFICATION_ID);
    later(NOTIFY_EVERY_MS + 100);
    await say('c7', 'from c7');
    expect(center.create).toHaveBeenCalledTimes(5);
    expect(center.create.mock.calls.at(-1)?.[0]).toBe('conversation:c7');
    expect(center.update.mock.calls.map((c) => c[0])).toEqual([BURST_NOTIFICATION_ID, BURST_NOTIFICATION_ID, BURST_NOTIFICATION_ID, BURST_NOTIFICATION_ID]);
    expect(sound.played).toBe(5);
  });

  it('past a few names, "and N others"; customers’ names as they wrote them (text, never markup)', async () => {
    const { NOTIFY_EVERY_MS, BURST_NOTIFICATION_ID, notifyMessage } = await load();
    const center = notificationCenter();
    const named = (id: string, profileName: string) => conversation(id, { assigneeId: 'a1', contact: { id: `ct-${id}`, phone: '+14155550134', profileName } });
    const names = ['Ana', 'Ben', 'Carla', '<b>Dan</b>', 'Eve', 'Femi', 'Gus', 'Hana'];
    for (const [i, name] of names.entries()) {
      await notifyMessage(message('hi', { conversationId: `n${i}`, body: 'hi' }), named(`n${i}`, name));
      later(NOTIFY_EVERY_MS + 100);
    }
    expect(center.shown.get(BURST_NOTIFICATION_ID)).toMatchObject({
      title: '5 more customers wrote',
      message: `${fsi('Hana')}, ${fsi('Gus')}, ${fsi('Femi')}, and 2 others`,
    });
    expect(center.create.mock.calls.slice(0, 3).map((c) => c[1].title)).toEqual(['Ana', 'Ben', 'Carla']);
    expect(center.create.mock.calls[3]?.[1]).toMatchObject({ title: '1 more customer wrote', message: fsi('<b>Dan</b>') });
  });

  it('a burst goes on while customers keep writing: it pops up again when its pop-up is over, counting from there; quiet, each pops up again', async () => {
    const { NOTIFY_EVERY_MS, REFRESH_SHOWN_MS, BURST_NOTIFICATION_ID, notifyMessage } = await load();
    const center = notificationCenter();
    const say = (id: string) => notifyMessage(message('hi', { conversationId: id, body: 'hi' }), mine(id));
    // Ten customers, one every 1.1 s: three pop up, the burst begins at the fourth and pops up again
    // at the ninth (its pop-up over), counting from the ninth: the count never grows without end.
    for (let i = 1; i <= 10; i++) {
      await say(`k${i}`);
      later(NOTIFY_EVERY_MS + 100);
    }
    const created = center.create.mock.calls.map((c) => c[0]);
    expect(created).toEqual(['conversation:k1', 'conversation:k2', 'conversation:k3', BURST_NOTIFICATION_ID, BURST_NOTIFICATION_ID]);
    expect(center.shown.get(BURST_NOTIFICATION_ID)).toMatchObject({
      title: '2 more customers wrote',
      message: '\u2068Customer k10\u2069 and \u2068Customer k9\u2069',
    });
    // Quiet for the pop-ups' time: the next customer has a notification of their own.
    later(REFRESH_SHOWN_MS);
    await say('k11');
    expect(center.create.mock.calls.at(-1)?.[0]).toBe('conversation:k11');
  });

  it('notifications the agent closed do not make a burst', async () => {
    const { NOTIFY_EVERY_MS, notifyMessage } = await load();
    const center = notificationCenter();
    const say = (id: string) => notifyMessage(message('hi', { conversationId: id, body: 'hi' }), mine(id));
    for (const id of ['m1', 'm2', 'm3']) {
      await say(id);
      later(NOTIFY_EVERY_MS + 100);
    }
    await fakeBrowser.notifications.clear('conversation:m1');
    await say('m4');
    expect(center.create.mock.calls.at(-1)?.[0]).toBe('conversation:m4');
  });

  it('customers within one second share the burst’s notification, every one counted, with one sound', async () => {
    const { BURST_NOTIFICATION_ID, notifyMessage } = await load();
    const center = notificationCenter();
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now });
    const say = (id: string) => notifyMessage(message(`from ${id}`, { conversationId: id, body: `from ${id}` }), mine(id));
    await say('s1'); // pops up on its own
    // Four more within the second (one of them twice): they wait for its end, then one notification names them all.
    for (const id of ['s2', 's3', 's2', 's4', 's5']) {
      vi.advanceTimersByTime(100);
      await say(id);
    }
    expect(center.create).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(center.create).toHaveBeenCalledTimes(2));
    expect(center.create.mock.calls.map((c) => c[0])).toEqual(['conversation:s1', BURST_NOTIFICATION_ID]);
    expect(center.shown.get(BURST_NOTIFICATION_ID)).toMatchObject({
      title: '4 more customers wrote',
      message: `${fsi('Customer s5')}, ${fsi('Customer s4')}, ${fsi('Customer s2')}, and ${fsi('Customer s3')}`,
    });
    expect(sound.played).toBe(2);
  });

  it('a burst clicked or closed is over: customers still writing after its pop-up pop up on their own', async () => {
    const { NOTIFY_EVERY_MS, BURST_NOTIFICATION_ID, forgetNotification, notifyMessage } = await load();
    const center = notificationCenter();
    const say = (id: string) => notifyMessage(message('hi', { conversationId: id, body: 'hi' }), mine(id));
    for (const id of ['b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7']) {
      await say(id);
      later(NOTIFY_EVERY_MS + 100);
    }
    expect(center.create.mock.calls.map((c) => c[0])).toEqual(['conversation:b1', 'conversation:b2', 'conversation:b3', BURST_NOTIFICATION_ID]);
    // The agent clicks it (the browser says so, and the click clears it), its pop-up long over
    // while customers still write: the next is not a new burst of one but their own notification.
    forgetNotification(BURST_NOTIFICATION_ID);
    await fakeBrowser.notifications.clear(BURST_NOTIFICATION_ID);
    later(NOTIFY_EVERY_MS + 100);
    await say('b8');
    expect(center.create.mock.calls.at(-1)?.[1]).toMatchObject({ title: 'Customer b8', message: 'hi' });
  });

  it('an assignment and a customer’s message of one conversation in one second: the assignment shows; of several, the newest', async () => {
    const { NOTIFY_EVERY_MS, notifyMessage } = await load();
    const center = notificationCenter();
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now });
    const assigned = (id: string, c: string) =>
      message(id, { conversationId: c, direction: 'activity', body: '', sentBy: 'a2', activity: { kind: 'assigned', to: 'a1', from: null } });
    await notifyMessage(message('hi', { conversationId: 'x0', body: 'hi' }), mine('x0'));
    vi.advanceTimersByTime(100);
    // Within the second: two assignments, then the second one's customer writes, and a colleague's line that does not notify.
    await notifyMessage(assigned('act1', 'x1'), mine('x1'));
    await notifyMessage(assigned('act2', 'x2'), mine('x2'));
    await notifyMessage(message('hello', { conversationId: 'x2', body: 'hello' }), mine('x2'));
    await notifyMessage(
      message('act3', {
        conversationId: 'x2',
        direction: 'activity',
        body: '',
        activity: { kind: 'status', status: 'resolved', reason: 'agent', until: null },
      }),
      mine('x2'),
    );
    await vi.advanceTimersByTimeAsync(NOTIFY_EVERY_MS);
    await vi.waitFor(() => expect(center.create).toHaveBeenCalledTimes(2));
    expect(center.create.mock.calls.map((c) => [c[0], c[1].title])).toEqual([
      ['conversation:x0', 'Customer x0'],
      ['conversation:x2', 'Assigned to you'],
    ]);
    expect(sound.played).toBe(2);
  });

  it('Firefox (no update): customers of one second pop up the burst’s notification, once', async () => {
    const { BURST_NOTIFICATION_ID, notifyMessage } = await load();
    const center = notificationCenter();
    Object.assign(fakeBrowser.notifications, { update: undefined });
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now });
    const say = (id: string) => notifyMessage(message('hi', { conversationId: id, body: 'hi' }), mine(id));
    await say('f1');
    for (const id of ['f2', 'f3']) {
      vi.advanceTimersByTime(100);
      await say(id);
    }
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(center.create).toHaveBeenCalledTimes(2));
    expect(center.create.mock.calls.map((c) => [c[0], c[1].title])).toEqual([
      ['conversation:f1', 'Customer f1'],
      [BURST_NOTIFICATION_ID, '2 more customers wrote'],
    ]);
  });

  it('shows one thing at a time: a customer’s message while the burst pops up changes it, no second pop-up or sound', async () => {
    const { NOTIFY_EVERY_MS, BURST_NOTIFICATION_ID, notifyMessage } = await load();
    const center = notificationCenter();
    const say = (id: string) => notifyMessage(message('hi', { conversationId: id, body: 'hi' }), mine(id));
    for (const id of ['q1', 'q2', 'q3']) {
      await say(id);
      later(NOTIFY_EVERY_MS + 100);
    }
    // The browser takes its time to pop up the burst's notification…
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const create = center.create.getMockImplementation()!;
    center.create.mockImplementationOnce(async (id, options) => {
      await slow;
      return create(id, options);
    });
    const fourth = say('q4');
    later(NOTIFY_EVERY_MS + 100);
    // …and the next customer comes meanwhile.
    const fifth = say('q5');
    release();
    await Promise.all([fourth, fifth]);
    expect(center.create.mock.calls.map((c) => c[0])).toEqual(['conversation:q1', 'conversation:q2', 'conversation:q3', BURST_NOTIFICATION_ID]);
    expect(center.shown.get(BURST_NOTIFICATION_ID)?.title).toBe('2 more customers wrote');
    expect(sound.played).toBe(4);
  });
});
