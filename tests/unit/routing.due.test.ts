import { describe, expect, it } from 'vitest';
import { dueLabel } from '../../lib/inbox/row';
import { DEFAULT_LIST_FILTER, filterConversations, sortByDue } from '../../lib/inbox/list-filter';
import { conversation } from '../support/views';

describe('SLA due times in the conversation list', () => {
  const now = Date.parse('2026-12-07T10:00:00.000Z');
  const dueAt = (minutes: number) => new Date(now + minutes * 60_000).toISOString();

  it('says a reply or a resolution due in, or overdue by, a duration', () => {
    expect(dueLabel(conversation('a', { slaDueAt: dueAt(4.5), slaDueKind: 'first_response' }), now)).toEqual({
      kind: 'reply',
      overdue: false,
      duration: '4 min',
    });
    expect(dueLabel(conversation('a', { slaDueAt: dueAt(-3), slaDueKind: 'next_response' }), now)).toEqual({ kind: 'reply', overdue: true, duration: '3 min' });
    expect(dueLabel(conversation('a', { slaDueAt: dueAt(150), slaDueKind: 'resolution' }), now)).toEqual({
      kind: 'resolution',
      overdue: false,
      duration: '2 hr',
    });
    expect(dueLabel(conversation('a', { slaDueAt: dueAt(0), slaDueKind: 'resolution' }), now)?.overdue).toBe(true);
  });

  it('says nothing without a running clock, or once the conversation is resolved', () => {
    expect(dueLabel(conversation('a'), now)).toBeNull();
    expect(dueLabel(conversation('a', { slaDueAt: dueAt(5), slaDueKind: 'first_response', status: 'resolved' }), now)).toBeNull();
  });

  it('sorts by due time: the most overdue first, then the soonest, then those without one in their order', () => {
    const list = [
      conversation('new', {}),
      conversation('later', { slaDueAt: dueAt(30), slaDueKind: 'first_response' }),
      conversation('older', {}),
      conversation('overdue', { slaDueAt: dueAt(-10), slaDueKind: 'next_response' }),
      conversation('soon', { slaDueAt: dueAt(2), slaDueKind: 'resolution' }),
    ];
    expect(sortByDue(list).map((c) => c.id)).toEqual(['overdue', 'soon', 'later', 'new', 'older']);
    expect(filterConversations(list, { ...DEFAULT_LIST_FILTER, byDue: true }, 'me').map((c) => c.id)).toEqual(['overdue', 'soon', 'later', 'new', 'older']);
    expect(filterConversations(list, DEFAULT_LIST_FILTER, 'me').map((c) => c.id)).toEqual(['new', 'later', 'older', 'overdue', 'soon']);
  });
});
