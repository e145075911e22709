import type pg from 'pg';

/**
 * The report's SQL over the facts the `messages_report` trigger keeps (docs/reports.md). Each fact
 * table is read over its period only, by a covering index that leads with `organisation_id` and
 * the event's time; each query computes only what its figure needs (a median and p90 sort their
 * values once: `percentile_cont(array[0.5, 0.9])`), and a row's local day is a binary search in the
 * period's day starts (`width_bucket`), not a time zone conversion per row. Parameters: $1
 * organisation, $2 from, $3 to (excluded), $4 channel or null, $5 agent or null, $6 team or null. The session's
 * TimeZone is the report's, so days, hours and `to_char(…TZH:TZM)` are the requested zone's.
 */

export type ReportParams = [organisationId: string, from: string, to: string, channelId: string | null, agentId: string | null, teamId: string | null];

/** ISO 8601 with the session time zone's offset. */
export const ISO = `'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'`;

// Every query takes all six parameters (PostgreSQL refuses a parameter a statement does not use),
// typed once here, and the period's local day starts (a day's number is its 1-based position).
const PARAMS = `with params as (select $1::uuid, $2::timestamptz, $3::timestamptz, $4::uuid, $5::uuid, $6::uuid),
  days as (select array_agg(d order by d) as starts
             from generate_series(date_trunc('day', $2::timestamptz), $3::timestamptz - interval '1 microsecond', interval '1 day') d)`;
const DAY = (column: string) => `width_bucket(${column}, (select starts from days))`;
/** The team filter: conversations of the channels the team answers now (docs/reports.md, "Filters"). */
export const TEAM = (column: string) => `($6::uuid is null or ${column} in (select id from channels where team_id = $6::uuid and organisation_id = $1))`;
const CHANNEL = `($4::uuid is null or channel_id = $4::uuid) and ${TEAM('channel_id')}`;
const AGENT = (column: string) => `($5::uuid is null or ${column} = $5::uuid)`;
/** Seconds to the millisecond (timestamps are microseconds; percentiles interpolate in floating point). */
const toMs = (seconds: string) => `round((${seconds})::numeric, 3)::float8`;
/** Median and p90 from one sort: `percentiles[1]`, `percentiles[2]`. */
const percentiles = (of: string, as = 'percentiles') =>
  `(select array_agg(${toMs('x')} order by n) from unnest(percentile_cont(array[0.5, 0.9]) within group (order by ${of})) with ordinality u(x, n)) as ${as}`;
const MEDIAN = (filter = '') => toMs(`percentile_cont(0.5) within group (order by seconds)${filter}`);
const UNIQUE = 'count(distinct conversation_id)::int as conversations, count(distinct contact_id)::int as customers';

export const run = async <T extends pg.QueryResultRow>(c: pg.PoolClient, p: ReportParams, sql: string) => (await c.query<T>(`${PARAMS} ${sql}`, p)).rows;

const OPENED = `from report_cycles where organisation_id = $1 and opened_at >= $2 and opened_at < $3 and ${CHANNEL}`;
const RESOLVED = `from report_cycles where organisation_id = $1 and resolved_at >= $2 and resolved_at < $3 and ${CHANNEL} and ${AGENT('resolved_by')}`;
const RESOLUTION = 'greatest(0, extract(epoch from resolved_at - opened_at))::float8';
const ANSWERED = `from report_responses where organisation_id = $1 and answered_at >= $2 and answered_at < $3 and ${CHANNEL} and ${AGENT('agent_id')}`;

/** The period's local days (the first and last clipped to it), in order: day number n is the n-th. */
export const days = (c: pg.PoolClient, p: ReportParams) =>
  run<{ day: string; from: string; to: string }>(
    c,
    p,
    `select to_char(d, 'YYYY-MM-DD') as day, to_char(greatest(d, $2::timestamptz), ${ISO}) as "from",
            to_char(least(d + interval '1 day', $3::timestamptz), ${ISO}) as "to"
       from unnest((select starts from days)) d order by d`,
  );

/** The organisation's agents (the agent filter: that one), in name order. */
export const agentList = (c: pg.PoolClient, p: ReportParams) =>
  run<{ id: string; display_name: string }>(
    c,
    p,
    `select id, display_name from agents where organisation_id = $1 and ${AGENT('id')} order by display_name, id`,
  );

export interface Unique {
  events: number;
  conversations: number;
  customers: number;
}

/** New conversations (first cycles) and reopenings that began in the period. */
export const opened = async (c: pg.PoolClient, p: ReportParams) =>
  (
    await run<{ opened: Unique; reopened: Unique }>(
      c,
      p,
      `select json_build_object('events', count(*) filter (where seq = 1), 'conversations', count(distinct conversation_id) filter (where seq = 1),
                                'customers', count(distinct contact_id) filter (where seq = 1)) as opened,
              json_build_object('events', count(*) filter (where seq > 1), 'conversations', count(distinct conversation_id) filter (where seq > 1),
                                'customers', count(distinct contact_id) filter (where seq > 1)) as reopened
         ${OPENED}`,
    )
  )[0]!;

