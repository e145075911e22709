import { describe, expect, it, vi } from 'vitest';
import { runUndo, statusChangeText, statusUndo, unreadUndo } from '../../lib/inbox/undo';
import { conversation } from '../support/views';

describe('undo of resolve, snooze, bulk resolve and mark unread', () => {
  const open = conversation('a');
  const openToo = conversation('b');
  const snoozed = conversation('c', { status: 'snoozed', snoozedUntil: '2026-12-01T09:00:00.000Z' });
  const resolved = conversation('d', { status: 'resolved' });

  it('puts each conversation back to its own status and snooze time, alike ones in one request', () => {
    expect(statusUndo('2 resolved', [open, snoozed, openToo, resolved]).steps).toEqual([
      { kind: 'status', conversationIds: ['a', 'b'], status: 'open', snoozedUntil: null },
      { kind: 'status', conversationIds: ['c'], status: 'snoozed', snoozedUntil: '2026-12-01T09:00:00.000Z' },
      { kind: 'status', conversationIds: ['d'], status: 'resolved', snoozedUntil: null },
    ]);
  });

  it('undoes mark unread by reading it again (opening it, as it was)', () => {
    expect(unreadUndo('a', 'Zoë')).toEqual({ text: 'Marked unread: Zoë', steps: [{ kind: 'read', conversationId: 'a' }] });
  });

  it('says what was done in words', () => {
    const time = (iso: string) => `[${iso.slice(11, 16)}]`;
    expect(statusChangeText('open', 'resolved', null, 'Zoë', time)).toBe('Resolved: Zoë');
    expect(statusChangeText('open', 'snoozed', '2026-12-01T09:00:00.000Z', 'Zoë', time)).toBe('Snoozed until [09:00]: Zoë');
    expect(statusChangeText('snoozed', 'open', null, 'Zoë', time)).toBe('Unsnoozed: Zoë');
    expect(statusChangeText('resolved', 'open', null, 'Zoë', time)).toBe('Reopened: Zoë');
  });

  it('runs every step and says what could not be put back', async () => {
    const setStatus = vi.fn().mockResolvedValueOnce({ newMessages: 0, notFound: 0 }).mockResolvedValueOnce({ newMessages: 1, notFound: 0 });
    const openIt = vi.fn().mockResolvedValue(null);
    const u = statusUndo('x', [open, snoozed]);
    expect(await runUndo(u, { setStatus, open: openIt })).toBe('Could not undo everything: the customer wrote again, so it stays open.');
    expect(setStatus.mock.calls).toEqual([
      [['a'], 'open', null],
      [['c'], 'snoozed', '2026-12-01T09:00:00.000Z'],
    ]);
    expect(await runUndo(unreadUndo('a', 'Zoë'), { setStatus, open: openIt })).toBeNull();
    expect(openIt).toHaveBeenCalledWith('a');
    expect(await runUndo(unreadUndo('a', 'Zoë'), { setStatus, open: async () => ({ error: 'offline' }) })).toBe('Could not undo everything: offline.');
  });
});
