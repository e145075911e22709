import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../lib/contract/models';
import { conversation, message } from '../support/views';
import {
  activityText,
  backNotice,
  cannedSuggestions,
  dayLabel,
  matchesLocally,
  mergeThread,
  previewParts,
  repliedSince,
  searchView,
  snoozePresets,
  stillAtBottom,
  threadItems,
  unseenInbound,
} from '../../lib/inbox/view';
import { createI18n } from '../../lib/i18n';

const t = createI18n('en').getFixedT('en', 'inbox');

const conv = conversation;
const msg = (id: string, createdAt: string, direction: MessageView['direction'] = 'inbound'): MessageView =>
  message(id, { conversationId: 'c', createdAt, direction });

describe('status in the thread and the list', () => {
  const agents = [{ id: 'alice', displayName: 'Alice' }];
  const line = (activity: NonNullable<MessageView['activity']>, sentBy: string | null) => message('x', { direction: 'activity', body: '', sentBy, activity });
  const time = (iso: string) => `[${iso.slice(11, 16)}]`;
  it('says each activity line as a sentence, naming the agent (or you)', () => {
    const say = (a: NonNullable<MessageView['activity']>, by: string | null) => activityText(t, line(a, by), agents, 'me', time);
    expect(say({ kind: 'status', status: 'resolved', reason: 'agent', until: null }, 'alice')).toBe('Alice resolved this');
    expect(say({ kind: 'status', status: 'resolved', reason: 'agent', until: null }, 'me')).toBe('You resolved this');
    expect(say({ kind: 'status', status: 'snoozed', reason: 'agent', until: '2026-12-01T09:00:00.000Z' }, 'alice')).toBe('Alice snoozed this until [09:00]');
    expect(say({ kind: 'status', status: 'open', reason: 'customer_wrote', until: null }, null)).toBe('Reopened: the customer wrote again');
    expect(say({ kind: 'status', status: 'open', reason: 'snooze_ended', until: null }, null)).toBe('Reopened: the snooze ended');
    expect(say({ kind: 'status', status: 'open', reason: 'replied', until: null }, 'alice')).toBe('Reopened by Alice’s reply');
    expect(say({ kind: 'status', status: 'open', reason: 'agent', until: null }, 'ghost')).toBe('A colleague reopened this');
    expect(say({ kind: 'assigned', to: 'me', from: null }, 'alice')).toBe('Alice assigned this to you');
    expect(say({ kind: 'assigned', to: 'alice', from: null }, 'alice')).toBe('Alice took this');
    expect(say({ kind: 'assigned', to: null, from: 'alice' }, 'me')).toBe('You unassigned this');
  });
  it('says which rule made an automatic assignment, and why a conversation went back to the team', () => {
    const say = (a: NonNullable<MessageView['activity']>) => activityText(t, line(a, null), agents, 'me', time);
    expect(say({ kind: 'assigned', to: 'alice', from: null, rule: 'round_robin' })).toBe('Switchboard assigned this to Alice by round robin');
    expect(say({ kind: 'assigned', to: 'me', from: null, rule: 'round_robin' })).toBe('Switchboard assigned this to you by round robin');
    expect(say({ kind: 'assigned', to: 'alice', from: null, rule: 'least_busy' })).toBe('Switchboard assigned this to Alice, the least busy');
    expect(say({ kind: 'assigned', to: 'alice', from: null, rule: 'previous_assignee' })).toBe('Switchboard assigned this back to Alice, their previous agent');
    expect(say({ kind: 'assigned', to: 'me', from: null, rule: 'previous_assignee' })).toBe('Switchboard assigned this back to you, its previous agent');
    expect(say({ kind: 'assigned', to: null, from: 'alice', rule: 'hand_back' })).toBe('Switchboard gave this back to the team: Alice was away');
    expect(say({ kind: 'assigned', to: null, from: 'me', rule: 'hand_back' })).toBe('Switchboard gave this back to the team: you were away');
    expect(say({ kind: 'assigned', to: 'ghost', from: null })).toBe('Switchboard assigned this to A colleague');
  });
  it('a conversation back in Open says why until the agent has read it', () => {
    const back = conv('a', {
      statusReason: 'customer_wrote',
      statusChangedAt: '2026-11-28T10:00:00.000Z',
      unreadCount: 1,
      lastReadAt: '2026-11-28T09:00:00.000Z',
    });
    expect(backNotice(back)).toBe('customer_wrote');
    expect(backNotice({ ...back, statusReason: 'snooze_ended', unreadCount: 0 })).toBe('snooze_ended');
    expect(backNotice({ ...back, unreadCount: 0, lastReadAt: '2026-11-28T10:00:01.000Z' })).toBeNull();
    expect(backNotice({ ...back, statusReason: 'agent' })).toBeNull();
    expect(backNotice({ ...back, status: 'resolved' })).toBeNull();
  });
  it('offers snoozes in the agent’s time: an hour, tonight (before 18:00), tomorrow morning, next Monday', () => {
    const friday = new Date(2026, 10, 27, 14, 30);
    expect(snoozePresets(friday).map((p) => [p.id, p.until.toString()])).toEqual([
      ['hour', new Date(2026, 10, 27, 15, 30).toString()],
      ['tonight', new Date(2026, 10, 27, 19, 0).toString()],
      ['tomorrow', new Date(2026, 10, 28, 9, 0).toString()],
      ['nextWeek', new Date(2026, 10, 30, 9, 0).toString()],
    ]);
    const mondayEvening = new Date(2026, 10, 30, 20, 0);
    expect(snoozePresets(mondayEvening).map((p) => p.id)).toEqual(['hour', 'tomorrow', 'nextWeek']);
    expect(snoozePresets(mondayEvening).at(-1)!.until).toEqual(new Date(2026, 11, 7, 9, 0));
  });
  it('never offers two presets for the same moment: on a Sunday tomorrow morning is next week', () => {
    const sunday = new Date(2026, 10, 29, 11, 0);
    const presets = snoozePresets(sunday);
    expect(presets.map((p) => p.id)).toEqual(['hour', 'tonight', 'tomorrow']);
    expect(presets.at(-1)!.until).toEqual(new Date(2026, 10, 30, 9, 0));
    // At 17:30, an hour from now (18:30) and tonight (19:00) mean the same.
    expect(snoozePresets(new Date(2026, 10, 27, 17, 30)).map((p) => p.id)).toEqual(['hour', 'tomorrow', 'nextWeek']);
    for (let day = 0; day < 7; day++)
      for (let hour = 0; hour < 24; hour++) {
        const times = snoozePresets(new Date(2026, 10, 22 + day, hour, 45)).map((p) => p.until.getTime());
        expect(new Set(times).size).toBe(times.length);
      }
  });
});

