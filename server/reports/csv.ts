import { stringify } from 'csv-stringify/sync';
import type { ReportResponse } from '../../lib/contract/reports';

/** The tables of a report that download as CSV. */
export type ReportTableName = 'summary' | 'daily' | 'heatmap' | 'agents';

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
        }));
    }
  })();
  return stringify(rows, { header: true, bom: true, escape_formulas: true, columns: rows[0] ? Object.keys(rows[0]) : Object.keys(period) });
}
