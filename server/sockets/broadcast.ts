import type { TeamArea } from '../../lib/contract/events';
import type { ConversationView, MessageView, ReadStateView } from '../../lib/contract/models';
import type { ConversationChange } from '../inbox/status';
import type { CountsFeed } from './counts';
import { agentRoom, orgRoom, ROWS_BY_REALTIME, ROWS_BY_SOCKET, type SwitchboardIo } from './rooms';
import { realtimeCovers, roomsOfConversation } from './scope';
import type { StoredIds } from './stored-ids';

/**
 * Everything the server tells agents over Socket.IO outside a socket's own events, typed once:
 * routes, webhooks and the outbox call these instead of emitting to rooms themselves. A
 * conversation's messages and changes go to the rooms of its delivery scope (./scope.ts): its
 * assignee's, or its queue's, and whoever has it open, shown or the whole organisation on screen.
 * Team events go to the organisation's room, the agent's own to its room; every room is of one
 * organisation, so nothing reaches another tenant. Every change of a conversation also tells
 * `counts` (./counts.ts): the organisation's counts follow within a second.
 */
export interface Broadcast {
  /** A message was stored (inbound from Twilio, an agent's reply or note). */
  messageNew(organisationId: string, message: MessageView, conversation: ConversationView): void;
  /** A message's delivery status moved forward. */
  messageStatus(organisationId: string, message: MessageView): void;
  /** A conversation's status or assignee changed: the row as it is now, with the activity lines the change wrote. */
  conversationChanged(change: ConversationChange): void;
  /** A conversation was created without a message (started from a number): only the organisation's counts change. */
  conversationCreated(organisationId: string): void;
  /** The team changed: clients read again what they show of it. */
  teamChanged(organisationId: string, area: TeamArea): void;
  /** An admin removed the agent: its sockets, on every instance, are told and cut now. */
  agentRemoved(agentId: string): void;
  /** The agent read (or marked unread) a conversation: its other devices follow. */
  conversationRead(agentId: string, readState: ReadStateView): void;
}

/** The customer's first message in the conversation (it may be new to every agent's worker). */
const firstFromCustomer = (message: MessageView, conversation: ConversationView) => message.direction === 'inbound' && conversation.inboundCount <= 1;

/**
 * `onTeams`: teams or their members may have changed (sockets move to their new scope). `counts`:
 * told of every conversation created or changed (a message may create or reopen one).
 */
export function createBroadcast(
  io: SwitchboardIo,
  onTeams: (organisationId: string) => void = () => {},
  counts: Pick<CountsFeed, 'changed'> = { changed: () => {} },
  storedIds: Pick<StoredIds, 'add'> = { add: () => {} },
): Broadcast {
  const conversationRooms = (organisationId: string, c: ConversationView) => roomsOfConversation(organisationId, c.id, [c.scopeKey, c.leftScopeKey]);
  return {
    messageNew: (organisationId, message, conversation) => {
      // One copy per message: the rows to clients without Realtime, an id to those with it. A
      // customer's first message (most often a new conversation) goes with its rows to all:
      // Realtime's row has no contact, and a worker that does not know the conversation would
      // have to ask the server for it.
      const rooms = conversationRooms(organisationId, conversation);
      if (firstFromCustomer(message, conversation)) io.to(rooms).emit('message:new', { message, conversation });
      else {
        io.to(rooms).except(ROWS_BY_REALTIME).emit('message:new', { message, conversation });
        // With Realtime, the id where its channel has the conversation too; the rows where the
        // socket only shows it (a search result, a CRM page's number beyond the channel's 100).
        const covered = rooms.filter(realtimeCovers);
        const shown = rooms.filter((r) => !realtimeCovers(r));
        if (shown.length)
          io.to(shown)
            .except([ROWS_BY_SOCKET, ...covered])
            .emit('message:new', { message, conversation });
        storedIds.add(covered, { id: message.id, conversationId: message.conversationId });
      }
      counts.changed(organisationId);
    },
    messageStatus: (organisationId, message) =>
      io.to(roomsOfConversation(organisationId, message.conversationId, [message.scopeKey])).emit('message:status', { message }),
    conversationChanged: ({ organisationId, conversation, activity }) => {
      io.to(conversationRooms(organisationId, conversation)).emit('conversation:updated', { conversation, activity });
      counts.changed(organisationId);
    },
    conversationCreated: (organisationId) => counts.changed(organisationId),
    teamChanged: (organisationId, area) => {
      io.to(orgRoom(organisationId)).emit('team:changed', { area });
      if (area === 'routing') onTeams(organisationId);
    },
    agentRemoved: (agentId) => {
      io.to(agentRoom(agentId)).emit('session:revoked', { reason: 'removed' });
      io.in(agentRoom(agentId)).disconnectSockets(true);
    },
    conversationRead: (agentId, readState) => io.to(agentRoom(agentId)).emit('conversation:read', readState),
  };
}
