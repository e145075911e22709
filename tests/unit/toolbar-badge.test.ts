import { describe, expect, it } from 'vitest';
import { badgeFor, badgeTitle } from '@/lib/background/toolbar-badge';

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
