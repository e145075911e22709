import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { FloorResponse, ReportChannelsResponse, ReportResponse } from '../../lib/contract/reports';
import { reportCsvQuery, reportQuery } from '../../lib/contract/schemas';
import { reportsAccess } from '../auth/agent';
import { guard, parseOr400 } from '../errors';
import { reportCsv } from './csv';
import { buildFloor } from './floor';
import { buildReport } from './report';

/**
 * Reports (docs/reports.md), behind the agent's authentication: admins and leads only (403
 * `reports_only` for an agent); every figure is read from the caller's organisation's facts.
 */
export function registerReportRoutes(api: FastifyInstance, deps: { db: pg.Pool }): void {
  api.get('/api/reports', { preHandler: reportsAccess }, async (req): Promise<ReportResponse> => {
    const q = parseOr400(reportQuery, req.query);
    return guard(() => buildReport(deps.db, req.agent.organisationId, q));
  });

  // The channel filter's choices: a lead administers nothing, so it has no admin overview to list them from.
  api.get('/api/reports/channels', { preHandler: reportsAccess }, async (req): Promise<ReportChannelsResponse> => {
    const { rows } = await deps.db.query<{ id: string; name: string }>('select id, name from channels where organisation_id = $1 order by name, id', [
      req.agent.organisationId,
    ]);
    return { channels: rows };
  });

  api.get('/api/reports/csv', { preHandler: reportsAccess }, async (req, reply) => {
    const { table, ...q } = parseOr400(reportCsvQuery, req.query);
    const report = await guard(() => buildReport(deps.db, req.agent.organisationId, q));
    const day = (iso: string) => iso.slice(0, 10);
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="switchboard-${table}-${day(report.period.from)}-${day(report.period.to)}.csv"`);
    return reportCsv(report, table);
  });

  // The live floor (docs/reports.md, "Floor"): the organisation's current state, read again when the page is told something changed.
  api.get('/api/floor', { preHandler: reportsAccess }, async (req): Promise<FloorResponse> => buildFloor(deps.db, req.agent.organisationId));
}
