import { storage } from 'wxt/utils/storage';
import type { AgentProfile } from '../contract/models';
import { emptyInbox, type InboxState } from './state';

/**
 * What must survive a service-worker restart lives in extension storage, never in module
 * variables: the inbox (conversations, cursor, cached messages) and who is signed in.
 * UIs read these items and watch them.
 */
export const inboxItem = storage.defineItem<InboxState>('local:inbox', {
  fallback: emptyInbox(),
  version: 2,
  migrations: { 2: (old: Omit<InboxState, 'seen'>) => ({ ...old, seen: [] }) },
});
export const agentItem = storage.defineItem<AgentProfile | null>('local:agent', { fallback: null, version: 1 });
/** The conversation the side panel shows. */
export const openConversationItem = storage.defineItem<string | null>('session:openConversation', { fallback: null });

let queue: Promise<unknown> = Promise.resolve();

/** Read-modify-write of the inbox, one at a time, so concurrent events never overwrite each other. */
export function updateInbox(fn: (state: InboxState) => InboxState): Promise<InboxState> {
  const run = queue.then(async () => {
    const next = fn(await inboxItem.getValue());
    await inboxItem.setValue(next);
    return next;
  });
  queue = run.catch(() => undefined);
  return run;
}
