import { describe, expect, it } from 'vitest';
import { countryChoices } from '../../components/format';
import { dates } from '../../lib/i18n/format';

const { shortTime, whenLabel } = dates('en');

describe('shortTime', () => {
  const now = new Date(2026, 10, 26, 15, 30);
  it('shows the time for today, the weekday this week, the date before', () => {
    const today = new Date(2026, 10, 26, 9, 5);
    expect(shortTime(today.toISOString(), now)).toBe(today.toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' }));
    const monday = new Date(2026, 10, 23, 9, 5);
    expect(shortTime(monday.toISOString(), now)).toBe(monday.toLocaleDateString('en', { weekday: 'short' }));
    const march = new Date(2026, 2, 12, 9, 5);
    expect(shortTime(march.toISOString(), now)).toBe(march.toLocaleDateString('en', { day: 'numeric', month: 'short' }));
    expect(shortTime(null, now)).toBe('');
  });
  it('says each moment as it is when asked again (times are kept per minute and day)', () => {
    const at = new Date(2026, 10, 26, 9, 5, 10);
    const sameMinute = new Date(2026, 10, 26, 9, 5, 50);
    expect(shortTime(sameMinute.toISOString(), now)).toBe(shortTime(at.toISOString(), now));
    expect(shortTime(new Date(2026, 10, 26, 9, 6).toISOString(), now)).not.toBe(shortTime(at.toISOString(), now));
    // The same day today, then this week, then before: the time, the weekday, the date.
    const later = (days: number) => new Date(2026, 10, 26 + days, 12, 0);
    expect(shortTime(at.toISOString(), later(0))).toBe(at.toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' }));
    expect(shortTime(at.toISOString(), later(2))).toBe(at.toLocaleDateString('en', { weekday: 'short' }));
    expect(shortTime(at.toISOString(), later(9))).toBe(at.toLocaleDateString('en', { day: 'numeric', month: 'short' }));
  });
  it('yesterday evening is not "today", even less than a day ago', () => {
    const yesterday = new Date(2026, 10, 25, 23, 50);
    expect(shortTime(yesterday.toISOString(), now)).toBe(yesterday.toLocaleDateString('en', { weekday: 'short' }));
  });
});

describe('whenLabel', () => {
  const now = new Date(2026, 10, 26, 15, 30);
  const time = (d: Date) => d.toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' });
  it('says when a snooze ends: today, tomorrow, a weekday, or a date, with the time', () => {
    const tonight = new Date(2026, 10, 26, 19, 0);
    expect(whenLabel(tonight.toISOString(), now)).toBe(`today ${time(tonight)}`);
    const tomorrow = new Date(2026, 10, 27, 9, 0);
    expect(whenLabel(tomorrow.toISOString(), now)).toBe(`tomorrow ${time(tomorrow)}`);
    const monday = new Date(2026, 10, 30, 9, 0);
    expect(whenLabel(monday.toISOString(), now)).toBe(`${monday.toLocaleDateString('en', { weekday: 'short' })} ${time(monday)}`);
    const later = new Date(2026, 11, 24, 9, 0);
    expect(whenLabel(later.toISOString(), now)).toBe(`${later.toLocaleDateString('en', { day: 'numeric', month: 'short' })} ${time(later)}`);
  });
});

describe('countryChoices', () => {
  it('names countries in the agent’s language, sorted by name, not by code', () => {
    expect(countryChoices(['DE', 'BR', 'ES'], 'en')).toEqual([
      { code: 'BR', name: 'Brazil' },
      { code: 'DE', name: 'Germany' },
      { code: 'ES', name: 'Spain' },
    ]);
    expect(countryChoices(['DE', 'BR', 'ES'], 'pt-BR').map((c) => c.name)).toEqual(['Alemanha', 'Brasil', 'Espanha']);
  });
  it('keeps the code of a region the browser cannot name', () => {
    expect(countryChoices(['XK', 'ZZ'], 'en').find((c) => c.code === 'ZZ')?.name).toMatch(/ZZ|Unknown Region/);
  });
});
