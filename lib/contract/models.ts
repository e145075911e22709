/**
 * Shapes of the data that crosses the wire between the server and the extension.
 * Both sides import these: the server builds them from rows, the extension stores and renders them.
 */

/** `note`: an agent's private note in the thread, never sent to the customer. */
export type MessageDirection = 'inbound' | 'outbound' | 'note';

/** Twilio's message states, in the order a message moves through them. */
export const MESSAGE_STATUSES = [
  'accepted',
  'queued',
  'sending',
  'sent',
  'received',
  'delivered',
  'read',
  'undelivered',
  'failed',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * A file in a message, as clients see it. `url` is set only on a file an agent sent (the public
 * https URL the customer received). A customer's files carry no URL: they are fetched through the
 * server's media route by message id and index, and Twilio's URLs never reach a client.
 */
export interface MediaItem {
  contentType: string;
  url?: string;
}

/**
 * Raster images the side panel shows inline. Every other file (SVG and HTML included) is only
 * ever downloaded, never rendered in the extension's origin.
 */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** A media item as stored: inbound items keep Twilio's media sid (`ME…`), never a URL. */
export interface StoredMediaItem {
  contentType: string;
  url?: string;
  sid?: string | null;
}

/** The client's view of stored media items (drops what only the server uses). */
export function mediaView(direction: string, items: unknown): MediaItem[] {
  if (!Array.isArray(items)) return [];
  return items.map((raw) => {
    const m = raw as StoredMediaItem;
    const contentType = typeof m.contentType === 'string' ? m.contentType : 'application/octet-stream';
    return direction === 'outbound' && typeof m.url === 'string' ? { contentType, url: m.url } : { contentType };
  });
}

/** A place the customer shared on WhatsApp. */
export interface LocationView {
  latitude: number;
  longitude: number;
  address: string | null;
  label: string | null;
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
  createdAt: string;
  updatedAt: string;
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
  /** Bumped on every change of the row; lets a client keep the newest copy. */
  version: number;
}

/** A conversation as one agent sees it: with that agent's read state and unread count. */
export interface AgentConversationView extends ConversationView {
  lastReadAt: string | null;
  /** Inbound messages this agent has read; only grows. */
  readInboundCount: number;
  /** `inboundCount - readInboundCount`. */
  unreadCount: number;
}

export interface ReadStateView {
  conversationId: string;
  lastReadAt: string;
  readInboundCount: number;
}

/** A colleague, as assignment and notes name them. */
export interface AgentSummary {
  id: string;
  displayName: string;
}

export interface AgentProfile {
  id: string;
  organisationId: string;
  displayName: string;
  email: string | null;
}
