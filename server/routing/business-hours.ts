import { DateTime, IANAZone } from 'luxon';

/**
 * Business-hours arithmetic: whether a team is open at an instant, where the closed period around
 * an instant started, and what instant lies N business minutes after another. Hours are wall-clock
 * times in the team's IANA time zone (luxon does the zone and DST work): "09:00-17:00 on Mondays"
 * means 09:00 local on each Monday, whatever the offset that day; a day with a DST change is an
 * hour shorter or longer in real minutes, and business minutes count real minutes inside the hours.
 */

/** One open interval of a weekday: minutes from local midnight, ISO weekday (1 = Monday). */
export interface OpenInterval {
  weekday: number;
  opensMinute: number;
  closesMinute: number;
}

export interface BusinessHours {
  /** Off: always open. */
  enabled: boolean;
  timeZone: string;
  intervals: OpenInterval[];
  /** Local dates (`yyyy-mm-dd`) closed all day. */
  holidays: string[];
}

/** Open around the clock (hours off). */
export const ALWAYS_OPEN: BusinessHours = { enabled: false, timeZone: 'UTC', intervals: [], holidays: [] };

/** How far to look for an opening: a team closed for longer than this is treated as never open. */
const HORIZON_DAYS = 400;
const MINUTE_MS = 60_000;

/** Whether `zone` is an IANA time zone luxon (and the platform's Intl) knows. */
export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** The real instants [start, end) a local day's intervals cover, in order, holidays excluded. */
function openOn(hours: BusinessHours, day: DateTime): Array<[number, number]> {
  if (hours.holidays.includes(day.toISODate()!)) return [];
  const at = (minute: number) =>
    minute >= 1440 ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: Math.floor(minute / 60), minute: minute % 60, second: 0, millisecond: 0 });
  return hours.intervals
    .filter((i) => i.weekday === day.weekday)
    .map((i): [number, number] => [at(i.opensMinute).toMillis(), at(i.closesMinute).toMillis()])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
}

/** Open intervals from the local day of `from` onwards (or backwards), adjacent ones merged. */
function* intervals(hours: BusinessHours, from: Date, direction: 1 | -1): Generator<[number, number]> {
  let day = DateTime.fromJSDate(from, { zone: hours.timeZone }).startOf('day');
  let pending: [number, number] | null = null;
  for (let n = 0; n < HORIZON_DAYS; n++, day = day.plus({ days: direction })) {
    const list = openOn(hours, day);
    for (const iv of direction === 1 ? list : list.reverse()) {
      if (!pending) pending = iv;
      else if (direction === 1 && iv[0] <= pending[1]) pending = [pending[0], Math.max(pending[1], iv[1])];
      else if (direction === -1 && iv[1] >= pending[0]) pending = [Math.min(pending[0], iv[0]), pending[1]];
      else {
        yield pending;
        pending = iv;
      }
    }
  }
  if (pending) yield pending;
}

/** Whether the team is open at `at`. */
export function isOpen(hours: BusinessHours, at: Date): boolean {
  if (!hours.enabled) return true;
  const t = at.getTime();
  for (const [s, e] of intervals(hours, new Date(t - 86_400_000), 1)) {
    if (s > t) return false;
    if (t < e) return true;
  }
  return false;
}

/**
 * When the closed period that contains `at` began (the end of the last opening before it), or
 * null when the team is open at `at`. The auto-reply is sent once per conversation per such period.
 * A team that was never open within the horizon gives the horizon's start.
 */
export function closedPeriodStart(hours: BusinessHours, at: Date): Date | null {
  if (isOpen(hours, at)) return null;
  const t = at.getTime();
  for (const [, e] of intervals(hours, at, -1)) if (e <= t) return new Date(e);
  return new Date(DateTime.fromJSDate(at, { zone: hours.timeZone }).startOf('day').minus({ days: HORIZON_DAYS }).toMillis());
}

/** The next instant the team is open at or after `from` (null: never within the horizon). */
export function nextOpening(hours: BusinessHours, from: Date): Date | null {
  if (!hours.enabled) return from;
  const t = from.getTime();
  for (const [s, e] of intervals(hours, new Date(t - 86_400_000), 1)) {
    if (e <= t) continue;
    return new Date(Math.max(s, t));
  }
  return null;
}

/**
 * The instant `minutes` business minutes after `start`: the clock runs only while the team is
 * open (null: the team never opens within the horizon, so nothing falls due).
 * @example addBusinessMinutes(nineToFive, fridayAt1650, 30) // Monday 09:20 local
 */
export function addBusinessMinutes(hours: BusinessHours, start: Date, minutes: number): Date | null {
  if (!hours.enabled) return new Date(start.getTime() + minutes * MINUTE_MS);
  let left = minutes * MINUTE_MS;
  const t = start.getTime();
  for (const [s, e] of intervals(hours, new Date(t - 86_400_000), 1)) {
    if (e <= t) continue;
    const from = Math.max(s, t);
    if (e - from >= left) return new Date(from + left);
    left -= e - from;
  }
  return null;
}

/**
 * How many milliseconds of [from, to) the team is open (hours off: all of them; `to` before
 * `from`: 0). Reports keep the same in SQL (`business_seconds`, `…041_report_business_hours.sql`);
 * a test holds the two equal to the millisecond. Looks as far as the horizon from `from`.
 * @example businessMillis(nineToFive, fridayAt1650, mondayAt0905) // 15 minutes: 900000
 */
export function businessMillis(hours: BusinessHours, from: Date, to: Date): number {
  const [f, t] = [from.getTime(), to.getTime()];
  if (t <= f) return 0;
  if (!hours.enabled) return t - f;
  let total = 0;
  for (const [s, e] of intervals(hours, new Date(f - 86_400_000), 1)) {
    if (s >= t) break;
    total += Math.max(0, Math.min(e, t) - Math.max(s, f));
  }
  return total;
}
