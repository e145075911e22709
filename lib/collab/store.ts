import { collabItem } from '../storage/items';
import type { CollabState } from './state';

let queue: Promise<unknown> = Promise.resolve();

/**
 * Changes the stored collaboration state (presence, viewing, typing) one change at a time: events
 * arrive faster than a storage read and write, and none may overwrite another.
 */
export function updateCollab(fn: (s: CollabState) => CollabState): Promise<unknown> {
  queue = queue.then(async () => collabItem.setValue(fn(await collabItem.getValue()))).catch(() => {});
  return queue;
}
