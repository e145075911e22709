import { stringify } from 'csv-stringify/sync';
import type { ReportResponse, ReportSlaKinds, ReportTableName } from '../../lib/contract/reports';

const SLA_KINDS = ['firstResponse', 'nextResponse', 'resolution'] as const;

/** The SLA table, one row per scope (the organisation, each team, each agent) and kind. */
function slaRows(report: ReportResponse, period: Record<string, string>): Array<Record<string, string | number | null>> {
  const { overall, teams, agents } = report.sla;
  const scopes: Array<{ scope: string; team_id: string | null; agent_id: string | null; name: string | null; kinds: ReportSlaKinds }> = [
    { scope: 'organisation', team_id: null, agent_id: null, name: null, kinds: overall },
    ...teams.map((t) => ({ scope: 'team', team_id: t.teamId, agent_id: null, name: t.name, kinds: t })),
    ...agents.map((a) => ({ scope: 'agent', team_id: null, agent_id: a.agentId, name: a.displayName, kinds: a })),
  ];
  return scopes.flatMap(({ kinds, ...s }) =>
    SLA_KINDS.map((kind) => ({ ...period, ...s, kind, met: kinds[kind].met, missed: kinds[kind].missed, met_percent: kinds[kind].metPercent })),
  );
}

/**
 * One table of a report as CSV (docs/reports.md): UTF-8 with a byte order mark (spreadsheets then
 * read names with accents right), a header row, one row per entity and period; every row carries
 * the period (ISO with offset) and the time zone. Quoting is csv-stringify's, and so is the
 * guard against formula injection (OWASP): a text cell that a spreadsheet would read as a formula
 * (starting with = + - @, a tab or a carriage return, e.g. an agent's display name) gets a leading
 * quote; negative numbers stay numbers.
 */
export function reportCsv(report: ReportResponse, table: ReportTableName): string {
  const { from, to, timeZone } = report.period;
  const period = { from, to, time_zone: timeZone };
  const rows = ((): Array<Record<string, string | number | null>> => {
    switch (table) {
      case 'summary':
        return Object.entries(report.figures).map(([figure, f]) => ({
          ...period,
          figure,
          events: 'events' in f ? f.events : 'value' in f ? f.value : null,
          conversations: 'conversations' in f ? f.conversations : null,
          customers: 'customers' in f ? f.customers : null,
          count: 'count' in f ? f.count : null,
          median_seconds: 'medianSeconds' in f ? f.medianSeconds : null,
          p90_seconds: 'p90Seconds' in f ? f.p90Seconds : null,
          // The same durations (as many as `count`) in business hours (docs/reports.md, "CSV").
          business_median_seconds: 'businessHours' in f ? f.businessHours.medianSeconds : null,
          business_p90_seconds: 'businessHours' in f ? f.businessHours.p90Seconds : null,
          explanation: f.explanation,
        }));
      case 'daily':
        return report.daily.rows.map((d) => ({
          from: d.from,
          to: d.to,
          time_zone: timeZone,
          day: d.day,
          opened: d.opened,
          reopened: d.reopened,
          resolved: d.resolved,
          messages_in: d.messagesIn,
          messages_out: d.messagesOut,
          first_responses: d.firstResponses,
          first_response_median_seconds: d.firstResponseMedianSeconds,
        }));
      case 'heatmap':
        return report.heatmap.rows.map((h) => ({ ...period, day_of_week: h.dayOfWeek, hour: h.hour, messages_in: h.messagesIn, messages_out: h.messagesOut }));
      case 'agents':
        return report.agents.rows.map((a) => ({
          ...period,
          agent_id: a.agentId,
          agent: a.displayName,
          replies: a.replies,
          conversations: a.conversations,
          responses: a.responses,
          first_responses: a.firstResponses,
          first_response_median_seconds: a.firstResponseMedianSeconds,
          resolved: a.resolved,
          available_seconds: a.availableSeconds,
          busy_seconds: a.busySeconds,
          away_seconds: a.awaySeconds,
        }));
      case 'sla':
        return slaRows(report, period);
    }
  })();
  return stringify(rows, { header: true, bom: true, escape_formulas: true, columns: rows[0] ? Object.keys(rows[0]) : Object.keys(period) });
}
