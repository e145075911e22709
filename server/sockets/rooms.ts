import type { Server, Socket } from 'socket.io';
import type { AgentPresence, ClientToServerEvents, ServerToClientEvents, SocketData, StoredMessageId, ViewingPayload } from '../../lib/contract/events';

/** Between server instances (through the Redis adapter): what each told its agents about presence. */
export interface InterServerEvents {
  'presence:announced': (organisationId: string, presence: AgentPresence) => void;
  'viewing:announced': (organisationId: string, viewing: ViewingPayload) => void;
  /** The organisation's teams or members changed: each instance moves its sockets to their scopes (./scope.ts). */
  'scope:changed': (organisationId: string) => void;
  /** A message was stored for these rooms: each instance tells its sockets with Realtime (./stored-ids.ts). */
  'messages:stored': (rooms: string[], stored: StoredMessageId) => void;
}

/** The Socket.IO server with Switchboard's events (lib/contract/events.ts). */
export type SwitchboardIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
/** One agent's socket on the server. */
export type SwitchboardSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** The rooms a socket joins: its organisation's and its agent's own. */
export const orgRoom = (organisationId: string) => `org:${organisationId}`;
export const agentRoom = (agentId: string) => `agent:${agentId}`;
/**
 * How a socket's client receives new messages' rows (docs/delivery-scope.md, "One copy per
 * message"): every socket is in one of the two, `rows:socket` from its handshake, `rows:realtime`
 * while its client says its Realtime channel is subscribed (`inbox:rows`). A broadcast sends the
 * rows to the first and an id to the second, each to the conversation's rooms except the other.
 */
export const ROWS_BY_SOCKET = 'rows:socket';
export const ROWS_BY_REALTIME = 'rows:realtime';
