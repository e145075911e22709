import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTIFICATION_SETTINGS, inQuietHours, noticeFor, slaNoticeFor, type NotificationSettings } from '@/lib/notifications/rules';
import { createI18n } from '@/lib/i18n';
import { conversation, message } from '../support/views';

describe('notifications that follow the agent’s work', () => {
  const me = 'me';
  const at = (hhmm: string) => new Date(`2026-11-28T${hhmm}:00`);
  const ctx = (over: Partial<NotificationSettings> = {}, viewing = { conversationId: null as string | null, visible: false }) => ({
    me,
    settings: { ...DEFAULT_NOTIFICATION_SETTINGS, ...over },
    viewing,
    now: at('12:00'),
    agents: [{ id: 'alice', displayName: 'Alice' }],
    t: createI18n('en').getFixedT('en', 'inbox'),
  });
  const inbound = message('m1', { conversationId: 'c1', body: 'Where is my parcel?' });

  it('a customer message notifies by who the conversation is assigned to, as the agent chose', () => {
    const mine = conversation('c1', { assigneeId: me });
    const unassigned = conversation('c1', { assigneeId: null });
    const colleagues = conversation('c1', { assigneeId: 'alice' });
    expect(noticeFor(inbound, mine, ctx())).toMatchObject({ conversationId: 'c1', title: 'Zoë Brontë', message: 'Where is my parcel?', sound: false });
    expect(noticeFor(inbound, unassigned, ctx())).not.toBeNull();
    // By default, a colleague's conversations do not notify me…
    expect(noticeFor(inbound, colleagues, ctx())).toBeNull();
    // …unless I ask for all of them; and each scope can be turned off.
    expect(noticeFor(inbound, colleagues, ctx({ scope: { mine: true, unassigned: true, others: true } }))).not.toBeNull();
    expect(noticeFor(inbound, unassigned, ctx({ scope: { mine: true, unassigned: false, others: true } }))).toBeNull();
    expect(noticeFor(inbound, mine, ctx({ scope: { mine: false, unassigned: true, others: true } }))).toBeNull();
  });

  it('nothing when notifications are off, during quiet hours, or for the conversation on screen; a sound when asked for', () => {
    const c = conversation('c1');
    expect(noticeFor(inbound, c, ctx({ enabled: false }))).toBeNull();
    expect(noticeFor(inbound, c, ctx({ quietHours: { enabled: true, from: '11:00', to: '13:00' } }))).toBeNull();
    expect(noticeFor(inbound, c, ctx({}, { conversationId: 'c1', visible: true }))).toBeNull();
    expect(noticeFor(inbound, c, ctx({}, { conversationId: 'c1', visible: false }))).not.toBeNull();
    expect(noticeFor(inbound, c, ctx({ sound: true }))?.sound).toBe(true);
    expect(noticeFor(message('m2', { direction: 'outbound' }), c, ctx())).toBeNull();
    expect(noticeFor(message('m3', { direction: 'note' }), c, ctx())).toBeNull();
  });

  it('quiet hours run in local time and may span midnight', () => {
    const night = { enabled: true, from: '19:00', to: '08:00' };
    expect(inQuietHours(night, at('23:30'))).toBe(true);
    expect(inQuietHours(night, at('07:59'))).toBe(true);
    expect(inQuietHours(night, at('08:00'))).toBe(false);
    expect(inQuietHours(night, at('18:59'))).toBe(false);
    expect(inQuietHours({ ...night, enabled: false }, at('23:30'))).toBe(false);
    expect(inQuietHours({ enabled: true, from: '12:00', to: '13:00' }, at('12:30'))).toBe(true);
  });

  it('being assigned a conversation by a colleague notifies, with no new message; assigning myself does not', () => {
    const assigned = (sentBy: string | null, to: string | null) =>
      message('a1', { direction: 'activity', body: '', sentBy, activity: { kind: 'assigned', to, from: null } });
    const c = conversation('c1', { assigneeId: me });
    expect(noticeFor(assigned('alice', me), c, ctx())).toMatchObject({
      title: 'Assigned to you',
      message: 'Alice assigned you the conversation with Zoë Brontë',
    });
    expect(noticeFor(assigned(me, me), c, ctx())).toBeNull();
    expect(noticeFor(assigned('alice', 'bob'), c, ctx())).toBeNull();
    expect(noticeFor(assigned('alice', me), c, ctx({ scope: { mine: false, unassigned: true, others: true } }))).toBeNull();
  });

  it('a snooze that ends notifies its assignee (not the colleagues of an assigned one); other activity does not notify', () => {
    const woke = message('a2', { direction: 'activity', body: '', activity: { kind: 'status', status: 'open', reason: 'snooze_ended', until: null } });
    expect(noticeFor(woke, conversation('c1', { assigneeId: me }), ctx())).toMatchObject({ title: 'Snooze ended' });
    expect(noticeFor(woke, conversation('c1', { assigneeId: 'alice' }), ctx())).toBeNull();
    const resolved = message('a3', {
      direction: 'activity',
      body: '',
      sentBy: 'alice',
      activity: { kind: 'status', status: 'resolved', reason: 'agent', until: null },
    });
    expect(noticeFor(resolved, conversation('c1', { assigneeId: me }), ctx())).toBeNull();
  });

  it('an SLA warning and a breach notify the agent they are sent to, saying what is due and by when', () => {
    const c = conversation('c1', { assigneeId: me, contact: { ...conversation('c1').contact, profileName: 'Ana' } });
    const alert = { conversationId: 'c1', kind: 'first_response' as const, dueAt: '2026-11-28T12:05:00.000Z', assigneeId: me };
    const sla = (over: Partial<NotificationSettings> = {}) => ({ ...ctx(over), time: (iso: string) => `[${iso.slice(11, 16)}]` });
    expect(slaNoticeFor(alert, false, c, sla())).toMatchObject({ conversationId: 'c1', title: 'Reply due soon', message: 'Reply to Ana by [12:05]' });
    expect(slaNoticeFor(alert, true, c, sla())).toMatchObject({ title: 'Reply overdue', message: 'Ana is waiting past the reply target' });
    expect(slaNoticeFor({ ...alert, kind: 'resolution' }, true, undefined, sla())).toMatchObject({
      title: 'Resolution overdue',
      message: 'The conversation with a customer is past its resolution target',
    });
    expect(slaNoticeFor(alert, true, c, sla({ enabled: false }))).toBeNull();
    expect(slaNoticeFor(alert, true, c, sla({ quietHours: { enabled: true, from: '11:00', to: '13:00' } }))).toBeNull();
  });
});
