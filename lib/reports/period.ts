/**
 * A report's period as the page chooses it: whole local days of the agent's time zone, turned into
 * the ISO times with offset the server asks for (`from` the first day's midnight, `to` the midnight
 * after the last day, excluded). Days are `YYYY-MM-DD`; midnights fall on a quarter hour in every
 * zone, as the server requires (docs/reports.md, "Periods and time zones").
 */
export type Preset = 'last7' | 'last30' | 'thisMonth' | 'custom';
export const PRESETS: readonly Preset[] = ['last7', 'last30', 'thisMonth', 'custom'];

/** The first and last day of a period, both included. */
export interface DayRange {
  first: string;
  last: string;
}

const DAY_MS = 86_400_000;

/** The agent's own time zone (IANA), as the browser knows it. */
export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** A zone's offset from UTC at a moment, in minutes east (Berlin in winter: 60). */
export function offsetMinutes(timeZone: string, at: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name ?? '');
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** A moment as ISO 8601 with the given offset: `2026-11-01T00:00:00+01:00`. */
function isoWithOffset(at: number, offset: number): string {
  const local = new Date(at + offset * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(offset);
  return `${local}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The day a moment falls on in a zone. */
export const dayIn = (at: number, timeZone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/** The day `n` days after (or before) a day. */
export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) + n * DAY_MS).toISOString().slice(0, 10);
}

/** How many days a range covers. */
export const daysIn = ({ first, last }: DayRange): number => Math.round((Date.parse(last) - Date.parse(first)) / DAY_MS) + 1;

/** Local midnight at the start of a day, as ISO with the zone's offset at that moment. */
export function startOfDay(day: string, timeZone: string): string {
  const wall = Date.parse(`${day}T00:00:00Z`);
  // The offset at the guess, then at the corrected moment (they differ only near a clock change).
  let at = wall - offsetMinutes(timeZone, wall) * 60_000;
  at = wall - offsetMinutes(timeZone, at) * 60_000;
  return isoWithOffset(at, offsetMinutes(timeZone, at));
}

/** The days a preset covers, ending today (`today` in the agent's zone). */
export function presetRange(preset: Exclude<Preset, 'custom'>, today: string): DayRange {
  if (preset === 'last7') return { first: addDays(today, -6), last: today };
  if (preset === 'last30') return { first: addDays(today, -29), last: today };
  return { first: `${today.slice(0, 8)}01`, last: today };
}

/** The server's `from` and `to` for whole days of a zone. */
export const periodOf = ({ first, last }: DayRange, timeZone: string) => ({ from: startOfDay(first, timeZone), to: startOfDay(addDays(last, 1), timeZone) });

/** The days a period of whole local days covers (its times carry the zone's offset, so their dates are local). */
export const daysOf = ({ from, to }: { from: string; to: string }): DayRange => ({ first: from.slice(0, 10), last: addDays(to.slice(0, 10), -1) });

/** The name a downloaded table gets: `switchboard-daily-2026-11-01_2026-11-30.csv`. */
export const csvFileName = (table: string, { first, last }: DayRange) => `switchboard-${table}-${first}_${last}.csv`;
