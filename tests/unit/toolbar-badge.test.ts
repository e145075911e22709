import { describe, expect, it } from 'vitest';
import { badgeFor } from '@/lib/background/toolbar-badge';

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
});

describe('desktop notifications', async () => {
  const { shouldNotify } = await import('@/lib/background/notifications');
  const m = { conversationId: 'c1', direction: 'inbound' } as Parameters<typeof shouldNotify>[0];
  it('notify for an inbound message unless muted or on screen', () => {
    expect(shouldNotify(m, { muted: false }, { conversationId: null, visible: false })).toBe(true);
    expect(shouldNotify(m, { muted: true }, { conversationId: null, visible: false })).toBe(false);
    expect(shouldNotify(m, { muted: false }, { conversationId: 'c1', visible: true })).toBe(false);
    expect(shouldNotify(m, { muted: false }, { conversationId: 'c1', visible: false })).toBe(true);
    expect(shouldNotify({ ...m, direction: 'outbound' }, { muted: false }, { conversationId: null, visible: false })).toBe(false);
  });
});
