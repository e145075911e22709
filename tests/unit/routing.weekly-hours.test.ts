import { describe, expect, it } from 'vitest';
import { intervalsOf, weekdayRows } from '../../lib/routing/weekly-hours';

describe('business hours as the admin view edits them', () => {
  it('turns a day’s from/to into the server’s intervals, splitting a shift past midnight', () => {
    const rows = weekdayRows([]).map((r) => (r.weekday <= 5 ? { ...r, open: true } : r));
    expect(intervalsOf(rows)).toEqual([1, 2, 3, 4, 5].map((weekday) => ({ weekday, opensMinute: 540, closesMinute: 1020 })));
    expect(intervalsOf([{ weekday: 7, open: true, from: '22:00', to: '02:30' }])).toEqual([
      { weekday: 7, opensMinute: 1320, closesMinute: 1440 },
      { weekday: 1, opensMinute: 0, closesMinute: 150 },
    ]);
    expect(intervalsOf([{ weekday: 3, open: true, from: '00:00', to: '00:00' }])).toEqual([{ weekday: 3, opensMinute: 0, closesMinute: 1440 }]);
  });

  it('reads the intervals back into the same rows (an overnight shift on the day it starts)', () => {
    const rows = [
      { weekday: 1, open: true, from: '08:30', to: '18:00' },
      { weekday: 2, open: false, from: '09:00', to: '17:00' },
      { weekday: 3, open: true, from: '00:00', to: '00:00' },
      { weekday: 4, open: false, from: '09:00', to: '17:00' },
      { weekday: 5, open: true, from: '22:00', to: '06:00' },
      { weekday: 6, open: false, from: '09:00', to: '17:00' },
      { weekday: 7, open: false, from: '09:00', to: '17:00' },
    ];
    expect(weekdayRows(intervalsOf(rows))).toEqual(rows);
  });
});
