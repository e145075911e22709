/**
 * Durations as a report shows them, in the agent's language through `Intl`: "45 sec", "4 min",
 * "1 hr 20 min", "2 days 3 hr". Two units at most: a median of 1 h 20 min 13 s reads as
 * 1 h 20 min. (`Intl.DurationFormat` would do this, but not in every browser we support yet.)
 */
const UNITS = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
] as const;

const cache = new Map<string, (seconds: number) => string>();

/** A formatter of durations (in seconds) for a language. */
export function durationFormat(locale: string): (seconds: number) => string {
  let f = cache.get(locale);
  if (f) return f;
  const unit = Object.fromEntries(UNITS.map(([u]) => [u, new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' })]));
  const list = new Intl.ListFormat(locale, { type: 'unit', style: 'narrow' });
  f = (seconds) => {
    let rest = Math.round(seconds);
    if (rest < 60) return unit.second!.format(rest);
    rest = Math.round(rest / 60) * 60; // seconds only under a minute
    const parts: Array<[unit: (typeof UNITS)[number][0], n: number]> = [];
    for (const [u, size] of UNITS) {
      const n = Math.floor(rest / size);
      rest -= n * size;
      if (n > 0 || parts.length > 0) parts.push([u, n]);
      if (parts.length === 2) break;
    }
    // "2 hr", not "2 hr 0 min".
    return list.format(parts.filter(([, n], i) => i === 0 || n > 0).map(([u, n]) => unit[u]!.format(n)));
  };
  cache.set(locale, f);
  return f;
}
