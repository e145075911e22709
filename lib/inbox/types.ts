import type { ReplyContent } from '../api/client';
import type { CannedReply } from '../contract/api';
import type { AgentSummary } from '../contract/models';

/**
 * The inbox's shapes that the storage items, the protocol and the background share. Kept apart
 * from `store.ts` (which reads the storage items) so that no import goes round in a circle.
 */

/** The organisation's agents (assignment names, reassign) and canned replies, refreshed on each connect. */
export interface TeamState {
  agents: AgentSummary[];
  cannedReplies: CannedReply[];
}

/** A reply the server has not confirmed yet (offline, or the request in flight). */
export interface PendingReply {
  id: string;
  conversationId: string;
  content: ReplyContent;
  createdAt: string;
  /** A private note for colleagues (its body only), not a reply to the customer. */
  note?: boolean;
}

/** What a status change did, for the side panel to say (e.g. "2 resolved; 1 has new messages"). */
export interface StatusSummary {
  changed: number;
  unchanged: number;
  /** Left open: the customer wrote since the agent looked. */
  newMessages: number;
  notFound: number;
}
