import {
  mediaView,
  MESSAGE_DIRECTIONS,
  type ActivityView,
  type InteractiveView,
  type QuoteView,
  type ConversationStatus,
  type ConversationView,
  type LocationView,
  type MessageDirection,
  type MessageStatus,
  type MessageView,
  type ReadStateView,
  type StatusReason,
} from './models';
import type { RoutingRule, SlaKind } from './routing';

/**
 * Database rows to the views clients hold, in one place for every path: the server's queries
 * (node-postgres rows, timestamps as Date), its stored-procedure results and Supabase Realtime's
 * `postgres_changes` (JSON, timestamps as strings). One mapping, so every copy of a row merges.
 */
type Row = Record<string, unknown>;

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : (v instanceof Date ? v : new Date(String(v))).toISOString());
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function messageFromRow(r: Row): MessageView {
  return {
    id: String(r.id),
    conversationId: String(r.conversation_id),
    direction: (MESSAGE_DIRECTIONS.includes(r.direction as MessageDirection) ? r.direction : 'inbound') as MessageDirection,
    body: String(r.body ?? ''),
    media: mediaView(String(r.direction), r.media),
    status: String(r.status) as MessageStatus,
    twilioSid: str(r.twilio_sid),
    errorCode: r.error_code === null || r.error_code === undefined ? null : Number(r.error_code),
    errorMessage: str(r.error_message),
    sentBy: str(r.sent_by),
    location: r.location && typeof r.location === 'object' ? (r.location as LocationView) : null,
    activity: r.activity && typeof r.activity === 'object' ? activityView(r.activity as Row) : null,
    quote: r.quote && typeof r.quote === 'object' ? quoteView(r.quote as Row) : null,
    interactive: r.interactive && typeof r.interactive === 'object' ? interactiveView(r.interactive as Row) : null,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    ...(typeof r.scope_key === 'string' ? { scopeKey: r.scope_key } : {}),
  };
}

/** A conversation row; the contact is not in it, so it comes from the copy the inbox already has. */
export function conversationFromRow(r: Row, contact: ConversationView['contact']): ConversationView {
  return {
    id: String(r.id),
    channelId: String(r.channel_id),
    contact,
    assigneeId: str(r.assignee_id),
    lastMessageAt: iso(r.last_message_at),
    lastMessagePreview: str(r.last_message_preview),
    lastInboundAt: iso(r.last_inbound_at),
    inboundCount: Number(r.inbound_count ?? 0),
    status: (r.status ?? 'open') as ConversationStatus,
    snoozedUntil: iso(r.snoozed_until),
    statusReason: (r.status_reason ?? null) as StatusReason | null,
    statusChangedAt: iso(r.status_changed_at),
    version: Number(r.version ?? 0),
    optedOutAt: iso(r.opted_out_at),
    lastReplyBy: str(r.last_reply_by),
    // Routing (docs/routing.md): the next SLA due time, on rows that have the columns.
    ...(r.sla_due_at !== undefined ? { slaDueAt: iso(r.sla_due_at), slaDueKind: (r.sla_due_kind ?? null) as SlaKind | null } : {}),
    // Delivery scope (docs/delivery-scope.md), on rows that have the columns.
    ...(typeof r.scope_key === 'string' ? { scopeKey: r.scope_key, leftScopeKey: str(r.left_scope_key) } : {}),
  };
}

export function readStateFromRow(r: Row): ReadStateView {
  return {
    conversationId: String(r.conversation_id),
    lastReadAt: iso(r.last_read_at)!,
    readInboundCount: Number(r.read_inbound_count ?? 0),
    version: Number(r.version ?? 1),
  };
}

function quoteView(q: Row): QuoteView {
  return {
    sid: String(q.sid),
    messageId: str(q.messageId),
    direction: MESSAGE_DIRECTIONS.includes(q.direction as MessageDirection) ? (q.direction as MessageDirection) : null,
    body: str(q.body),
    contentType: str(q.contentType),
  };
}

function interactiveView(i: Row): InteractiveView {
  return { kind: i.kind === 'list' ? 'list' : 'button', text: String(i.text ?? ''), payload: str(i.payload) };
}

/** An activity line's record (the database writes it: docs/conversation-status.md). */
function activityView(a: Row): ActivityView {
  if (a.kind === 'assigned') return { kind: 'assigned', to: str(a.to), from: str(a.from), ...(a.rule ? { rule: String(a.rule) as RoutingRule } : {}) };
  return { kind: 'status', status: (a.status ?? 'open') as ConversationStatus, reason: (a.reason ?? null) as StatusReason | null, until: iso(a.until) };
}
