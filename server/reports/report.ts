import type pg from 'pg';
import type { z } from 'zod';
import type { ReportResponse } from '../../lib/contract/reports';
import type { reportQuery } from '../../lib/contract/schemas';
import { HttpError, NotFoundError } from '../errors';
import { inTransaction } from '../inbox/repository';
import { agentTime } from './availability';
import { slaReport, slaRows } from './sla';
import { agentList, days, ISO, opened, perAgent, perDay, resolved, responseTimes, slots, type ReportParams, type SlotCounts } from './queries';

/** How each figure is computed, in one line (docs/reports.md has the whole definitions). */
export const EXPLAIN = {
  opened: 'New conversations whose first cycle began in the period (all agents); unique customers count a customer on two channels once.',
  reopened: 'Resolved conversations that began a new cycle in the period (the customer wrote, an agent replied, reopened or snoozed; all agents).',
  resolved: 'Resolves in the period: a conversation resolved, reopened and resolved again counts twice as events, once as a conversation.',
  firstResponse:
    'Per cycle, from the customer’s message to the first agent’s message or template after it (notes and automatic messages excluded); median and p90, wall-clock and in the channel team’s business hours.',
  nextResponse:
    'Each later wait in a cycle: from the customer’s first unanswered message to the next agent’s message; median and p90, wall-clock and in the channel team’s business hours.',
  resolution:
    'From the cycle’s (re)opening to its resolve, snoozed time included; median and p90 by resolve time, wall-clock and in the channel team’s business hours.',
  messagesIn: 'Customers’ messages stored in the period (all agents).',
  messagesOut: 'Outbound messages stored in the period, agents’ and automatic; with an agent filter, that agent’s replies.',
  agents:
    'Per agent: replies sent, customer waits ended (responses) in how many unique conversations, first responses (median), resolves; time connected and Available (routing could give them work), Busy, Away.',
  daily: 'The figures per local day of the time zone (a daylight saving day has 23 or 25 hours).',
  sla: 'SLA clocks stopped in the period (met when stopped by their due time) or due in it and still running at its end (missed), per kind, team and agent.',
  heatmap: 'Messages per local day of week (1 Monday) and hour, summed over the period.',
} as const;

export type ReportQuery = z.infer<typeof reportQuery>;

const explained = <T>(r: T, explanation: string) => ({ ...r, explanation });
const percentilesOf = (count: number, percentiles: Array<number | null> | null | undefined) => ({
  count,
  medianSeconds: percentiles?.[0] ?? null,
  p90Seconds: percentiles?.[1] ?? null,
});
/** Wall-clock percentiles, and the same durations' in business hours (as many of them). */
const duration = (count: number, r: { percentiles: Array<number | null>; business: Array<number | null> } | undefined) => ({
  ...percentilesOf(count, r?.percentiles),
  businessHours: percentilesOf(count, r?.business),
});

/**
 * A report of the organisation over a period, read from the facts in one read-only transaction
 * with the report's time zone. A channel, agent or team of another organisation is 404.
 */
