import type pg from 'pg';
import type { FloorAgent, FloorResponse, FloorTeam } from '../../lib/contract/reports';
import { inTransaction } from '../inbox/repository';

/** What each team (null: none) has now, from one query each; keyed by team id ('' for "No team"). */
type ByTeam<T> = Map<string, T>;
/** A time as ISO 8601 in UTC, to the millisecond (the shape `Date.toISOString()` gives). */
const UTC = (sql: string) => `to_char(${sql} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const key = (teamId: string | null) => teamId ?? '';
const byTeam = <T extends { team_id: string | null }>(rows: T[]): ByTeam<T> => new Map(rows.map((r) => [key(r.team_id), r]));

/**
 * The organisation's floor now (docs/reports.md, "Floor"): per team, and "No team" for channels
 * and agents without one, the open, unassigned, queued and snoozed conversations, the longest
 * current wait, the agents with their availability and load, and the SLA clocks breached or due in
 * 15 minutes. A handful of queries over current state, each through an index that leads with the
 * organisation, in one read-only snapshot (every figure is of the same moment, `now()`).
 */
export async function buildFloor(db: pg.Pool, organisationId: string): Promise<FloorResponse> {
  return inTransaction(db, 'begin transaction isolation level repeatable read read only', async (c) => {
    const q = async <T extends pg.QueryResultRow>(sql: string) => (await c.query<T>(sql, [organisationId])).rows;
    const { at } = (await c.query<{ at: string }>(`select ${UTC('now()')} as at`)).rows[0]!;
    const teams = await q<{ id: string; name: string }>('select id, name from teams where organisation_id = $1 order by name, id');
    const channels = byTeam(await q<{ team_id: string | null }>('select distinct team_id from channels where organisation_id = $1'));
    const counts = byTeam(
      await q<{ team_id: string | null; open: number; unassigned: number; snoozed: number }>(
        `select ch.team_id, count(*) filter (where c.status = 'open')::int as open,
                count(*) filter (where c.status = 'open' and c.assignee_id is null)::int as unassigned,
                count(*) filter (where c.status = 'snoozed')::int as snoozed
           from conversations c join channels ch on ch.id = c.channel_id
          where c.organisation_id = $1 and c.status <> 'resolved' group by ch.team_id`,
      ),
    );
    const queued = byTeam(
      await q<{ team_id: string; queued: number }>(
        'select q.team_id, count(*)::int as queued from teams t join routing_queue q on q.team_id = t.id where t.organisation_id = $1 group by q.team_id',
      ),
    );
    const waits = byTeam(
      await q<{ team_id: string | null; since: string }>(
        `select ch.team_id, ${UTC('min(s.waiting_since)')} as since
           from report_conversation_state s
           join conversations c on c.id = s.conversation_id and c.status = 'open'
           join channels ch on ch.id = s.channel_id
          where s.organisation_id = $1 and s.waiting_since is not null group by ch.team_id`,
      ),
    );
    const sla = byTeam(
      await q<{ team_id: string; breached: number; due_soon: number }>(
        `select team_id, count(*) filter (where due_at <= now())::int as breached, count(*) filter (where due_at > now())::int as due_soon
           from sla_clocks where organisation_id = $1 and stopped_at is null and due_at <= now() + interval '15 minutes' group by team_id`,
      ),
    );
    const people = await q<FloorAgent & { team_id: string | null }>(
      `select m.team_id, a.id as "agentId", a.display_name as name, ar.availability, coalesce(ap.connected_until > now(), false) as connected,
              ar.open_load as "openLoad", coalesce(m.capacity, t.default_capacity) as capacity
         from agents a
         join agent_routing ar on ar.agent_id = a.id
         join agent_presence ap on ap.agent_id = a.id
         left join team_members m on m.agent_id = a.id
         left join teams t on t.id = m.team_id
        where a.organisation_id = $1 order by a.display_name, a.id`,
    );
    const floorOf = (teamId: string | null, name: string | null): FloorTeam => {
      const n = counts.get(key(teamId));
      const w = waits.get(key(teamId));
      const s = sla.get(key(teamId));
      return {
        teamId,
        name,
        open: n?.open ?? 0,
        unassigned: n?.unassigned ?? 0,
        queued: queued.get(key(teamId))?.queued ?? 0,
        snoozed: n?.snoozed ?? 0,
        longestWaitSince: w?.since ?? null,
        // From the two times the answer carries (to the millisecond), so the figure is exactly theirs.
        longestWaitSeconds: w ? Math.max(0, Date.parse(at) - Date.parse(w.since)) / 1000 : null,
        slaBreached: s?.breached ?? 0,
        slaDueSoon: s?.due_soon ?? 0,
        agents: people.filter((p) => p.team_id === teamId).map(({ team_id: _, ...agent }) => agent),
      };
    };
    const floor = teams.map((t) => floorOf(t.id, t.name));
    // "No team": channels that answer to no team, or agents in none.
    if (channels.has('') || people.some((p) => p.team_id === null)) floor.push(floorOf(null, null));
    return { at, teams: floor };
  });
}
