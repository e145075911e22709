import { describe, expect, it } from 'vitest';
import { durationFormat } from '../../lib/reports/durations';
import { csvFileName, daysIn, daysOf, periodOf, presetRange, startOfDay } from '../../lib/reports/period';

describe('A report’s period in the agent’s time zone', () => {
  it('starts each day at local midnight, with that moment’s offset (across a clock change)', () => {
    expect(startOfDay('2026-10-24', 'Europe/Berlin')).toBe('2026-10-24T00:00:00+02:00');
    expect(startOfDay('2026-10-26', 'Europe/Berlin')).toBe('2026-10-26T00:00:00+01:00');
    expect(startOfDay('2026-11-01', 'America/Sao_Paulo')).toBe('2026-11-01T00:00:00-03:00');
    expect(startOfDay('2026-11-01', 'Asia/Kathmandu')).toBe('2026-11-01T00:00:00+05:45');
  });

  it('turns presets into whole days ending today, and days into the server’s [from, to)', () => {
    expect(presetRange('last7', '2026-11-30')).toEqual({ first: '2026-11-24', last: '2026-11-30' });
    expect(presetRange('last30', '2026-03-01')).toEqual({ first: '2026-01-31', last: '2026-03-01' });
    expect(presetRange('thisMonth', '2026-11-30')).toEqual({ first: '2026-11-01', last: '2026-11-30' });
    expect(daysIn(presetRange('last30', '2026-03-01'))).toBe(30);
    expect(periodOf({ first: '2026-10-24', last: '2026-10-26' }, 'Europe/Berlin')).toEqual({
      from: '2026-10-24T00:00:00+02:00',
      to: '2026-10-27T00:00:00+01:00',
    });
    expect(daysOf(periodOf({ first: '2026-10-24', last: '2026-10-26' }, 'Europe/Berlin'))).toEqual({ first: '2026-10-24', last: '2026-10-26' });
    expect(csvFileName('daily', { first: '2026-11-01', last: '2026-11-30' })).toBe('switchboard-daily-2026-11-01_2026-11-30.csv');
  });

  it('says durations in two units at most, in the language', () => {
    const en = durationFormat('en');
    expect(en(45)).toBe('45 sec');
    expect(en(240)).toBe('4 min');
    expect(en(4813)).toBe('1 hr 20 min');
    expect(en(7200)).toBe('2 hr');
    expect(en(90_300)).toBe('1 day 1 hr');
    expect(durationFormat('es')(4800)).toMatch(/^1 h 20 min$/);
  });
});
