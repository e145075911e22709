import type pg from 'pg';
import type { ReportAgentRow, ReportCount, ReportDayRow, ReportDuration, ReportHeatCell } from '../../lib/contract/reports';

/**
 * The report's SQL over the facts the `messages_report` trigger keeps (docs/reports.md). Each reads
 * only rows of one organisation and period, by indexes that lead with `organisation_id` and the
 * event's time. Parameters: $1 organisation, $2 from, $3 to (excluded), $4 channel or null,
 * $5 agent or null. They run with the session's TimeZone set to the report's, so days, hours and
 * `to_char(…TZH:TZM)` are the requested zone's.
 */

export type ReportParams = [organisationId: string, from: string, to: string, channelId: string | null, agentId: string | null];

/** ISO 8601 with the session time zone's offset. */
export const ISO = `'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'`;

// Every query takes all five parameters (PostgreSQL refuses a parameter a statement does not use),
// typed once here.
const PARAMS = 'with params as (select $1::uuid, $2::timestamptz, $3::timestamptz, $4::uuid, $5::uuid)';
const CHANNEL = '($4::uuid is null or channel_id = $4::uuid)';
const AGENT = (column: string) => `($5::uuid is null or ${column} = $5::uuid)`;
/** Seconds to the millisecond (timestamps are microseconds; percentiles interpolate in floating point). */
const toMs = (seconds: string) => `round((${seconds})::numeric, 3)::float8`;
const secs = (later: string, earlier: string) => `greatest(0, extract(epoch from ${later} - ${earlier}))::float8`;

export type CountRow = Omit<ReportCount, 'explanation'>;
export type DurationRow = Omit<ReportDuration, 'explanation'>;

const count = (where: string) => `${PARAMS}
  select count(*)::int as events, count(distinct conversation_id)::int as conversations, count(distinct contact_id)::int as customers
    from report_cycles where organisation_id = $1 and ${where} and ${CHANNEL}`;
const duration = (inner: string, filter = 'true') => `${PARAMS}
  select count(*)::int as count,
         ${toMs('percentile_cont(0.5) within group (order by d)')} as "medianSeconds",
         ${toMs('percentile_cont(0.9) within group (order by d)')} as "p90Seconds"
    from (${inner}) t where ${filter}`;
const OPENED_IN = 'opened_at >= $2 and opened_at < $3';
const RESOLVED_IN = `resolved_at >= $2 and resolved_at < $3 and ${AGENT('resolved_by')}`;
/** The period's response times (`d`), with more of their columns. */
const responses = (columns: string) => `select ${secs('answered_at', 'waited_from')} as d, ${columns} from report_responses
   where organisation_id = $1 and answered_at >= $2 and answered_at < $3 and ${CHANNEL} and ${AGENT('agent_id')}`;

/** Every headline figure of the report. */
export async function summary(c: pg.PoolClient, p: ReportParams) {
  const one = async <T>(sql: string) => (await c.query<T & pg.QueryResultRow>(sql, p)).rows[0]!;
  const [opened, reopened, resolved, first, next, resolution, volume] = [
    await one<CountRow>(count(`seq = 1 and ${OPENED_IN}`)),
    await one<CountRow>(count(`seq > 1 and ${OPENED_IN}`)),
    await one<CountRow>(count(RESOLVED_IN)),
    await one<DurationRow>(duration(responses('first'), 'first')),
    await one<DurationRow>(duration(responses('first'), 'not first')),
    await one<DurationRow>(
      duration(`select ${secs('resolved_at', 'opened_at')} as d from report_cycles where organisation_id = $1 and ${CHANNEL} and ${RESOLVED_IN}`),
    ),
    await one<{ inbound: number; outbound: number }>(`${PARAMS}
      select (select coalesce(sum(inbound), 0)::int from report_volume where organisation_id = $1 and slot >= $2 and slot < $3 and ${CHANNEL}) as inbound,
             case when $5::uuid is null
                  then (select coalesce(sum(outbound), 0)::int from report_volume where organisation_id = $1 and slot >= $2 and slot < $3 and ${CHANNEL})
                  else (select coalesce(sum(replies), 0)::int from report_agent_replies
                         where organisation_id = $1 and slot >= $2 and slot < $3 and ${CHANNEL} and agent_id = $5::uuid) end as outbound`),
  ];
  return { opened, reopened, resolved, first, next, resolution, volume };
}

