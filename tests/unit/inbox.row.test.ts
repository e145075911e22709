import { describe, expect, it } from 'vitest';
import { initials, previewAuthor, waitingSince, waitLabel } from '../../lib/inbox/row';
import { conversation } from '../support/views';

const words = { you: 'You', aColleague: 'A colleague' };

describe('who waits on whom, on a list row', () => {
  const customerLast = conversation('a', { lastInboundAt: '2026-11-28T10:00:00.000Z', lastMessageAt: '2026-11-28T10:00:00.000Z', lastReplyBy: 'bob' });
  const replied = (by: string | null) => ({ ...customerLast, lastMessageAt: '2026-11-28T10:05:00.000Z', lastReplyBy: by });

  it('names who wrote a reply that is the last message: You, the colleague, or a colleague no longer known', () => {
    const names = { bob: 'Bob' };
    expect(previewAuthor(replied('me'), 'me', names, words)).toBe('You');
    expect(previewAuthor(replied('bob'), 'me', names, words)).toBe('Bob');
    expect(previewAuthor(replied(null), 'me', names, words)).toBe('A colleague');
    expect(previewAuthor(customerLast, 'me', names, words)).toBeNull();
    expect(previewAuthor({ ...replied('me'), lastInboundAt: null }, 'me', names, words)).toBe('You');
  });

  it('counts the wait from the customer’s last message while it is unanswered in an open conversation', () => {
    expect(waitingSince(customerLast)).toBe('2026-11-28T10:00:00.000Z');
    expect(waitingSince(replied('me'))).toBeNull();
    expect(waitingSince({ ...customerLast, status: 'resolved' })).toBeNull();
    expect(waitingSince({ ...customerLast, status: 'snoozed', snoozedUntil: '2026-11-29T09:00:00.000Z' })).toBeNull();
    expect(waitingSince({ ...customerLast, lastInboundAt: null, lastMessageAt: null })).toBeNull();
  });

  it('says a wait in minutes, hours or days', () => {
    const since = '2026-11-28T10:00:00.000Z';
    const at = (ms: number) => Date.parse(since) + ms;
    expect(waitLabel(since, at(5_000))).toBe('1 min');
    expect(waitLabel(since, at(45 * 60_000))).toBe('45 min');
    expect(waitLabel(since, at(3 * 3_600_000 + 59 * 60_000))).toBe('3 hr');
    expect(waitLabel(since, at(45 * 60_000), 'es')).toBe('45 min');
    expect(waitLabel(since, at(50 * 3_600_000), 'pt-BR')).toBe('2 dias');
    expect(waitLabel(since, at(50 * 3_600_000))).toBe('2 days');
  });

  it('gives two initials from the first and last word of a name, none for a bare number', () => {
    expect(initials('María José de la Cruz')).toBe('MC');
    expect(initials('zoë')).toBe('Z');
    expect(initials('  Ömer   "Öz" ')).toBe('ÖÖ');
    expect(initials('+1 415 555')).toBeNull();
    expect(initials(null)).toBeNull();
  });
});
