import { conversationFromRow, messageFromRow } from '../../lib/contract/rows';
import {
  type AgentConversationView,
  type ConversationView,
  type LocationView,
  type MediaItem,
  type MessageDirection,
  type MessageStatus,
  type MessageView,
  type StoredMediaItem,
} from '../../lib/contract/models';

/** Row shapes as selected by the inbox queries; their mapping to views is lib/contract/rows.ts. */
export interface MessageRow {
  id: string;
  conversation_id: string;
  direction: MessageDirection;
  body: string;
  media: StoredMediaItem[];
  status: MessageStatus;
  twilio_sid: string | null;
  error_code: number | null;
  error_message: string | null;
  sent_by: string | null;
  location: LocationView | null;
  activity: Record<string, unknown> | null;
  quote: Record<string, unknown> | null;
  interactive: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
}

export interface ConversationRow {
  id: string;
  channel_id: string;
  contact_id: string;
  phone_e164: string;
  profile_name: string | null;
  assignee_id: string | null;
  last_message_at: Date | null;
  last_message_preview: string | null;
  last_inbound_at: Date | null;
  inbound_count: string | number;
  status: string;
  snoozed_until: Date | null;
  status_reason: string | null;
  status_changed_at: Date | null;
  version: string | number;
  opted_out_at: Date | null;
  last_reply_by: string | null;
}

export interface AgentConversationRow extends ConversationRow {
  last_read_at: Date | null;
  read_inbound_count: string | number | null;
  read_version: string | number | null;
}

/** Columns to select for a ConversationRow from `conversations c join contacts ct`. */
export const CONVERSATION_COLUMNS = `c.id, c.channel_id, c.contact_id, ct.phone_e164, ct.profile_name, c.assignee_id,
  c.last_message_at, c.last_message_preview, c.last_inbound_at, c.inbound_count, c.status, c.snoozed_until, c.status_reason,
  c.status_changed_at, c.version, c.opted_out_at, c.last_reply_by, c.sla_due_at, c.sla_due_kind, c.scope_key, c.left_scope_key`;

/** Columns to select for an AgentConversationRow's read state from `read_states rs`. */
export const READ_STATE_COLUMNS = 'rs.last_read_at, rs.read_inbound_count, rs.version as read_version';

export const MESSAGE_COLUMNS = `id, conversation_id, direction, body, media, status, twilio_sid, error_code, error_message, sent_by, location, activity, quote, interactive, created_at, updated_at, scope_key`;

/** A message row as clients see it (the one mapping, shared with Realtime's rows). */
export const messageView = (r: MessageRow): MessageView => messageFromRow(r as unknown as Record<string, unknown>);

/** A conversation row joined with its contact, as clients see it. */
export function conversationView(r: ConversationRow): ConversationView {
  return conversationFromRow(r as unknown as Record<string, unknown>, { id: String(r.contact_id), phone: r.phone_e164, profileName: r.profile_name });
}

export function agentConversationView(r: AgentConversationRow): AgentConversationView {
  const view = conversationView(r);
  const readInboundCount = Number(r.read_inbound_count ?? 0);
  return {
    ...view,
    lastReadAt: r.last_read_at ? r.last_read_at.toISOString() : null,
    readInboundCount,
    readVersion: Number(r.read_version ?? 0),
    unreadCount: Math.max(0, view.inboundCount - readInboundCount),
  };
}

/** The one-line preview shown in conversation lists. */
export function previewOf(body: string, media: Array<Pick<MediaItem, 'contentType'>>, location: LocationView | null = null): string {
  const text = body.replace(/\s+/g, ' ').trim();
  if (text) return text.length > 140 ? `${text.slice(0, 139)}…` : text;
  if (location) return `📍 ${location.label ?? location.address ?? 'Location'}`.slice(0, 140);
  if (media.length === 0) return '';
  return media[0]!.contentType.startsWith('image/') ? '📷 Photo' : '📎 Attachment';
}
