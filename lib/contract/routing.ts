/**
 * Routing's shapes (issue 33, docs/routing.md), shared by the server and the extension: teams and
 * their policy, business hours, SLA policies, each agent's availability and load, and the events
 * that carry them live.
 */

export const ASSIGNMENT_POLICIES = ['off', 'round_robin', 'least_busy'] as const;
export type AssignmentPolicy = (typeof ASSIGNMENT_POLICIES)[number];

export const AVAILABILITIES = ['available', 'busy', 'away'] as const;
/** What the agent says of themselves; only `available` (and connected) agents receive conversations. */
export type Availability = (typeof AVAILABILITIES)[number];

export const SLA_KINDS = ['first_response', 'next_response', 'resolution'] as const;
export type SlaKind = (typeof SLA_KINDS)[number];

/** Which rule made an automatic assignment (its activity line says so: "Assigned to Bob by round robin"). */
export type RoutingRule = 'round_robin' | 'least_busy' | 'previous_assignee' | 'hand_back';

export interface OpenIntervalView {
  /** ISO weekday, 1 = Monday. */
  weekday: number;
  /** Minutes from local midnight. */
  opensMinute: number;
  /** Minutes from local midnight, 1440 = midnight at the end of the day. */
  closesMinute: number;
}

export interface BusinessHoursView {
  /** Off: open around the clock. */
  enabled: boolean;
  /** IANA time zone the hours are in. */
  timeZone: string;
  intervals: OpenIntervalView[];
  holidays: Array<{ day: string; name: string }>;
  /** Sent once per conversation per closed period, inside WhatsApp's 24-hour window. */
  autoReply: string | null;
}

export interface SlaPolicyView {
  firstResponseMinutes: number | null;
  nextResponseMinutes: number | null;
  resolutionMinutes: number | null;
  /** The assignee is warned this many minutes before a due time (0: not warned). */
  warnBeforeMinutes: number;
  /** Admins are told of breaches too. */
  notifyAdmins: boolean;
}

export interface TeamMemberView {
  agentId: string;
  /** Overrides the team's default capacity for this agent (null: the default). */
  capacity: number | null;
}

export interface TeamView {
  id: string;
  name: string;
  assignment: AssignmentPolicy;
  defaultCapacity: number;
  /** An agent away this long gives their open conversations back to the team (null: never). */
  handBackAfterMinutes: number | null;
  members: TeamMemberView[];
  /** The channels (WhatsApp numbers) this team answers. */
  channelIds: string[];
  hours: BusinessHoursView;
  sla: SlaPolicyView | null;
  /** Conversations waiting for an agent of this team now. */
  queued: number;
}

/** An agent as routing sees them: shown beside their name in the side panel and the admin view. */
export interface AgentRoutingView {
  agentId: string;
  availability: Availability;
  /** A browser of theirs is connected and not idle. */
  connected: boolean;
  /** Open conversations assigned to them. */
  openLoad: number;
}

/** `GET /api/routing`: the organisation's teams and every agent's routing state. */
export interface RoutingOverview {
  teams: TeamView[];
  agents: AgentRoutingView[];
}

/** A manual assignment taken above the assignee's capacity is made, with this warning. */
export interface CapacityWarning {
  code: 'over_capacity';
  message: string;
  openLoad: number;
  capacity: number;
}

/** `sla:warning` / `sla:breached`: a conversation's due time is near, or passed. */
export interface SlaAlertPayload {
  conversationId: string;
  kind: SlaKind;
  dueAt: string;
  assigneeId: string | null;
}
