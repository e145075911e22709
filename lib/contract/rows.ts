import { mediaView, type ConversationView, type LocationView, type MessageDirection, type MessageStatus, type MessageView, type ReadStateView } from './models';

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
    direction: (['outbound', 'note'].includes(String(r.direction)) ? r.direction : 'inbound') as MessageDirection,
    body: String(r.body ?? ''),
    media: mediaView(String(r.direction), r.media),
    status: String(r.status) as MessageStatus,
    twilioSid: str(r.twilio_sid),
    errorCode: r.error_code === null || r.error_code === undefined ? null : Number(r.error_code),
    errorMessage: str(r.error_message),
    sentBy: str(r.sent_by),
    location: r.location && typeof r.location === 'object' ? (r.location as LocationView) : null,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
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
    version: Number(r.version ?? 0),
  };
}

export function readStateFromRow(r: Row): ReadStateView {
  return { conversationId: String(r.conversation_id), lastReadAt: iso(r.last_read_at)!, readInboundCount: Number(r.read_inbound_count ?? 0) };
}
