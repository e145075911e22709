import type pg from 'pg';
import type { z } from 'zod';
import type { ReportResponse } from '../../lib/contract/reports';
import type { reportQuery } from '../../lib/contract/schemas';
import { HttpError, NotFoundError } from '../errors';
import { inTransaction } from '../inbox/repository';
import { agents, daily, heatmap, ISO, summary, type ReportParams } from './queries';

/** How each figure is computed, in one line (docs/reports.md has the whole definitions). */
export const EXPLAIN = {
  opened: 'New conversations whose first cycle began in the period (all agents); unique customers count a customer on two channels once.',
  reopened: 'Resolved conversations that began a new cycle in the period (the customer wrote, an agent replied, reopened or snoozed; all agents).',
  resolved: 'Resolves in the period: a conversation resolved, reopened and resolved again counts twice as events, once as a conversation.',
  firstResponse:
    'Per cycle, from the customer’s message to the first agent’s message or template after it (notes and automatic messages excluded); median and p90, wall-clock.',
  nextResponse: 'Each later wait in a cycle: from the customer’s first unanswered message to the next agent’s message; median and p90, wall-clock.',
  resolution: 'From the cycle’s (re)opening to its resolve, snoozed time included; median and p90, wall-clock, by resolve time.',
  messagesIn: 'Customers’ messages stored in the period (all agents).',
  messagesOut: 'Outbound messages stored in the period, agents’ and automatic; with an agent filter, that agent’s replies.',
  agents: 'Per agent: replies sent, unique conversations replied in, customer waits ended, first responses (median), resolves.',
  daily: 'The figures per local day of the time zone (a daylight saving day has 23 or 25 hours).',
  heatmap: 'Messages per local day of week (1 Monday) and hour, summed over the period.',
} as const;

export type ReportQuery = z.infer<typeof reportQuery>;

const explained = <T>(r: T, explanation: string) => ({ ...r, explanation });

/**
 * A report of the organisation over a period, read from the facts in one read-only transaction
 * with the report's time zone. A channel or agent of another organisation is 404.
 */
export async function buildReport(db: pg.Pool, organisationId: string, q: ReportQuery): Promise<ReportResponse> {
  const p: ReportParams = [organisationId, q.from, q.to, q.channel ?? null, q.agent ?? null];
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
    const bounds = (
      await c.query<{ from: string; to: string }>(`select to_char($1::timestamptz, ${ISO}) as "from", to_char($2::timestamptz, ${ISO}) as "to"`, [q.from, q.to])
    ).rows[0]!;
    const s = await summary(c, p);
    return {
      period: { ...bounds, timeZone: q.timeZone },
      filters: { channelId: q.channel ?? null, agentId: q.agent ?? null },
      figures: {
        opened: explained(s.opened, EXPLAIN.opened),
        reopened: explained(s.reopened, EXPLAIN.reopened),
        resolved: explained(s.resolved, EXPLAIN.resolved),
        firstResponse: explained(s.first, EXPLAIN.firstResponse),
        nextResponse: explained(s.next, EXPLAIN.nextResponse),
        resolution: explained(s.resolution, EXPLAIN.resolution),
        messagesIn: { value: s.volume.inbound, explanation: EXPLAIN.messagesIn },
        messagesOut: { value: s.volume.outbound, explanation: EXPLAIN.messagesOut },
      },
      agents: { explanation: EXPLAIN.agents, rows: await agents(c, p) },
      daily: { explanation: EXPLAIN.daily, rows: await daily(c, p) },
      heatmap: { explanation: EXPLAIN.heatmap, rows: await heatmap(c, p) },
    };
  });
}
