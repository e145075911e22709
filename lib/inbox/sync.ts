import type { SyncResponse } from '../contract/api';
import type { MessageView } from '../contract/models';
import { coalesced } from './coalesce';

/** Where a sync reads its cursor, and what it does with an answer. */
export interface SyncDeps<C> {
  fetch(cursor: string | null): Promise<SyncResponse>;
  /** The stored cursor (null before the first sync). */
  cursor(): Promise<string | null>;
  /** Merges an answer into the inbox; returns the messages it did not have yet, and the conversations. */
  apply(res: SyncResponse): Promise<{ fresh: MessageView[]; conversations: Record<string, C> }>;
  /** Announces a customer's message that arrived while the agent was away. */
  notify(message: MessageView, conversation: C | undefined): Promise<void>;
  /** The server refused the cursor (not one it issued to this agent): start over from none. */
  isBadCursor(err: unknown): boolean;
}

/** At most this many notifications after a gap: the newest, never a flood. */
export const CATCH_UP_NOTIFICATIONS = 3;

/**
 * Catch-up from the stored cursor, the rule every (re)connect and the poller rely on: one sync
 * at a time; asked again while one runs, it runs once more right after (so nothing committed
 * meanwhile is missed); a refused cursor restarts from none; only new inbound messages are
 * announced, the last few.
 * @example const catchUp = createSync(deps); await catchUp();
 */
export function createSync<C>(deps: SyncDeps<C>): () => Promise<void> {
  const once = async () => {
    const cursor = await deps.cursor();
    let res: SyncResponse;
    try {
      res = await deps.fetch(cursor);
    } catch (err) {
      if (cursor === null || !deps.isBadCursor(err)) throw err;
      res = await deps.fetch(null);
    }
    const { fresh, conversations } = await deps.apply(res);
    for (const m of fresh.filter((m) => m.direction === 'inbound').slice(-CATCH_UP_NOTIFICATIONS)) await deps.notify(m, conversations[m.conversationId]);
  };
  return coalesced(once);
}
