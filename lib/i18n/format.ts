/**
 * Dates, times and numbers in the agent's language, through `Intl`. Formatters are made once per
 * language: `toLocale…String(…, options)` builds one per call, which was the side panel's biggest
 * cost per rendered row at 100 messages/s.
 */
export interface Formats {
  /** "14:05" (or "2:05 PM", "٢:٠٥ م": the language's own clock). */
  time: Intl.DateTimeFormat;
  /** "Mon", "lun", "seg.", "الاثنين". */
  weekday: Intl.DateTimeFormat;
  /** "12 Mar". */
  dayMonth: Intl.DateTimeFormat;
  /** "12 Mar 2026, 14:05". */
  dateTime: Intl.DateTimeFormat;
  /** "today", "tomorrow", "hoy", "amanhã". */
  relativeDay: Intl.RelativeTimeFormat;
  number: Intl.NumberFormat;
  /** "Alice, Bob and Carol". */
  list: Intl.ListFormat;
  collator: Intl.Collator;
}

const cache = new Map<string, Formats>();

export function formats(locale: string): Formats {
  let f = cache.get(locale);
  if (!f) {
    f = {
      time: new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }),
      weekday: new Intl.DateTimeFormat(locale, { weekday: 'short' }),
      dayMonth: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }),
      dateTime: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }),
      relativeDay: new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }),
      number: new Intl.NumberFormat(locale),
      list: new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }),
      collator: new Intl.Collator(locale),
    };
    cache.set(locale, f);
  }
  return f;
}

const sameDay = (a: Date, b: Date) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
const SIX_DAYS = 6 * 24 * 3600 * 1000;

/** Moments as the side panel shows them, in one language. */
export interface Dates {
  /** "14:05" today, "Mon" this week, "12 Mar" before. */
  shortTime(iso: string | null, now?: Date): string;
  /** A moment ahead or behind, for snoozes: "today 19:00", "tomorrow 09:00", "Mon 09:00", "12 Mar 09:00". */
  whenLabel(iso: string, now?: Date): string;
}

const datesCache = new Map<string, Dates>();

/**
 * Words made once by key: `once(key, say)` says `say()` the first time and the same text after,
 * keeping at most `kept` (then it starts again). For text a render would otherwise make again
 * (a plural through i18next, a time through Intl).
 */
export function sayOnce(kept: number): (key: string, say: () => string) => string {
  const said = new Map<string, string>();
  return (key, say) => {
    let text = said.get(key);
    if (text === undefined) {
      if (said.size >= kept) said.clear();
      text = say();
      said.set(key, text);
    }
    return text;
  };
}
/** How many said times a language keeps (then it starts again). */
const SAID_KEPT = 512;

export function dates(locale: string): Dates {
  let d = datesCache.get(locale);
  if (d) return d;
  const f = formats(locale);
  // What each minute (today) or day (before) says: a new message renders its row with a new time,
  // mostly in a minute already said, and each format through Intl showed in the panel's CPU
  // profile (docs/delivery-scope.md).
  const once = sayOnce(SAID_KEPT);
  d = {
    shortTime(iso, now = new Date()) {
      if (!iso) return '';
      const at = new Date(iso);
      if (sameDay(at, now)) return once(`t${Math.floor(at.getTime() / 60_000)}`, () => f.time.format(at));
      const day = `${at.getFullYear()}-${at.getMonth()}-${at.getDate()}`;
      if (now.getTime() - at.getTime() < SIX_DAYS) return once(`w${day}`, () => f.weekday.format(at));
      return once(`d${day}`, () => f.dayMonth.format(at));
    },
    whenLabel(iso, now = new Date()) {
      const at = new Date(iso);
      const time = f.time.format(at);
      if (sameDay(at, now)) return `${f.relativeDay.format(0, 'day')} ${time}`;
      const tomorrow = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
      if (sameDay(at, tomorrow)) return `${f.relativeDay.format(1, 'day')} ${time}`;
      if (Math.abs(at.getTime() - now.getTime()) < SIX_DAYS) return `${f.weekday.format(at)} ${time}`;
      return `${f.dayMonth.format(at)} ${time}`;
    },
  };
  datesCache.set(locale, d);
  return d;
}
