import { renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { useInboxKeyboard, type InboxKeys } from '@/lib/hooks/useInboxKeyboard';

const press = (key: string, init: KeyboardEventInit = {}) =>
  document.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }));

describe('the side panel’s keyboard map', () => {
  const keys = (openId: string | null): InboxKeys => ({
    openId,
    search: vi.fn(),
    step: vi.fn(),
    back: vi.fn(),
    reply: vi.fn(),
    resolve: vi.fn(),
    snooze: vi.fn(),
    unread: vi.fn(),
  });

  it('maps E, Z and U to resolve, snooze and mark unread in a thread, never while typing or in the list', () => {
    const inList = keys(null);
    const { rerender, unmount } = renderHook((k: InboxKeys) => useInboxKeyboard(k), { initialProps: inList });
    for (const k of ['e', 'z', 'u']) press(k);
    expect([inList.resolve, inList.snooze, inList.unread].map((f) => (f as ReturnType<typeof vi.fn>).mock.calls.length)).toEqual([0, 0, 0]);
    const inThread = keys('c1');
    rerender(inThread);
    for (const k of ['e', 'Z', 'u']) press(k);
    press('e', { ctrlKey: true });
    const box = document.createElement('textarea');
    document.body.append(box);
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'e', bubbles: true, cancelable: true }));
    box.remove();
    expect([inThread.resolve, inThread.snooze, inThread.unread].map((f) => (f as ReturnType<typeof vi.fn>).mock.calls.length)).toEqual([1, 1, 1]);
    unmount();
  });

  it('maps Ctrl+Z to undo outside text fields, in the list and in a thread', () => {
    const k = { ...keys(null), undo: vi.fn() };
    const { unmount } = renderHook((x: InboxKeys) => useInboxKeyboard(x), { initialProps: k });
    press('z', { ctrlKey: true });
    press('z');
    const box = document.createElement('textarea');
    document.body.append(box);
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', ctrlKey: true, bubbles: true, cancelable: true }));
    box.remove();
    expect(k.undo).toHaveBeenCalledTimes(1);
    expect(k.snooze).not.toHaveBeenCalled();
    unmount();
  });

  it('maps / and Ctrl+K to search, Alt+↑/↓ to the neighbours, and R and Escape only in a thread', () => {
    const inList = keys(null);
    const { rerender, unmount } = renderHook((k: InboxKeys) => useInboxKeyboard(k), { initialProps: inList });
    press('/');
    press('k', { ctrlKey: true });
    press('ArrowDown', { altKey: true });
    press('ArrowUp', { altKey: true });
    press('r');
    press('Escape');
    expect(inList.search).toHaveBeenCalledTimes(2);
    expect((inList.step as ReturnType<typeof vi.fn>).mock.calls).toEqual([[1], [-1]]);
    expect(inList.reply).not.toHaveBeenCalled();
    expect(inList.back).not.toHaveBeenCalled();
    const inThread = keys('c1');
    rerender(inThread); // the listener acts on the latest state
    press('r');
    press('Escape');
    expect(inThread.reply).toHaveBeenCalledTimes(1);
    expect(inThread.back).toHaveBeenCalledTimes(1);
    unmount();
    press('/');
    press('Escape');
    expect(inThread.search).not.toHaveBeenCalled(); // the listener is gone
    expect(inThread.back).toHaveBeenCalledTimes(1);
  });

  it('leaves / and R to a text field being typed in', () => {
    const k = keys('c1');
    renderHook(() => useInboxKeyboard(k));
    const box = document.createElement('textarea');
    document.body.append(box);
    box.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true }));
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'r', bubbles: true }));
    expect(k.search).not.toHaveBeenCalled();
    expect(k.reply).not.toHaveBeenCalled();
    box.remove();
  });
});
