/**
 * Shapes of the data that crosses the wire between the server and the extension.
 * Both sides import these: the server builds them from rows, the extension stores and renders them.
 */
import type { RoutingRule, SlaKind } from './routing';

/**
 * `note`: an agent's private note in the thread, never sent to the customer. `activity`: a line of
 * the thread's history (resolved, snoozed, reopened, assigned), written by the database itself.
 */
export type MessageDirection = 'inbound' | 'outbound' | 'note' | 'activity';
export const MESSAGE_DIRECTIONS: readonly MessageDirection[] = ['inbound', 'outbound', 'note', 'activity'];

/** Where a conversation stands: needs work, set aside until a time, or done. */
export const CONVERSATION_STATUSES = ['open', 'snoozed', 'resolved'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

/**
 * Why a conversation has its status: an agent set it, an agent's reply reopened it, the customer
 * wrote again, or its snooze ended.
 */
export type StatusReason = 'agent' | 'replied' | 'customer_wrote' | 'snooze_ended';

/** What an activity line records. `by` is the message's `sentBy` (null: nobody, e.g. the customer or time). */
export type ActivityView =
  | { kind: 'status'; status: ConversationStatus; reason: StatusReason | null; until: string | null }
  | { kind: 'assigned'; to: string | null; from: string | null; /** Set on an automatic assignment: the rule that made it. */ rule?: RoutingRule };

/** Twilio's message states, in the order a message moves through them. */
export const MESSAGE_STATUSES = ['accepted', 'queued', 'sending', 'sent', 'received', 'delivered', 'read', 'undelivered', 'failed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * A file in a message, as clients see it. `url` is set only on a file an agent sent by public URL
 * (what the customer received). Every other file (a customer's, or one an agent uploaded) carries
 * no URL: it is fetched through the server's media route by message id and index, and neither
 * Twilio's URLs nor storage keys reach a client. `name` and `size` are known for uploads.
 */
export interface MediaItem {
  contentType: string;
  url?: string;
  name?: string;
  size?: number;
  /** An agent's uploaded file (its id; a retry sends it again). */
  uploadId?: string;
}

/**
 * Raster images the side panel shows inline. Every other file (SVG and HTML included) is only
 * ever downloaded, never rendered in the extension's origin.
 */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** A media item as stored: inbound items keep Twilio's media sid (`ME…`), uploads their upload id; never a storage URL. */
export interface StoredMediaItem {
  contentType: string;
  url?: string;
  sid?: string | null;
  uploadId?: string;
  name?: string;
  size?: number;
}

/** The client's view of stored media items (drops what only the server uses). */
export function mediaView(direction: string, items: unknown): MediaItem[] {
  if (!Array.isArray(items)) return [];
  return items.map((raw) => {
    const m = raw as StoredMediaItem;
    const contentType = typeof m.contentType === 'string' ? m.contentType : 'application/octet-stream';
    if (direction === 'outbound' && typeof m.url === 'string') return { contentType, url: m.url };
    if (direction === 'outbound' && typeof m.uploadId === 'string') {
      return { contentType, uploadId: m.uploadId, ...(m.name ? { name: m.name } : {}), ...(typeof m.size === 'number' ? { size: m.size } : {}) };
    }
    return { contentType };
  });
}

/** A place the customer shared on WhatsApp. */
export interface LocationView {
  latitude: number;
  longitude: number;
  address: string | null;
  label: string | null;
}

/**
 * The message a customer's reply quotes. `messageId` is null when Switchboard does not have it (it
 * was sent before, or elsewhere); `body` is its text then.
 */
export interface QuoteView {
  sid: string;
  messageId: string | null;
  direction: MessageDirection | null;
  body: string | null;
  /** The quoted message's first file's type, when it had one. */
  contentType: string | null;
}

/** A customer's tap on a template's quick-reply button, or their choice in a list picker. */
export interface InteractiveView {
  kind: 'button' | 'list';
  /** What the customer saw and tapped. */
  text: string;
  /** What the template gave that button (or the list item's id). */
  payload: string | null;
}

export interface MessageView {
  id: string;
  conversationId: string;
  direction: MessageDirection;
  body: string;
  media: MediaItem[];
  status: MessageStatus;
  twilioSid: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  /** The agent who wrote an outbound reply or a note. */
  sentBy: string | null;
  location: LocationView | null;
  /** Set on an `activity` line only. */
  activity: ActivityView | null;
  /** The message this one quotes (a customer's swipe-to-reply, or the template a button belongs to). */
  quote: QuoteView | null;
  interactive: InteractiveView | null;
  createdAt: string;
  updatedAt: string;
  /** Delivery scope of its conversation when the message was last written (lib/contract/scope.ts). */
  scopeKey?: string;
}

export interface ContactView {
  id: string;
  phone: string;
  profileName: string | null;
}

/** A conversation as the organisation sees it (the same for every agent). */
export interface ConversationView {
  id: string;
  channelId: string;
  contact: ContactView;
  assigneeId: string | null;
  lastMessageAt: string | null;
  lastMessagePreview: string | null;
  lastInboundAt: string | null;
  /** Inbound messages so far; only grows. */
  inboundCount: number;
  status: ConversationStatus;
  /** When a snoozed conversation reopens by itself. */
  snoozedUntil: string | null;
  statusReason: StatusReason | null;
  statusChangedAt: string | null;
  /** Bumped on every change of the row; lets a client keep the newest copy. */
  version: number;
  /** The customer opted out of this channel (sent STOP): nothing may be sent until they opt back in. */
  optedOutAt: string | null;
  /** The agent of the latest reply (the last message is that reply while `lastMessageAt` is after `lastInboundAt`). */
  lastReplyBy: string | null;
  /** Routing: the conversation's next SLA due time and what is due then (null: nothing is due). */
  slaDueAt?: string | null;
  slaDueKind?: SlaKind | null;
  /** Delivery scope (lib/contract/scope.ts): whose client receives it live. */
  scopeKey?: string;
  /** The scope this row's last change took it out of (null when that change moved nothing). */
  leftScopeKey?: string | null;
}

/** A conversation as one agent sees it: with that agent's read state and unread count. */
export interface AgentConversationView extends ConversationView {
  lastReadAt: string | null;
  /** Inbound messages this agent has read (lowered by "mark unread"). */
  readInboundCount: number;
  /** Orders copies of the read state: the higher one is the newer (0: never read). */
  readVersion: number;
  /** `inboundCount - readInboundCount`. */
  unreadCount: number;
}

export interface ReadStateView {
  conversationId: string;
  lastReadAt: string;
  readInboundCount: number;
  /** Bumped on every change; a copy with a higher version replaces one with a lower. */
  version: number;
}

/** A colleague, as assignment and notes name them. */
export interface AgentSummary {
  id: string;
  displayName: string;
}

/**
 * What an agent may do in its organisation: admins also manage the team (invites, roles, canned
 * replies); leads also see reports (docs/reports.md) but administer nothing.
 */
export type AgentRole = 'admin' | 'lead' | 'agent';

export interface AgentProfile {
  id: string;
  organisationId: string;
  displayName: string;
  email: string | null;
  role: AgentRole;
}
