/**
 * What `GET /api/reports` answers (docs/reports.md): figures of a period, each with the one line
 * that says how it is computed, and the tables its CSV downloads carry. Times are ISO 8601 with the
 * requested time zone's offset at that moment; durations are seconds.
 */

/** The longest period a report covers (days); here, apart from the schemas, so pages need no zod to know it. */
export const REPORT_MAX_DAYS = 400;

/** The report's tables that download as CSV (`GET /api/reports/csv?table=…`). */
export const REPORT_TABLES = ['summary', 'daily', 'heatmap', 'agents', 'sla'] as const;
export type ReportTableName = (typeof REPORT_TABLES)[number];

/** Events beside the unique conversations and unique customers they concern. */
export interface ReportCount {
  events: number;
  conversations: number;
  customers: number;
  explanation: string;
}

/** A duration's median and 90th percentile (`percentile_cont`), over `count` durations; null when there are none. */
export interface ReportDuration {
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
  /** The same durations counted in the business hours of the channel's team at the time (docs/reports.md, "Business hours"). */
  businessHours: ReportPercentiles;
  explanation: string;
}

/** Median and 90th percentile over `count` durations, in seconds; null when there are none. */
export interface ReportPercentiles {
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface ReportTotal {
  value: number;
  explanation: string;
}

export interface ReportFigures {
  opened: ReportCount;
  reopened: ReportCount;
  resolved: ReportCount;
  firstResponse: ReportDuration;
  nextResponse: ReportDuration;
  resolution: ReportDuration;
  messagesIn: ReportTotal;
  messagesOut: ReportTotal;
}

/** One agent over the period. */
export interface ReportAgentRow {
  agentId: string;
  displayName: string;
  replies: number;
  conversations: number;
  responses: number;
  firstResponses: number;
  firstResponseMedianSeconds: number | null;
  resolved: number;
  /** Seconds connected and set Available in the period: the time routing could give them work (docs/reports.md, "Time available"). */
  availableSeconds: number;
  /** Seconds connected and set Busy, and Away. */
  busySeconds: number;
  awaySeconds: number;
}

/** One local day of the requested time zone (23 or 25 hours on a daylight saving change). */
export interface ReportDayRow {
  /** `YYYY-MM-DD` in the time zone. */
  day: string;
  /** The day's part of the period: [from, to). */
  from: string;
  to: string;
  opened: number;
  reopened: number;
  resolved: number;
  messagesIn: number;
  messagesOut: number;
  firstResponses: number;
  firstResponseMedianSeconds: number | null;
}

/** Messages in one local hour of one day of the week, summed over the period. */
export interface ReportHeatCell {
  /** ISO: 1 Monday … 7 Sunday. */
  dayOfWeek: number;
  /** 0 … 23, local. */
  hour: number;
  messagesIn: number;
  messagesOut: number;
}

export interface ReportTable<Row> {
  rows: Row[];
  explanation: string;
}

export interface ReportResponse {
  period: { from: string; to: string; timeZone: string };
  filters: { channelId: string | null; agentId: string | null; teamId: string | null };
  figures: ReportFigures;
  agents: ReportTable<ReportAgentRow>;
  daily: ReportTable<ReportDayRow>;
  heatmap: ReportTable<ReportHeatCell>;
  sla: ReportSla;
}

/** Clocks of one SLA kind that ended in the period (met: stopped by their due time) or were past due and running at its end (missed). */
export interface ReportSlaCount {
  met: number;
  missed: number;
  /** met / (met + missed) × 100, to one decimal; null when no clock counts. */
  metPercent: number | null;
}

export interface ReportSlaKinds {
  firstResponse: ReportSlaCount;
  nextResponse: ReportSlaCount;
  resolution: ReportSlaCount;
}

/** SLA met % (docs/reports.md, "SLA"): the organisation's, per team (the clock's) and per agent (null: no assignee). */
export interface ReportSla {
  explanation: string;
  overall: ReportSlaKinds;
  teams: Array<{ teamId: string; name: string } & ReportSlaKinds>;
  agents: Array<{ agentId: string | null; displayName: string | null } & ReportSlaKinds>;
}

/** `GET /api/reports/channels`: the organisation's channels, for a report's channel filter (admins and leads). */
export interface ReportChannelsResponse {
  channels: Array<{ id: string; name: string }>;
}

/** An agent on the floor (`GET /api/floor`): their own availability, connection, and open load against capacity. */
export interface FloorAgent {
  agentId: string;
  name: string;
  availability: 'available' | 'busy' | 'away';
  /** A browser of theirs is connected and not idle (routing's presence). */
  connected: boolean;
  /** Open conversations assigned to them (in any team). */
  openLoad: number;
  /** The member's capacity in this team, or the team's default; null outside teams. */
  capacity: number | null;
}

/** One team's floor now; `teamId` null is "No team" (channels without a team, agents in none). */
export interface FloorTeam {
  teamId: string | null;
  name: string | null;
  open: number;
  /** Open conversations without an assignee. */
  unassigned: number;
  /** Conversations waiting in the team's routing queue. */
  queued: number;
  snoozed: number;
  /** The oldest unanswered customer message of an open conversation (ISO), and how long ago it was at `at`. */
  longestWaitSince: string | null;
  longestWaitSeconds: number | null;
  /** Running SLA clocks past their due time, and due within the next 15 minutes. */
  slaBreached: number;
  slaDueSoon: number;
  agents: FloorAgent[];
}

/** `GET /api/floor` (docs/reports.md, "Floor"): the organisation's floor at the moment `at`. */
export interface FloorResponse {
  at: string;
  teams: FloorTeam[];
}
