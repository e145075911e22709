import { applyConversation, applyRead } from '../../inbox/state';
import { readInbox, updateInbox } from '../../inbox/store';
import type { StatusSummary } from '../../inbox/types';
import { openConversationItem } from '../../storage/items';
import { done, type Current, type Handlers } from './types';

/** A conversation's status, assignee and read state; colleagues hear each change from the server. */
export function conversationStatusHandlers(current: Current<'api'>) {
  return {
    'inbox:assign': async ({ conversationId, assigneeId }) => {
      const { api } = await current();
      const { conversation, warning } = await api.assign(conversationId, assigneeId);
      await updateInbox((s) => applyConversation(s, conversation));
      return { warning: warning ?? null };
    },
    /**
     * Resolves, reopens or snoozes conversations (one, or several selected in the list). Each goes
     * with the number of customer messages the agent has seen of it: one the customer wrote to since
     * is left open and counted in `newMessages`.
     */
    'inbox:setStatus': async ({ conversationIds, status, snoozedUntil }): Promise<StatusSummary> => {
      const { api } = await current();
      const inbox = await readInbox();
      const seen = conversationIds.map((id) => ({ id, seenInboundCount: inbox.conversations[id]?.inboundCount ?? 0 }));
      const { results } = await api.setStatus(seen, status, snoozedUntil);
      await updateInbox((s) => results.reduce((acc, r) => (r.conversation ? applyConversation(acc, r.conversation) : acc), s));
      const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
      return { changed: count('changed'), unchanged: count('unchanged'), newMessages: count('new_messages'), notFound: count('not_found') };
    },
    /** Unread again from a message down (or its latest customer message); the agent's other devices follow. */
    'inbox:markUnread': async ({ conversationId, fromMessageId }) => {
      const { api } = await current();
      if ((await openConversationItem.getValue()) === conversationId) await openConversationItem.setValue(null); // open, it would be read again at once
      const { readState } = await api.markUnread(conversationId, fromMessageId);
      return done(await updateInbox((s) => applyRead(s, readState)));
    },
  } satisfies Partial<Handlers>;
}
