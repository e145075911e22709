import { describe, expect, it, vi } from 'vitest';
import { runUndo, statusChangeText, statusUndo, unreadUndo } from '../../lib/inbox/undo';
import { conversation } from '../support/views';
import { createI18n } from '../../lib/i18n';

const t = createI18n('en').getFixedT('en', 'inbox');

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
    expect(unreadUndo(t, 'a', 'Zoë')).toEqual({ text: 'Marked unread: Zoë', steps: [{ kind: 'read', conversationId: 'a' }] });
  });

  it('says what was done in words', () => {
    const time = (iso: string) => `[${iso.slice(11, 16)}]`;
    expect(statusChangeText(t, 'open', 'resolved', null, 'Zoë', time)).toBe('Resolved: Zoë');
    expect(statusChangeText(t, 'open', 'snoozed', '2026-12-01T09:00:00.000Z', 'Zoë', time)).toBe('Snoozed until [09:00]: Zoë');
    expect(statusChangeText(t, 'snoozed', 'open', null, 'Zoë', time)).toBe('Unsnoozed: Zoë');
    expect(statusChangeText(t, 'resolved', 'open', null, 'Zoë', time)).toBe('Reopened: Zoë');
  });

  it('runs every step and says what could not be put back', async () => {
    const setStatus = vi.fn().mockResolvedValueOnce({ newMessages: 0, notFound: 0 }).mockResolvedValueOnce({ newMessages: 1, notFound: 0 });
    const openIt = vi.fn().mockResolvedValue(null);
    const u = statusUndo('x', [open, snoozed]);
    expect(await runUndo(u, { setStatus, open: openIt }, t)).toBe('Could not undo everything: the customer wrote again, so it stays open.');
    expect(setStatus.mock.calls).toEqual([
      [['a'], 'open', null],
      [['c'], 'snoozed', '2026-12-01T09:00:00.000Z'],
    ]);
    expect(await runUndo(unreadUndo(t, 'a', 'Zoë'), { setStatus, open: openIt }, t)).toBeNull();
    expect(openIt).toHaveBeenCalledWith('a');
    expect(await runUndo(unreadUndo(t, 'a', 'Zoë'), { setStatus, open: async () => ({ error: 'offline' }) }, t)).toBe('Could not undo everything: offline.');
  });
});
