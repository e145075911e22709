import type pg from 'pg';
import type { ReportSla, ReportSlaCount, ReportSlaKinds } from '../../lib/contract/reports';
import { run, TEAM, type ReportParams } from './queries';

/**
 * SLA met % of a period (docs/reports.md, "SLA"): the clocks stopped in [from, to), met when
 * stopped at or before their due time, and the clocks due in the period still running at its end,
 * missed. Two branches, each over its own index leading with `organisation_id`. Per team (the
 * clock's) and per agent: a missed clock's agent is the breach's assignee (`sla_breaches`), any
 * other clock's the conversation's current assignee (who had it when it stopped is not stored).
 */
const CLOCKS = `
  select k.kind, k.team_id, k.conversation_id, k.cycle, k.stopped_at <= k.due_at as met
    from sla_clocks k
   where k.organisation_id = $1 and k.due_at is not null and k.stopped_at >= $2 and k.stopped_at < $3
  union all
  select k.kind, k.team_id, k.conversation_id, k.cycle, false
    from sla_clocks k
   where k.organisation_id = $1 and k.due_at >= $2 and k.due_at < $3 and (k.stopped_at is null or k.stopped_at >= $3)`;

interface SlaRow {
  set: 'all' | 'team' | 'agent';
  kind: 'first_response' | 'next_response' | 'resolution';
  team_id: string | null;
  team_name: string | null;
  agent_id: string | null;
  met: number;
  missed: number;
}

export const slaRows = (c: pg.PoolClient, p: ReportParams) =>
  run<SlaRow>(
    c,
    p,
    `, clocks as (
       select t.kind, t.team_id, t.met,
              case when t.met or b.conversation_id is null then v.assignee_id else b.assignee_id end as agent_id
         from (${CLOCKS}) t
         join conversations v on v.id = t.conversation_id and v.organisation_id = $1
         left join sla_breaches b on b.conversation_id = t.conversation_id and b.kind = t.kind and b.cycle = t.cycle and b.organisation_id = $1
        where ($4::uuid is null or v.channel_id = $4::uuid) and ${TEAM('v.channel_id')}
     )
     select case when grouping(team_id) = 0 then 'team' when grouping(agent_id) = 0 then 'agent' else 'all' end as set,
            kind, team_id, (select name from teams where id = team_id) as team_name, agent_id,
            count(*) filter (where met)::int as met, count(*) filter (where not met)::int as missed
       from clocks where $5::uuid is null or agent_id = $5::uuid
      group by grouping sets ((kind), (kind, team_id), (kind, agent_id))`,
  );

const KINDS = { first_response: 'firstResponse', next_response: 'nextResponse', resolution: 'resolution' } as const;

const count = (met: number, missed: number): ReportSlaCount => ({
  met,
  missed,
  metPercent: met + missed === 0 ? null : Math.round((1000 * met) / (met + missed)) / 10,
});
const kinds = (rows: SlaRow[]): ReportSlaKinds => {
  const of = (kind: SlaRow['kind']) => rows.find((r) => r.kind === kind);
  return Object.fromEntries(
    Object.entries(KINDS).map(([kind, key]) => [key, count(of(kind as SlaRow['kind'])?.met ?? 0, of(kind as SlaRow['kind'])?.missed ?? 0)]),
  ) as unknown as ReportSlaKinds;
};

/** The report's SLA part from its rows; agents named from the report's agent list, in its order. */
export function slaReport(rows: SlaRow[], agents: Array<{ id: string; display_name: string }>, explanation: string): ReportSla {
  const of = (set: SlaRow['set']) => rows.filter((r) => r.set === set);
  const teams = [...new Map(of('team').map((r) => [r.team_id!, r.team_name ?? ''])).entries()].sort((a, b) => a[1].localeCompare(b[1]));
  const agentIds = new Set(of('agent').map((r) => r.agent_id));
  return {
    explanation,
    overall: kinds(of('all')),
    teams: teams.map(([teamId, name]) => ({ teamId, name, ...kinds(of('team').filter((r) => r.team_id === teamId)) })),
    agents: [
      ...agents
        .filter((a) => agentIds.has(a.id))
        .map((a) => ({ agentId: a.id, displayName: a.display_name, ...kinds(of('agent').filter((r) => r.agent_id === a.id)) })),
      ...(agentIds.has(null) ? [{ agentId: null, displayName: null, ...kinds(of('agent').filter((r) => r.agent_id === null)) }] : []),
    ],
  };
}
