import type { OpenIntervalView } from '../contract/routing';

/** One weekday as the admin view edits it: open or not, from and to as "HH:MM" (local to the team). */
export interface WeekdayHours {
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  open: boolean;
  from: string;
  to: string;
}

const hhmm = (minute: number) => `${String(Math.floor(minute / 60) % 24).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
const minuteOf = (text: string) => {
  const [h, m] = text.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/**
 * The week as seven rows from the stored intervals: a day's first opening to its last closing
 * (a shift past midnight, stored as two intervals, shows on the day it starts). Closed days get
 * 09:00–17:00 ready to tick.
 */
export function weekdayRows(intervals: OpenIntervalView[]): WeekdayHours[] {
  return [1, 2, 3, 4, 5, 6, 7].map((weekday) => {
    const day = intervals.filter((i) => i.weekday === weekday);
    // The morning part of yesterday's overnight shift belongs to yesterday's row.
    const previous = weekday === 1 ? 7 : weekday - 1;
    const own = day.filter((i) => !(i.opensMinute === 0 && intervals.some((p) => p.weekday === previous && p.closesMinute === 1440 && p.opensMinute > 0)));
    if (own.length === 0) return { weekday, open: false, from: '09:00', to: '17:00' };
    const opens = Math.min(...own.map((i) => i.opensMinute));
    let closes = Math.max(...own.map((i) => i.closesMinute));
    if (closes === 1440) {
      const next = intervals.find((i) => i.weekday === (weekday % 7) + 1 && i.opensMinute === 0 && opens > 0);
      if (next) closes = next.closesMinute;
    }
    return { weekday, open: true, from: hhmm(opens), to: hhmm(closes) };
  });
}

/**
 * The intervals the server stores for the rows: "to" at or before "from" is a shift past midnight,
 * split in two (until midnight, then from midnight on the next day); "00:00"–"00:00" is the whole day.
 */
export function intervalsOf(rows: WeekdayHours[]): OpenIntervalView[] {
  const out: OpenIntervalView[] = [];
  for (const r of rows.filter((row) => row.open)) {
    const opens = minuteOf(r.from);
    const closes = minuteOf(r.to);
    if (closes > opens) out.push({ weekday: r.weekday, opensMinute: opens, closesMinute: closes });
    else {
      out.push({ weekday: r.weekday, opensMinute: opens, closesMinute: 1440 });
      if (closes > 0) out.push({ weekday: (r.weekday % 7) + 1, opensMinute: 0, closesMinute: closes });
    }
  }
  return out;
}
