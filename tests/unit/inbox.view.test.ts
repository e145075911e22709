import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../lib/contract/models';
import { conversation, message } from '../support/views';
import { cannedSuggestions, dayLabel, filterConversations, filterCounts, matchesLocally, mergeThread, threadItems } from '../../lib/inbox/view';

const conv = conversation;
const msg = (id: string, createdAt: string, direction: MessageView['direction'] = 'inbound'): MessageView => message(id, { conversationId: 'c', createdAt, direction });

describe('conversation filters', () => {
  const list = [conv('a', { assigneeId: 'me' }), conv('b', { assigneeId: 'bob' }), conv('c')];
  it('Mine, Unassigned and All, with counts', () => {
    expect(filterConversations(list, 'mine', 'me').map((c) => c.id)).toEqual(['a']);
    expect(filterConversations(list, 'unassigned', 'me').map((c) => c.id)).toEqual(['c']);
    expect(filterConversations(list, 'all', 'me')).toHaveLength(3);
    expect(filterCounts(list, 'me')).toEqual({ mine: 1, unassigned: 1, all: 3 });
  });
});

describe('local search', () => {
  it('matches name without accents or case, any run of the number’s digits, and the preview', () => {
    const c = conv('a');
    expect(matchesLocally(c, 'zoe bronte')).toBe(true);
    expect(matchesLocally(c, '555 0134')).toBe(true);
    expect(matchesLocally(c, 'PARCEL')).toBe(true);
    expect(matchesLocally(c, 'invoice')).toBe(false);
  });
});

describe('thread items', () => {
  const now = new Date('2026-11-25T15:00:00');
  it('puts a separator at each new local day', () => {
    const items = threadItems([msg('1', new Date('2026-11-23T09:00:00').toISOString()), msg('2', new Date('2026-11-24T23:59:00').toISOString()), msg('3', new Date('2026-11-25T00:01:00').toISOString()), msg('4', new Date('2026-11-25T08:00:00').toISOString())], 0, now);
    expect(items.map((i) => (i.kind === 'day' ? `[${i.label}]` : i.kind === 'message' ? i.message.id : 'NEW'))).toEqual([
      `[${dayLabel(new Date('2026-11-23T09:00:00').toISOString(), now)}]`,
      '1',
      '[Yesterday]',
      '2',
      '[Today]',
      '3',
      '4',
    ]);
    expect(dayLabel(new Date('2026-11-23T09:00:00').toISOString(), now)).toMatch(/Monday/);
    expect(dayLabel(new Date('2025-11-23T09:00:00').toISOString(), now)).toMatch(/2025/);
  });

  it('marks where the unread messages start (counting inbound only), and nowhere when all was read', () => {
    const t = (h: number) => new Date(`2026-11-25T0${h}:00:00`).toISOString();
    const messages = [msg('in1', t(1)), msg('out1', t(2), 'outbound'), msg('in2', t(3)), msg('note', t(4), 'note'), msg('in3', t(5))];
    const ids = (unread: number) => threadItems(messages, unread, now).filter((i) => i.kind !== 'day').map((i) => (i.kind === 'message' ? i.message.id : 'NEW'));
    expect(ids(2)).toEqual(['in1', 'out1', 'NEW', 'in2', 'note', 'in3']);
    expect(ids(0)).toEqual(['in1', 'out1', 'in2', 'note', 'in3']);
    // More unread than loaded: above the first inbound message shown.
    expect(ids(9)).toEqual(['NEW', 'in1', 'out1', 'in2', 'note', 'in3']);
  });

  it('merges older pages with the cached latest by id, newest copy winning', () => {
    const older = [msg('1', '2026-11-20T00:00:00.000Z'), msg('2', '2026-11-21T00:00:00.000Z')];
    const latest = [{ ...msg('2', '2026-11-21T00:00:00.000Z'), body: 'edited' }, msg('3', '2026-11-22T00:00:00.000Z')];
    expect(mergeThread(older, latest).map((m) => `${m.id}:${m.body}`)).toEqual(['1:1', '2:edited', '3:3']);
  });
});

describe('canned reply suggestions', () => {
  const list = [
    { id: '1', shortcut: 'hello', body: 'Hi there' },
    { id: '2', shortcut: 'refund', body: 'Your refund is on its way' },
  ];
  it('only for "/word" alone; shortcut prefix first, then text', () => {
    expect(cannedSuggestions(list, 'hello')).toBeNull();
    expect(cannedSuggestions(list, 'say /hello')).toBeNull();
    expect(cannedSuggestions(list, '/')?.map((c) => c.id)).toEqual(['1', '2']);
    expect(cannedSuggestions(list, '/ref')?.map((c) => c.id)).toEqual(['2']);
    expect(cannedSuggestions(list, '/way')?.map((c) => c.id)).toEqual(['2']);
    expect(cannedSuggestions(list, '/zzz')).toEqual([]);
  });
});
