import type { CountsResponse } from './api';
import type { ConversationView, MessageView, ReadStateView } from './models';
import type { AgentRoutingView, SlaAlertPayload } from './routing';

/** What of the organisation changed, in `team:changed` (`channels` and `unrouted` concern admins only). */
/** The most conversations one socket may watch for typing and viewing. */
export const WATCH_MAX = 500;

export type TeamArea = 'agents' | 'invites' | 'canned-replies' | 'channels' | 'unrouted' | 'crm' | 'routing';

/**
 * The Socket.IO event contract, typed once for the server and the extension.
 * Rooms: `org:<organisationId>` (every agent of an organisation), `agent:<agentId>` (one agent's sockets).
 */

export interface MessageNewPayload {
  message: MessageView;
  conversation: ConversationView;
}

/** A stored message, by id (`messages:stored`). */
export interface StoredMessageId {
  id: string;
  conversationId: string;
}

export interface ConversationUpdatedPayload {
  conversation: ConversationView;
  activity: MessageView[];
}

export type PresenceState = 'online' | 'away' | 'offline';

export interface AgentPresence {
  agentId: string;
  displayName: string;
  state: PresenceState;
}

export interface TypingPayload {
  conversationId: string;
  agentId: string;
  displayName: string;
  typing: boolean;
}

export interface ViewingPayload {
  conversationId: string;
  /** Agents who have the conversation open now. */
  agents: Array<{ agentId: string; displayName: string }>;
}

export interface ServerToClientEvents {
  /** Every agent's presence in the organisation (online or away; the others are offline), sent once to each new socket. */
  'presence:state': (agents: AgentPresence[]) => void;
  /**
   * Agents whose presence changed, gathered over a short interval (one event per interval per
   * organisation, whatever the number of changes). Volatile: a missed one is healed by the next
   * `presence:state` on reconnect.
   */
  'presence:changes': (agents: AgentPresence[]) => void;
  /** A colleague started or stopped typing in a conversation (the server expires it 3 s after the last start). */
  'typing:update': (payload: TypingPayload) => void;
  /** Who has a conversation open (for collision warnings); sent to the organisation on every change. */
  'viewing:update': (payload: ViewingPayload) => void;
  /** A message was stored (inbound from Twilio, or an agent's reply). */
  'message:new': (payload: MessageNewPayload) => void;
  /**
   * Messages stored in the last second, to a socket whose client receives the rows over Realtime
   * (it said `inbox:rows`): their ids only, gathered (at most one event a second), instead of a
   * `message:new` each (docs/delivery-scope.md, "One copy per message"). A client that has not had
   * one of them from Realtime shortly after catches up.
   */
  'messages:stored': (payload: { messages: StoredMessageId[] }) => void;
  /** A message's delivery status moved forward (sent, delivered, read, failed…). */
  'message:status': (payload: { message: MessageView }) => void;
  /**
   * A conversation changed outside a message: assigned, resolved, snoozed, reopened (by an agent,
   * a reply, or the end of a snooze). `activity`: the lines the change wrote in its thread.
   */
  'conversation:updated': (payload: ConversationUpdatedPayload) => void;
  /**
   * The organisation's conversation counts changed (docs/delivery-scope.md, "Counts"): all of them,
   * as `GET /api/counts` answers, to the whole organisation, at most once a second. They replace
   * the last ones.
   */
  'counts:update': (payload: CountsResponse) => void;
  /** The agent read a conversation on one of its devices. Sent to `agent:<id>` only. */
  'conversation:read': (payload: ReadStateView) => void;
  /**
   * The team changed (an agent invited, joined, given another role or removed; canned replies
   * edited; a channel set up; a message waiting for a number not set up yet): clients read again
   * what they show of it. No data: each reads what it may.
   */
  'team:changed': (payload: { area: TeamArea }) => void;
  /**
   * The agent was removed from its organisation or moved to another: the socket is cut right
   * after this. The client drops what it holds of that organisation before it connects again.
   */
  'session:revoked': (payload: { reason: 'removed' | 'moved' }) => void;
  // Routing (docs/routing.md). Teams, policies, hours and SLA policies changing is `team:changed` { area: 'routing' }.
  /** An agent's availability, connection or open load changed (to the organisation). */
  'routing:agent': (payload: AgentRoutingView) => void;
  /** A conversation's SLA due time is near (to its assignee, and admins if the policy says so). */
  'sla:warning': (payload: SlaAlertPayload) => void;
  /** A conversation's SLA due time passed: sent once per breach (to its assignee, and admins if the policy says so). */
  'sla:breached': (payload: SlaAlertPayload) => void;
}

export interface ClientToServerEvents {
  /** The agent opened a conversation: join its room (checked on the server) and count as viewing. */
  'conversation:join': (payload: { conversationId: string }, ack: (res: Ack<{ viewing: ViewingPayload }>) => void) => void;
  'conversation:leave': (payload: { conversationId: string }) => void;
  /**
   * The conversations this socket shows besides the open one (rows of the list on screen, badges
   * on CRM pages): it then hears who types in or views those, and no others. Replaces the previous
   * set; another organisation's ids are ignored. At most WATCH_MAX.
   */
  'conversations:watch': (payload: { conversationIds: string[] }, ack?: (res: Ack<{ watching: number }>) => void) => void;
  /**
   * The agent shows more than its own scope (the side panel's All view, another team's list) or no
   * longer does: while `whole`, this socket receives every conversation of the organisation
   * (docs/delivery-scope.md). Sent again after every reconnect.
   */
  'inbox:whole': (payload: { whole: boolean }) => void;
  /**
   * Whether this socket's client receives the rows over Realtime now (its channel is subscribed):
   * while `realtime`, new messages come to it as ids (`messages:stored`, a second's in one) instead of
   * `message:new` (the rows). Sent again after every reconnect; a socket starts without it.
   */
  'inbox:rows': (payload: { realtime: boolean }) => void;
  /** Sent at most every 1.5 s while the agent types a reply. */
  'typing:start': (payload: { conversationId: string }) => void;
  'typing:stop': (payload: { conversationId: string }) => void;
  /** The browser went idle (away) or came back (online). */
  'presence:set': (payload: { state: 'online' | 'away' }) => void;
  /**
   * The client's heartbeat (every few seconds, with a timeout): the server answers at once. A
   * frozen server or a black-holed network keeps the TCP connection open, and Socket.IO's own ping
   * notices only after 45 s; an unanswered heartbeat tells the client within seconds (issue #31).
   */
  heartbeat: (ack: (res: Ack<{ at: number }>) => void) => void;
  /** A refreshed access token for this socket (same agent); the socket then lives until its expiry. */
  'auth:refresh': (payload: { token: string }, ack: (res: Ack<{ expiresAt: number }>) => void) => void;
}

/** Acknowledgement shape for client events that expect one. */
export type Ack<T> = { data: T } | { error: string };

/** Data the server keeps on each authenticated socket. */
export interface SocketData {
  agentId: string;
  organisationId: string;
  displayName: string;
  /** The browser of this socket is idle (presence "away"). */
  away?: boolean;
}

/** How long a typing indicator lives after the last `typing:start`. */
export const TYPING_TTL_MS = 3000;
/** The client sends `typing:start` at most this often while the agent types. */
export const TYPING_THROTTLE_MS = 1500;