/** One row per agent of the organisation (the agent filter: that one), in name order. */
export async function agents(c: pg.PoolClient, p: ReportParams): Promise<ReportAgentRow[]> {
  const { rows } = await c.query<ReportAgentRow>(
    `${PARAMS}
     select a.id as "agentId", a.display_name as "displayName",
            coalesce(r.replies, 0)::int as replies, coalesce(r.conversations, 0)::int as conversations,
            coalesce(s.responses, 0)::int as responses, coalesce(s.first_responses, 0)::int as "firstResponses",
            ${toMs('s.first_median')} as "firstResponseMedianSeconds", coalesce(v.resolved, 0)::int as resolved
       from agents a
       left join (select agent_id, sum(replies) as replies, count(distinct conversation_id) as conversations from report_agent_replies
                   where organisation_id = $1 and slot >= $2 and slot < $3 and ${CHANNEL} group by agent_id) r on r.agent_id = a.id
       left join (select agent_id, count(*) as responses, count(*) filter (where first) as first_responses,
                         percentile_cont(0.5) within group (order by d) filter (where first) as first_median
                    from (${responses('first, agent_id')}) t group by agent_id) s on s.agent_id = a.id
       left join (select resolved_by, count(*) as resolved from report_cycles where organisation_id = $1 and ${CHANNEL} and ${RESOLVED_IN}
                   group by resolved_by) v on v.resolved_by = a.id
      where a.organisation_id = $1 and ${AGENT('a.id')}
      order by a.display_name, a.id`,
    p,
  );
  return rows;
}

/** One row per local day of the period (the first and last clipped to it). */
export async function daily(c: pg.PoolClient, p: ReportParams): Promise<ReportDayRow[]> {
  const { rows } = await c.query<ReportDayRow>(
    `${PARAMS}, days as (
       select d as day from generate_series(date_trunc('day', $2::timestamptz), $3::timestamptz - interval '1 microsecond', interval '1 day') d
     ), cycles as (
       select date_trunc('day', opened_at) as day, count(*) filter (where seq = 1) as opened, count(*) filter (where seq > 1) as reopened
         from report_cycles where organisation_id = $1 and ${OPENED_IN} and ${CHANNEL} group by 1
     ), resolves as (
       select date_trunc('day', resolved_at) as day, count(*) as resolved from report_cycles where organisation_id = $1 and ${RESOLVED_IN} and ${CHANNEL} group by 1
     ), volume as (
       select date_trunc('day', slot) as day, sum(inbound) as inbound, sum(outbound) as outbound
         from report_volume where organisation_id = $1 and slot >= $2 and slot < $3 and ${CHANNEL} group by 1
     ), replies as (
       select date_trunc('day', slot) as day, sum(replies) as outbound
         from report_agent_replies where organisation_id = $1 and slot >= $2 and slot < $3 and ${CHANNEL} and agent_id = $5::uuid group by 1
     ), firsts as (
       select date_trunc('day', answered_at) as day, count(*) as n, percentile_cont(0.5) within group (order by d) as median
         from (${responses('answered_at, first')}) t where first group by 1
     )
     select to_char(days.day, 'YYYY-MM-DD') as day,
            to_char(greatest(days.day, $2::timestamptz), ${ISO}) as "from",
            to_char(least(days.day + interval '1 day', $3::timestamptz), ${ISO}) as "to",
            coalesce(cycles.opened, 0)::int as opened, coalesce(cycles.reopened, 0)::int as reopened, coalesce(resolves.resolved, 0)::int as resolved,
            coalesce(volume.inbound, 0)::int as "messagesIn",
            (case when $5::uuid is null then coalesce(volume.outbound, 0) else coalesce(replies.outbound, 0) end)::int as "messagesOut",
            coalesce(firsts.n, 0)::int as "firstResponses", ${toMs('firsts.median')} as "firstResponseMedianSeconds"
       from days
       left join cycles using (day) left join resolves using (day) left join volume using (day) left join replies using (day) left join firsts using (day)
      order by days.day`,
    p,
  );
  return rows;
}

/** Messages per local day of week (ISO) and hour, all 168 cells. */
export async function heatmap(c: pg.PoolClient, p: ReportParams): Promise<ReportHeatCell[]> {
  const { rows } = await c.query<ReportHeatCell>(
    `${PARAMS}, cells as (
       select extract(isodow from slot)::int as dow, extract(hour from slot)::int as hour, sum(inbound) as inbound, sum(outbound) as outbound
         from report_volume where organisation_id = $1 and slot >= $2 and slot < $3 and ${CHANNEL} group by 1, 2
     ), replies as (
       select extract(isodow from slot)::int as dow, extract(hour from slot)::int as hour, sum(replies) as outbound
         from report_agent_replies where organisation_id = $1 and slot >= $2 and slot < $3 and ${CHANNEL} and agent_id = $5::uuid group by 1, 2
     )
     select d as "dayOfWeek", h as hour, coalesce(cells.inbound, 0)::int as "messagesIn",
            (case when $5::uuid is null then coalesce(cells.outbound, 0) else coalesce(replies.outbound, 0) end)::int as "messagesOut"
       from generate_series(1, 7) d cross join generate_series(0, 23) h
       left join cells on cells.dow = d and cells.hour = h
       left join replies on replies.dow = d and replies.hour = h
      order by d, h`,
    p,
  );
  return rows;
}
