import { describe, expect, it } from 'vitest';
import { addBusinessMinutes, businessMillis, closedPeriodStart, isOpen, nextOpening, type BusinessHours } from '../../server/routing/business-hours';

const every = (opensMinute: number, closesMinute: number) => [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opensMinute, closesMinute }));
const hours = (h: Partial<BusinessHours>): BusinessHours => ({ enabled: true, timeZone: 'UTC', intervals: [], holidays: [], ...h });
const at = (iso: string) => new Date(iso);

/** Business-hours arithmetic (issue 33): wall-clock hours in a time zone, across DST and midnight. */
describe('business hours', () => {
  const nineToFiveWeekdays = hours({
    timeZone: 'America/New_York',
    intervals: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opensMinute: 540, closesMinute: 1020 })),
  });

  it('is open inside the local hours and closed outside, in the team’s zone', () => {
    // Monday 2026-12-07, 09:30 in New York is 14:30 UTC (EST, UTC-5).
    expect(isOpen(nineToFiveWeekdays, at('2026-12-07T14:30:00Z'))).toBe(true);
    expect(isOpen(nineToFiveWeekdays, at('2026-12-07T13:59:00Z'))).toBe(false);
    expect(isOpen(nineToFiveWeekdays, at('2026-12-07T22:00:00Z'))).toBe(false);
    // Saturday: closed all day.
    expect(isOpen(nineToFiveWeekdays, at('2026-12-12T15:00:00Z'))).toBe(false);
    // Off: always open.
    expect(isOpen(hours({ enabled: false }), at('2026-12-12T03:00:00Z'))).toBe(true);
  });

  it('counts business minutes over a weekend: Friday 16:50 + 30 min is Monday 09:20 local', () => {
    const due = addBusinessMinutes(nineToFiveWeekdays, at('2026-12-11T21:50:00Z'), 30);
    expect(due?.toISOString()).toBe('2026-12-14T14:20:00.000Z');
  });

  it('keeps local hours across a DST change: 09:00 New York is 13:00 UTC in summer, 14:00 in winter', () => {
    // DST starts Sunday 2026-03-08 in the US. Friday 16:30 EST + 60 business minutes: 30 on Friday, 30 on Monday (EDT).
    const due = addBusinessMinutes(nineToFiveWeekdays, at('2026-03-06T21:30:00Z'), 60);
    expect(due?.toISOString()).toBe('2026-03-09T13:30:00.000Z');
  });

  it('counts real minutes on the night the clocks jump: 01:00-04:00 in Berlin is 2 hours on 29 March 2026', () => {
    const nightShift = hours({ timeZone: 'Europe/Berlin', intervals: every(60, 240) });
    // 01:00 CET = 00:00 UTC; 04:00 CEST = 02:00 UTC: 120 real minutes that night.
    expect(addBusinessMinutes(nightShift, at('2026-03-29T00:00:00Z'), 120)?.toISOString()).toBe('2026-03-29T02:00:00.000Z');
    // 150 minutes: the last 30 on the next night, from 01:00 CEST (23:00 UTC).
    expect(addBusinessMinutes(nightShift, at('2026-03-29T00:00:00Z'), 150)?.toISOString()).toBe('2026-03-29T23:30:00.000Z');
    // And 180 real minutes on the night the clocks go back (25 October 2026): 01:00 CEST (23:00Z) to 04:00 CET (03:00Z) is 4 hours.
    expect(addBusinessMinutes(nightShift, at('2026-10-24T23:00:00Z'), 240)?.toISOString()).toBe('2026-10-25T03:00:00.000Z');
  });

  it('runs through midnight when a shift is split in two intervals', () => {
    const lateShift = hours({
      timeZone: 'Asia/Tokyo',
      intervals: [
        ...every(1320, 1440), // 22:00-24:00
        ...every(0, 120), // 00:00-02:00
      ],
    });
    // 22:00 JST = 13:00 UTC; 180 business minutes later is 01:00 JST = 16:00 UTC, straight through midnight.
    expect(addBusinessMinutes(lateShift, at('2026-12-07T13:00:00Z'), 180)?.toISOString()).toBe('2026-12-07T16:00:00.000Z');
    expect(isOpen(lateShift, at('2026-12-07T15:00:00Z'))).toBe(true); // 00:00 JST
    // Closed since 02:00 JST (17:00 UTC), whatever the time in the closed afternoon.
    expect(closedPeriodStart(lateShift, at('2026-12-08T05:00:00Z'))?.toISOString()).toBe('2026-12-07T17:00:00.000Z');
  });

  it('skips holidays, and a closed period spans them', () => {
    const withHoliday = { ...nineToFiveWeekdays, holidays: ['2026-12-25'] };
    expect(isOpen(withHoliday, at('2026-12-25T15:00:00Z'))).toBe(false);
    // Thursday 24th 16:50 + 20 minutes: 10 then, 10 on Monday 28th.
    expect(addBusinessMinutes(withHoliday, at('2026-12-24T21:50:00Z'), 20)?.toISOString()).toBe('2026-12-28T14:10:00.000Z');
    // The closed period on Christmas Day began when Thursday closed (17:00 EST = 22:00 UTC).
    expect(closedPeriodStart(withHoliday, at('2026-12-25T15:00:00Z'))?.toISOString()).toBe('2026-12-24T22:00:00.000Z');
    expect(nextOpening(withHoliday, at('2026-12-25T15:00:00Z'))?.toISOString()).toBe('2026-12-28T14:00:00.000Z');
  });

  it('gives the same closed period for two instants of one night, and another for the next night', () => {
    const a = closedPeriodStart(nineToFiveWeekdays, at('2026-12-08T01:00:00Z'));
    const b = closedPeriodStart(nineToFiveWeekdays, at('2026-12-08T12:00:00Z'));
    const c = closedPeriodStart(nineToFiveWeekdays, at('2026-12-09T01:00:00Z'));
    expect(a?.toISOString()).toBe('2026-12-07T22:00:00.000Z');
    expect(b).toEqual(a);
    expect(c?.toISOString()).toBe('2026-12-08T22:00:00.000Z');
    expect(closedPeriodStart(nineToFiveWeekdays, at('2026-12-08T15:00:00Z'))).toBeNull();
  });

  it('never falls due for a team that never opens', () => {
    expect(addBusinessMinutes(hours({ intervals: [] }), at('2026-12-08T15:00:00Z'), 10)).toBeNull();
    expect(isOpen(hours({ intervals: [] }), at('2026-12-08T15:00:00Z'))).toBe(false);
  });

  it('measures the business time between two instants (reports)', () => {
    const minutes = (from: string, to: string, h = nineToFiveWeekdays) => businessMillis(h, at(from), at(to)) / 60_000;
    // Friday 16:50 to Monday 09:05 in New York: 10 + 5 minutes.
    expect(minutes('2026-12-11T21:50:00Z', '2026-12-14T14:05:00Z')).toBe(15);
    // Friday 16:00 EDT to Monday 10:00 EST, across the change of 1 November: 1 h + 1 h.
    expect(minutes('2026-10-30T20:00:00Z', '2026-11-02T15:00:00Z')).toBe(120);
    // A holiday closes the day; hours off count the whole span; an end before the start is 0.
    const holiday = { ...nineToFiveWeekdays, holidays: ['2026-12-08'] };
    expect(minutes('2026-12-07T21:45:00Z', '2026-12-09T14:15:00Z', holiday)).toBe(30);
    expect(minutes('2026-12-07T21:45:00Z', '2026-12-09T14:15:00Z', hours({ enabled: false }))).toBe(40 * 60 + 30);
    expect(minutes('2026-12-09T14:15:00Z', '2026-12-07T21:45:00Z')).toBe(0);
  });
});
