import type { AgentConversationView, AgentProfile, MessageView, ReadStateView } from './models';

/**
 * REST payloads of the Switchboard server (`/api/...`), shared by server and extension.
 */

/** `GET /api/sync?cursor=…`: everything that changed after `cursor`, in the caller's organisation. */
export interface SyncResponse {
  /** Opaque; pass it back to get what changed after this answer. */
  cursor: string;
  /** True when no cursor was given: `conversations` is then the newest page, not a delta. */
  full: boolean;
  conversations: AgentConversationView[];
  messages: MessageView[];
  /** True when more messages changed than one answer carries; the client refetches threads on open. */
  messagesTruncated: boolean;
}

/** `GET /api/conversations/:id/messages?before=…&limit=…` */
export interface MessagesPage {
  messages: MessageView[];
  hasMore: boolean;
}

/** `POST /api/conversations/:id/read` */
export interface MarkReadResponse {
  readState: ReadStateView;
}

/**
 * `POST /api/conversations` with `{ phone }` (E.164): the conversation with that number, created
 * on the organisation's first channel if there was none (201) or the existing one (200). Its read
 * state is fresh: the caller merges it by counters like any other copy.
 */
export interface StartConversationResponse {
  conversation: AgentConversationView;
}

/** `GET /api/me` */
export type MeResponse = AgentProfile;

/** Error body of every 4xx/5xx answer. */
export interface ApiError {
  error: string;
  message: string;
}
