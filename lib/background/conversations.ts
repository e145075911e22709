import type { ApiClient } from '../api/client';
import { conversationsByPhone } from '../overlay/badge-info';
import { addConversation, applyRead, applyThreadPage } from '../inbox/state';
import { readInbox, updateInbox } from '../inbox/store';
import { openConversationItem } from '../storage/items';

/** Marks a conversation read on the server; the agent's other devices follow. */
export async function markRead(api: ApiClient, conversationId: string): Promise<void> {
  const { readState } = await api.markRead(conversationId);
  await updateInbox((s) => applyRead(s, readState));
}

/** The side panel opened a conversation: load its latest messages and mark it read. */
export async function openConversation(api: ApiClient, conversationId: string): Promise<void> {
  await openConversationItem.setValue(conversationId);
  const page = await api.messages(conversationId);
  await updateInbox((s) => applyThreadPage(s, conversationId, page.messages));
  await markRead(api, conversationId);
}

/** The conversation with a number (a CRM page, a shared contact): the most recent one we know, or a new one. */
export async function conversationForPhone(api: ApiClient, phone: string): Promise<string> {
  const known = conversationsByPhone(await readInbox()).get(phone);
  if (known?.length) return known.reduce((a, c) => ((c.lastMessageAt ?? '') > (a.lastMessageAt ?? '') ? c : a)).id;
  const { conversation } = await api.startConversation(phone);
  await updateInbox((s) => addConversation(s, conversation));
  return conversation.id;
}
