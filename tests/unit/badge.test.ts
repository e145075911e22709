import { describe, expect, it } from 'vitest';
import { badgeFor } from '@/lib/background/badge';

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