describe('following a thread', () => {
  const thread = [
    msg('1', '2026-11-28T10:00:00.000Z'),
    msg('2', '2026-11-28T10:01:00.000Z', 'outbound'),
    msg('3', '2026-11-28T10:02:00.000Z'),
    msg('4', '2026-11-28T10:02:00.500Z', 'note'),
    msg('5', '2026-11-28T10:03:00.000Z'),
  ];
  it('counts every customer message below the last one seen at the bottom, however many came at once', () => {
    expect(unseenInbound(thread, '2')).toBe(2);
    expect(unseenInbound(thread, '1')).toBe(2);
    expect(unseenInbound(thread, '5')).toBe(0);
    expect(unseenInbound(thread, null)).toBe(0);
  });
  it('holds the view at the newest message until the agent scrolls up, however the content grows', () => {
    // At the very bottom: held, whatever before.
    expect(stillAtBottom(false, 0, 578, 1000, 422)).toBe(true);
    // The content grew below a held view (a message, a bubble measured taller): still held, so it follows.
    expect(stillAtBottom(true, 578, 578, 1056, 422)).toBe(true);
    expect(stillAtBottom(true, 578, 623, 1056, 422)).toBe(true);
    // The agent scrolled up: let go, and not taken back by growth.
    expect(stillAtBottom(true, 578, 300, 1000, 422)).toBe(false);
    expect(stillAtBottom(false, 300, 300, 1056, 422)).toBe(false);
  });
  it('knows when the agent has replied since the thread opened (the "new messages" line goes)', () => {
    const atOpen = new Set(['1', '2', '3']);
    expect(repliedSince(thread.slice(0, 3), atOpen)).toBe(false);
    expect(repliedSince([...thread, msg('6', '2026-11-28T10:04:00.000Z', 'inbound')], atOpen)).toBe(false);
    expect(repliedSince([...thread, msg('7', '2026-11-28T10:05:00.000Z', 'outbound')], atOpen)).toBe(true);
  });
});

describe('search across statuses', () => {
  const found = [
    conv('a'),
    conv('b', { status: 'resolved' }),
    conv('c', { status: 'snoozed', snoozedUntil: '2026-12-01T09:00:00.000Z' }),
    conv('d', { status: 'resolved' }),
  ];
  it('shows matches of every status unless narrowed to one, with the count in each', () => {
    const all = searchView(found, 'all', null);
    expect(all.conversations.map((c) => c.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(all.counts).toEqual({ open: 1, snoozed: 1, resolved: 2 });
    expect(all.total).toBe(4);
    expect(searchView(found, 'resolved', null).conversations.map((c) => c.id)).toEqual(['b', 'd']);
  });
  it('takes the server’s counts when it found more than it sent, and its own (current) ones otherwise', () => {
    expect(searchView(found, 'all', { open: 10, snoozed: 1, resolved: 2 }).counts).toEqual({ open: 10, snoozed: 1, resolved: 2 });
    expect(searchView(found, 'all', { open: 10, snoozed: 1, resolved: 2 }).total).toBe(13);
    // A colleague reopened one since the server answered: the rows on screen are counted.
    expect(searchView(found, 'all', { open: 0, snoozed: 1, resolved: 3 }).counts).toEqual({ open: 1, snoozed: 1, resolved: 2 });
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
    const items = threadItems(
      [
        msg('1', new Date('2026-11-23T09:00:00').toISOString()),
        msg('2', new Date('2026-11-24T23:59:00').toISOString()),
        msg('3', new Date('2026-11-25T00:01:00').toISOString()),
        msg('4', new Date('2026-11-25T08:00:00').toISOString()),
      ],
      0,
      now,
    );
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
    const ids = (unread: number) =>
      threadItems(messages, unread, now)
        .filter((i) => i.kind !== 'day')
        .map((i) => (i.kind === 'message' ? i.message.id : 'NEW'));
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

describe('previewParts', () => {
  it('turns the server’s emoji marker of a location, photo or file into a kind shown as an icon', () => {
    expect(previewParts('📍 London Eye')).toEqual({ kind: 'location', text: 'London Eye' });
    expect(previewParts('📷 Photo')).toEqual({ kind: 'photo', text: 'Photo' });
    expect(previewParts('📎 Attachment')).toEqual({ kind: 'attachment', text: 'Attachment' });
  });
  it('leaves a customer’s own text alone, emoji and all', () => {
    expect(previewParts('Thanks 📍 see you there')).toEqual({ kind: null, text: 'Thanks 📍 see you there' });
    expect(previewParts('📍London')).toEqual({ kind: null, text: '📍London' });
  });
});
