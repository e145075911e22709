import { describe, expect, it } from 'vitest';
import { reportCsvQuery, reportQuery } from '../../lib/contract/schemas';

/** The report's query (docs/reports.md): ISO times with offsets on quarter hours, an IANA zone, at most 400 days. */
describe('reportQuery', () => {
  const ok = (q: Record<string, string>) => reportQuery.safeParse({ timeZone: 'UTC', ...q }).success;

  it('takes local midnights with their offset, in every zone (Nepal’s +05:45 too) and Z', () => {
    expect(ok({ from: '2026-10-24T00:00:00+02:00', to: '2026-10-27T00:00:00+01:00', timeZone: 'Europe/Berlin' })).toBe(true);
    expect(ok({ from: '2026-10-24T00:00:00+05:45', to: '2026-10-25T00:00:00+05:45', timeZone: 'Asia/Kathmandu' })).toBe(true);
    expect(ok({ from: '2026-10-24T00:00:00Z', to: '2026-10-24T00:15:00.000Z' })).toBe(true);
  });

  it('refuses times off the quarter hour, without an offset, backwards, or longer than 400 days', () => {
    expect(ok({ from: '2026-10-24T00:05:00Z', to: '2026-10-25T00:00:00Z' })).toBe(false);
    expect(ok({ from: '2026-10-24T00:00:00', to: '2026-10-25T00:00:00' })).toBe(false);
    expect(ok({ from: '2026-10-25T00:00:00Z', to: '2026-10-25T00:00:00Z' })).toBe(false);
    expect(ok({ from: '2025-01-01T00:00:00Z', to: '2026-02-05T00:00:00Z' })).toBe(true); // exactly 400 days
    expect(ok({ from: '2025-01-01T00:00:00Z', to: '2026-02-05T00:15:00Z' })).toBe(false);
  });

  it('knows IANA time zones and refuses others; filters are UUIDs', () => {
    const period = { from: '2026-10-24T00:00:00Z', to: '2026-10-25T00:00:00Z' };
    expect(ok({ ...period, timeZone: 'America/Argentina/Buenos_Aires' })).toBe(true);
    expect(ok({ ...period, timeZone: 'Mars/Olympus_Mons' })).toBe(false);
    expect(ok({ ...period, channel: 'not-a-uuid' })).toBe(false);
    expect(reportCsvQuery.safeParse({ ...period, timeZone: 'UTC', table: 'agents' }).success).toBe(true);
    expect(reportCsvQuery.safeParse({ ...period, timeZone: 'UTC', table: 'everything' }).success).toBe(false);
  });
});