export async function buildReport(db: pg.Pool, organisationId: string, q: ReportQuery): Promise<ReportResponse> {
  const p: ReportParams = [organisationId, q.from, q.to, q.channel ?? null, q.agent ?? null, q.team ?? null];
  return inTransaction(db, 'begin transaction read only', async (c) => {
    try {
      await c.query("select set_config('TimeZone', $1, true)", [q.timeZone]);
    } catch {
      throw new HttpError(400, 'bad_request', `timeZone: the database does not know ${q.timeZone}`);
    }
    if (q.channel && !(await c.query('select 1 from channels where id = $1 and organisation_id = $2', [q.channel, organisationId])).rowCount)
      throw new NotFoundError('channel not found');
    if (q.agent && !(await c.query('select 1 from agents where id = $1 and organisation_id = $2', [q.agent, organisationId])).rowCount)
      throw new NotFoundError('agent not found');
    if (q.team && !(await c.query('select 1 from teams where id = $1 and organisation_id = $2', [q.team, organisationId])).rowCount)
      throw new NotFoundError('team not found');
    const bounds = (
      await c.query<{ from: string; to: string }>(`select to_char($1::timestamptz, ${ISO}) as "from", to_char($2::timestamptz, ${ISO}) as "to"`, [q.from, q.to])
    ).rows[0]!;
    const dayList = await days(c, p);
    const people = await agentList(c, p);
    const opens = await opened(c, p);
    const resolves = await resolved(c, p);
    const times = await responseTimes(c, p);
    const byDay = new Map((await perDay(c, p)).map((d) => [d.day, d]));
    const byAgent = new Map((await perAgent(c, p)).map((a) => [a.agent, a]));
    const counted = await slots(c, p);
    const time = await agentTime(c, p);
    const sla = slaReport(await slaRows(c, p), people, EXPLAIN.sla);
    const kind = (first: boolean) => times.find((r) => r.first === first);
    const slot = (set: SlotCounts['set'], match: (r: SlotCounts) => boolean = () => true) => counted.find((r) => r.set === set && match(r));
    return {
      period: { ...bounds, timeZone: q.timeZone },
      filters: { channelId: q.channel ?? null, agentId: q.agent ?? null, teamId: q.team ?? null },
      figures: {
        opened: explained(opens.opened, EXPLAIN.opened),
        reopened: explained(opens.reopened, EXPLAIN.reopened),
        resolved: explained({ events: resolves.events, conversations: resolves.conversations, customers: resolves.customers }, EXPLAIN.resolved),
        firstResponse: explained(duration(kind(true)?.count ?? 0, kind(true)), EXPLAIN.firstResponse),
        nextResponse: explained(duration(kind(false)?.count ?? 0, kind(false)), EXPLAIN.nextResponse),
        resolution: explained(duration(resolves.events, resolves), EXPLAIN.resolution),
        messagesIn: { value: slot('period')?.inbound ?? 0, explanation: EXPLAIN.messagesIn },
        messagesOut: { value: slot('period')?.outbound ?? 0, explanation: EXPLAIN.messagesOut },
      },
      agents: {
        explanation: EXPLAIN.agents,
        rows: people.map((a) => {
          const r = byAgent.get(a.id);
          return {
            agentId: a.id,
            displayName: a.display_name,
            replies: r?.replies ?? 0,
            conversations: r?.conversations ?? 0,
            responses: r?.responses ?? 0,
            firstResponses: r?.first_responses ?? 0,
            firstResponseMedianSeconds: r?.first_median ?? null,
            resolved: r?.resolved ?? 0,
            ...(time.get(a.id) ?? { availableSeconds: 0, busySeconds: 0, awaySeconds: 0 }),
          };
        }),
      },
      daily: {
        explanation: EXPLAIN.daily,
        rows: dayList.map((d, i) => {
          const r = byDay.get(i + 1);
          const volume = slot('day', (s) => s.day === i + 1);
          return {
            ...d,
            opened: r?.opened ?? 0,
            reopened: r?.reopened ?? 0,
            resolved: r?.resolved ?? 0,
            messagesIn: volume?.inbound ?? 0,
            messagesOut: volume?.outbound ?? 0,
            firstResponses: r?.first_responses ?? 0,
            firstResponseMedianSeconds: r?.first_median ?? null,
          };
        }),
      },
      heatmap: {
        explanation: EXPLAIN.heatmap,
        rows: Array.from({ length: 7 * 24 }, (_, i) => {
          const [dayOfWeek, hour] = [Math.floor(i / 24) + 1, i % 24];
          const cell = slot('hour', (s) => s.dow === dayOfWeek && s.hour === hour);
          return { dayOfWeek, hour, messagesIn: cell?.inbound ?? 0, messagesOut: cell?.outbound ?? 0 };
        }),
      },
      sla,
    };
  });
}
