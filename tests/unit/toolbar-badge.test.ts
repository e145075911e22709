import { afterEach, describe, expect, it, vi } from 'vitest';
import { browser } from 'wxt/browser';
import { BADGE_EVERY_MS, badgeFor, badgeTitle, followToolbarBadge, showBadge } from '@/lib/background/toolbar-badge';

describe('toolbar badge', () => {
  it('shows the unread total in green while live', () => {
    expect(badgeFor(3, 'live')).toEqual({ text: '3', color: '#16a34a' });
    expect(badgeFor(0, 'live').text).toBe('');
    expect(badgeFor(1500, 'live').text).toBe('999+');
  });
  it('marks a connection that is not live, even with nothing unread', () => {
    expect(badgeFor(0, 'offline')).toEqual({ text: '!', color: '#6b7280' });
    expect(badgeFor(4, 'connecting')).toEqual({ text: '4', color: '#6b7280' });
  });
  it('shows nothing when signed out', () => {
    expect(badgeFor(5, 'signed-out').text).toBe('');
  });
  it('says in its title what it counts', () => {
    expect(badgeTitle(3, 'mine+unassigned', 'live')).toBe('Switchboard: 3 unread in your and unassigned open conversations');
    expect(badgeTitle(0, 'all', 'live')).toBe('Switchboard: Nothing unread in all open conversations');
    expect(badgeTitle(2, 'all', 'offline')).toMatch(/not live/);
  });
});

describe('showBadge', () => {
  it('sets only the parts of the icon that changed (each is a round trip to the browser)', async () => {
    const action = browser.action ?? (browser as unknown as { browserAction: typeof browser.action }).browserAction;
    const calls: string[] = [];
    // The browser's answer does not matter here: which parts were set, in order.
    const record = (part: string) => (() => void calls.push(part)) as never;
    vi.spyOn(action, 'setBadgeText').mockImplementation(record('text'));
    vi.spyOn(action, 'setBadgeBackgroundColor').mockImplementation(record('color'));
    vi.spyOn(action, 'setTitle').mockImplementation(record('title'));
    await showBadge(3, 'all', 'live');
    expect(calls).toEqual(['text', 'color', 'title']);
    calls.length = 0;
    await showBadge(4, 'all', 'live'); // a new message: the number and the title change, not the colour
    expect(calls).toEqual(['text', 'title']);
    calls.length = 0;
    await showBadge(4, 'all', 'live');
    expect(calls).toEqual([]);
    await showBadge(4, 'all', 'degraded');
    expect(calls).toEqual(['color', 'title']);
  });
});

describe('followToolbarBadge', () => {
  afterEach(() => vi.restoreAllMocks());
  it('draws a change after a quiet second at once, a burst once a second, and always ends on the last count', async () => {
    vi.useFakeTimers();
    try {
      let unread = 0;
      let change = () => {};
      const reads: number[] = [];
      followToolbarBadge({
        onInboxChange: (listener) => (change = listener),
        onStatus: () => {},
        currentStatus: async () => 'live',
        currentScope: async () => 'mine+unassigned',
        onScope: () => {},
        unread: async () => (reads.push(unread), unread),
      });
      await vi.advanceTimersByTimeAsync(BADGE_EVERY_MS * 2); // the first draw, then a quiet while
      reads.length = 0;
      // What the icon says: the last text set.
      const action = browser.action ?? (browser as unknown as { browserAction: typeof browser.action }).browserAction;
      const texts: string[] = [];
      vi.spyOn(action, 'setBadgeText').mockImplementation((({ text }: { text: string }) => void texts.push(text)) as never);
      const text = async () => texts.at(-1);

      // One message: on the icon at once, not a moment later.
      unread = 1;
      change();
      await vi.advanceTimersByTimeAsync(0);
      expect(await text()).toBe('1');
      // Ten more within the second: one more draw, at the end of it, with the last count.
      for (let i = 2; i <= 11; i++) {
        unread = i;
        change();
        await vi.advanceTimersByTimeAsync(BADGE_EVERY_MS / 20);
      }
      expect(await text()).toBe('1');
      await vi.advanceTimersByTimeAsync(BADGE_EVERY_MS);
      expect(await text()).toBe('11');
      expect(reads).toEqual([1, 11]);
    } finally {
      vi.useRealTimers();
    }
  });
});
