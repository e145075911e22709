import { typingIn, type CollabState } from '../collab/state';
import type { AgentConversationView } from '../contract/models';
import type { InboxState } from '../inbox/state';

/** What a CRM page's badge shows for one phone number. Text only; the page renders it as text. */
export interface BadgeInfo {
  /** The most recent conversation with the number, or null: the badge offers to start one. */
  conversationId: string | null;
  name: string | null;
  unread: number;
  /** Colleagues typing a reply to this customer right now. */
  typing: string[];
  /** Colleagues with the conversation open (presence in that conversation). */
  viewing: string[];
  lastMessage: string | null;
  /** Who has the conversation: the agent, a colleague (by name, null when the team list does not know them yet), or nobody (null). */
  assignee: { me: true } | { me: false; name: string | null } | null;
}

/** Conversations by their contact's phone number (several channels may talk to one number). */
export function conversationsByPhone(inbox: InboxState): Map<string, AgentConversationView[]> {
  const index = new Map<string, AgentConversationView[]>();
  for (const c of Object.values(inbox.conversations)) {
    const list = index.get(c.contact.phone);
    if (list) list.push(c);
    else index.set(c.contact.phone, [c]);
  }
  return index;
}

/** The badges for a page's phone numbers, from the inbox and who is typing where. */
export function badgesFor(
  phones: Iterable<string>,
  index: Map<string, AgentConversationView[]>,
  collab: CollabState,
  me: string | undefined,
  now: number,
  /** Colleagues' names by agent id (the team), for who has a conversation. */
  names: ReadonlyMap<string, string> = new Map(),
): Record<string, BadgeInfo> {
  const out: Record<string, BadgeInfo> = {};
  for (const phone of phones) {
    const list = index.get(phone) ?? [];
    const latest = list.reduce<AgentConversationView | null>((a, c) => (!a || (c.lastMessageAt ?? '') > (a.lastMessageAt ?? '') ? c : a), null);
    out[phone] = {
      conversationId: latest?.id ?? null,
      name: latest?.contact.profileName ?? null,
      unread: list.reduce((n, c) => n + c.unreadCount, 0),
      typing: [...new Set(list.flatMap((c) => typingIn(collab, c.id, now, me).map((t) => t.displayName)))],
      viewing: [...new Set(list.flatMap((c) => (collab.viewing[c.id] ?? []).filter((v) => v.agentId !== me).map((v) => v.displayName)))],
      lastMessage: latest?.lastMessagePreview ?? null,
      assignee: !latest?.assigneeId ? null : latest.assigneeId === me ? { me: true } : { me: false, name: names.get(latest.assigneeId) ?? null },
    };
  }
  return out;
}