/** Resolves in the period, and their cycles' resolution times (wall-clock, and in business hours). */
export const resolved = async (c: pg.PoolClient, p: ReportParams) =>
  (
    await run<{ events: number; conversations: number; customers: number; percentiles: Array<number | null>; business: Array<number | null> }>(
      c,
      p,
      `select count(*)::int as events, ${UNIQUE}, ${percentiles(RESOLUTION)}, ${percentiles('business_seconds', 'business')} ${RESOLVED}`,
    )
  )[0]!;

/** First and next response times of the period (wall-clock, and in business hours). */
export const responseTimes = (c: pg.PoolClient, p: ReportParams) =>
  run<{ first: boolean; count: number; percentiles: Array<number | null>; business: Array<number | null> }>(
    c,
    p,
    `select first, count(*)::int as count, ${percentiles('seconds')}, ${percentiles('business_seconds', 'business')} ${ANSWERED} group by first`,
  );

export interface DayCounts {
  day: number;
  opened: number;
  reopened: number;
  resolved: number;
  first_responses: number;
  first_median: number | null;
}

/** Per local day: opens, reopenings, resolves, first responses and their median. */
export const perDay = (c: pg.PoolClient, p: ReportParams) =>
  run<DayCounts>(
    c,
    p,
    `select day, sum(opened)::int as opened, sum(reopened)::int as reopened, sum(resolved)::int as resolved,
            sum(first_responses)::int as first_responses, max(first_median) as first_median
       from (select ${DAY('opened_at')} as day, count(*) filter (where seq = 1) as opened, count(*) filter (where seq > 1) as reopened,
                    0 as resolved, 0 as first_responses, null::float8 as first_median ${OPENED} group by 1
             union all
             select ${DAY('resolved_at')}, 0, 0, count(*), 0, null ${RESOLVED} group by 1
             union all
             select ${DAY('answered_at')}, 0, 0, 0, count(*), ${MEDIAN()} ${ANSWERED} and first group by 1) t
      group by day`,
  );

export interface AgentCounts {
  agent: string;
  replies: number;
  responses: number;
  first_responses: number;
  conversations: number;
  first_median: number | null;
  resolved: number;
}

/** Per agent: replies, responses (in how many conversations), first responses and their median, resolves. */
export const perAgent = (c: pg.PoolClient, p: ReportParams) =>
  run<AgentCounts>(
    c,
    p,
    `select agent, sum(replies)::int as replies, sum(responses)::int as responses, sum(first_responses)::int as first_responses,
            sum(conversations)::int as conversations, max(first_median) as first_median, sum(resolved)::int as resolved
       from (select agent_id as agent, sum(replies) as replies, 0 as responses, 0 as first_responses, 0 as conversations,
                    null::float8 as first_median, 0 as resolved
               from report_agent_replies where organisation_id = $1 and slot >= $2 and slot < $3 and ${CHANNEL} and ${AGENT('agent_id')} group by 1
             union all
             select agent_id, 0, count(*), count(*) filter (where first), count(distinct conversation_id), ${MEDIAN(' filter (where first)')}, 0
               ${ANSWERED} group by 1
             union all
             select resolved_by, 0, 0, 0, 0, null, count(*) ${RESOLVED} and resolved_by is not null group by 1) t
      group by agent`,
  );

export interface SlotCounts {
  set: 'period' | 'day' | 'hour';
  day: number | null;
  dow: number | null;
  hour: number | null;
  inbound: number;
  outbound: number;
}

/**
 * Messages in and out for the period, per day and per local day of week and hour, from the
 * 15-minute slots (summed per slot first: a time zone conversion per slot, not per row). With an
 * agent filter, out is that agent's replies.
 */
export const slots = (c: pg.PoolClient, p: ReportParams) =>
  run<SlotCounts>(
    c,
    p,
    `, per_slot as (
       select slot, sum(inbound) as inbound, sum(outbound) as outbound
         from (select slot, inbound, case when $5::uuid is null then outbound else 0 end as outbound
                 from report_volume where organisation_id = $1 and slot >= $2 and slot < $3 and ${CHANNEL}
               union all
               select slot, 0, replies from report_agent_replies
                where $5::uuid is not null and organisation_id = $1 and slot >= $2 and slot < $3 and ${CHANNEL} and agent_id = $5::uuid) t
        group by slot
     )
     select case when grouping(day) = 0 then 'day' when grouping(dow) = 0 then 'hour' else 'period' end as set, day, dow, hour,
            sum(inbound)::int as inbound, sum(outbound)::int as outbound
       from (select ${DAY('slot')} as day, extract(isodow from slot)::int as dow, extract(hour from slot)::int as hour, inbound, outbound from per_slot) t
      group by grouping sets ((), (day), (dow, hour))`,
  );
