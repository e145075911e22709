import type pg from 'pg';
import { run, type ReportParams } from './queries';

/** Seconds each agent spent connected in each state over the period. */
export interface AgentTime {
  availableSeconds: number;
  busySeconds: number;
  awaySeconds: number;
}

/**
 * Each agent's time available, busy and away while connected (docs/reports.md, "Time available"),
 * from the spans `…042_report_availability.sql` keeps: the spans that began in [from, to) (by
 * organisation and start), and per agent the one span that began before `from` (spans of an agent
 * never overlap, so no earlier one reaches into the period), each clipped to the period. An open
 * span lasts until now, or until the agent's presence ran out (`connected_until`), whichever is
 * first. Channel filters do not apply: an agent is available to every channel at once.
 */
export async function agentTime(c: pg.PoolClient, p: ReportParams): Promise<Map<string, AgentTime>> {
  const rows = await run<{ agent_id: string; state: 'available' | 'busy' | 'away'; seconds: number }>(
    c,
    p,
    `, spans as (
       select s.agent_id, s.state, s.started_at, s.ended_at
         from report_agent_spans s
        where s.organisation_id = $1 and s.started_at >= $2 and s.started_at < $3 and ($5::uuid is null or s.agent_id = $5::uuid)
       union all
       select b.agent_id, b.state, b.started_at, b.ended_at
         from agents a
         cross join lateral (select s.agent_id, s.state, s.started_at, s.ended_at from report_agent_spans s
                              where s.agent_id = a.id and s.started_at < $2 and s.organisation_id = $1
                              order by s.started_at desc limit 1) b
        where a.organisation_id = $1 and ($5::uuid is null or a.id = $5::uuid)
     )
     select s.agent_id, s.state,
            round(sum(extract(epoch from least(coalesce(s.ended_at, least(now(), ap.connected_until)), $3) - greatest(s.started_at, $2)))::numeric, 3)::float8 as seconds
       from spans s left join agent_presence ap on s.ended_at is null and ap.agent_id = s.agent_id
      where coalesce(s.ended_at, least(now(), ap.connected_until)) > greatest(s.started_at, $2)
      group by s.agent_id, s.state`,
  );
  const byAgent = new Map<string, AgentTime>();
  for (const r of rows) {
    const t = byAgent.get(r.agent_id) ?? { availableSeconds: 0, busySeconds: 0, awaySeconds: 0 };
    t[`${r.state}Seconds`] = r.seconds;
    byAgent.set(r.agent_id, t);
  }
  return byAgent;
}
