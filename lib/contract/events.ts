import type { ConversationView, MessageView, ReadStateView } from './models';

/**
 * The Socket.IO event contract, typed once for the server and the extension.
 * Rooms: `org:<organisationId>` (every agent of an organisation), `agent:<agentId>` (one agent's sockets).
 */

export interface MessageNewPayload {
  message: MessageView;
  conversation: ConversationView;
}

export interface ServerToClientEvents {
  /** A message was stored (inbound from Twilio, or an agent's reply). */
  'message:new': (payload: MessageNewPayload) => void;
  /** The agent read a conversation on one of its devices. Sent to `agent:<id>` only. */
  'conversation:read': (payload: ReadStateView) => void;
}

export interface ClientToServerEvents {
  /** A refreshed access token for this socket (same agent); the socket then lives until its expiry. */
  'auth:refresh': (payload: { token: string }, ack: (res: Ack<{ expiresAt: number }>) => void) => void;
}

/** Acknowledgement shape for client events that expect one. */
export type Ack<T> = { data: T } | { error: string };

/** Data the server keeps on each authenticated socket. */
export interface SocketData {
  agentId: string;
  organisationId: string;
}
