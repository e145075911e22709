import type { Server } from 'socket.io';
import type { AgentPresence, ClientToServerEvents, ServerToClientEvents, SocketData, ViewingPayload } from '../../lib/contract/events';

/** Between server instances (through the Redis adapter): what each told its agents about presence. */
export interface InterServerEvents {
  'presence:announced': (organisationId: string, presence: AgentPresence) => void;
  'viewing:announced': (organisationId: string, viewing: ViewingPayload) => void;
  /** The organisation's teams or members changed: each instance moves its sockets to their scopes (./scope.ts). */
  'scope:changed': (organisationId: string) => void;
}

/** The Socket.IO server with Switchboard's events (lib/contract/events.ts). */
export type SwitchboardIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** The rooms a socket joins: its organisation's and its agent's own. */
export const orgRoom = (organisationId: string) => `org:${organisationId}`;
export const agentRoom = (agentId: string) => `agent:${agentId}`;
