import type { TeamArea } from '../../lib/contract/events';
import type { ConversationView, MessageView, ReadStateView } from '../../lib/contract/models';
import type { ConversationChange } from '../inbox/status';
import { agentRoom, orgRoom, type SwitchboardIo } from './rooms';

/**
 * Everything the server tells agents over Socket.IO outside a socket's own events, typed once:
 * routes, webhooks and the outbox call these instead of emitting to rooms themselves. Rooms are
 * per organisation (`org:<id>`) and per agent (`agent:<id>`), so nothing reaches another tenant.
 */
export interface Broadcast {
  /** A message was stored (inbound from Twilio, an agent's reply or note). */
  messageNew(organisationId: string, message: MessageView, conversation: ConversationView): void;
  /** A message's delivery status moved forward. */
  messageStatus(organisationId: string, message: MessageView): void;
  /** A conversation's status or assignee changed: the row as it is now, with the activity lines the change wrote. */
  conversationChanged(change: ConversationChange): void;
  /** The team changed: clients read again what they show of it. */
  teamChanged(organisationId: string, area: TeamArea): void;
  /** An admin removed the agent: its sockets, on every instance, are told and cut now. */
  agentRemoved(agentId: string): void;
  /** The agent read (or marked unread) a conversation: its other devices follow. */
  conversationRead(agentId: string, readState: ReadStateView): void;
}

export function createBroadcast(io: SwitchboardIo): Broadcast {
  return {
    messageNew: (organisationId, message, conversation) => io.to(orgRoom(organisationId)).emit('message:new', { message, conversation }),
    messageStatus: (organisationId, message) => io.to(orgRoom(organisationId)).emit('message:status', { message }),
    conversationChanged: ({ organisationId, conversation, activity }) =>
      io.to(orgRoom(organisationId)).emit('conversation:updated', { conversation, activity }),
    teamChanged: (organisationId, area) => io.to(orgRoom(organisationId)).emit('team:changed', { area }),
    agentRemoved: (agentId) => {
      io.to(agentRoom(agentId)).emit('session:revoked', { reason: 'removed' });
      io.in(agentRoom(agentId)).disconnectSockets(true);
    },
    conversationRead: (agentId, readState) => io.to(agentRoom(agentId)).emit('conversation:read', readState),
  };
}
