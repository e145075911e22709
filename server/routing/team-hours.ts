import type pg from 'pg';
import type { BusinessHours } from './business-hours';

/** Teams' business hours as the arithmetic takes them, read together (one query each for hours and holidays). */
export async function loadHours(db: pg.Pool | pg.PoolClient, teamIds: string[]): Promise<Map<string, BusinessHours & { autoReply: string | null }>> {
  const ids = [...new Set(teamIds)];
  const out = new Map<string, BusinessHours & { autoReply: string | null }>();
  if (ids.length === 0) return out;
  // Sequential: `db` may be one transaction's client, which runs one query at a time.
  const teams = await db.query<{ id: string; time_zone: string; hours_enabled: boolean; auto_reply: string | null }>(
    'select id, time_zone, hours_enabled, auto_reply from teams where id = any($1::uuid[])',
    [ids],
  );
  const intervals = await db.query<{ team_id: string; weekday: number; opens_minute: number; closes_minute: number }>(
    'select team_id, weekday, opens_minute, closes_minute from team_hours where team_id = any($1::uuid[])',
    [ids],
  );
  const holidays = await db.query<{ team_id: string; day: string }>(
    "select team_id, to_char(day, 'YYYY-MM-DD') as day from team_holidays where team_id = any($1::uuid[])",
    [ids],
  );

  for (const t of teams.rows) out.set(t.id, { enabled: t.hours_enabled, timeZone: t.time_zone, intervals: [], holidays: [], autoReply: t.auto_reply });
  for (const i of intervals.rows) out.get(i.team_id)?.intervals.push({ weekday: i.weekday, opensMinute: i.opens_minute, closesMinute: i.closes_minute });
  for (const h of holidays.rows) out.get(h.team_id)?.holidays.push(h.day);
  return out;
}
