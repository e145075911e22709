import type { AgentConversationView } from '../contract/models';

/**
 * The list's order, newest message first, kept up to date as messages arrive (issue 34): a new
 * message moves one conversation, so the side panel re-places what changed instead of sorting the
 * whole inbox again. Pure, so it is tested without a browser.
 */

/** Most recent message first; equal times by id, so the order is the same whatever came first. */
export const newestFirst = (a: AgentConversationView, b: AgentConversationView) =>
  (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? '') || a.id.localeCompare(b.id);

/** Changed conversations beyond this share of the list: one sort is cheaper than placing each. */
const RESORT_SHARE = 1 / 8;

/**
 * `next`'s conversations in `newestFirst` order, given `list`, the same order of `prev`. Entries of
 * `next` identical to `prev`'s (the reducers keep unchanged rows' identity) keep their place; the
 * changed and the new are placed by binary search, the removed dropped. `list` itself comes back
 * when nothing changed.
 * @example reordered(sorted, before, after) // one conversation with a new message: moved to the top
 */
export function reordered(
  list: readonly AgentConversationView[],
  prev: Readonly<Record<string, AgentConversationView>>,
  next: Readonly<Record<string, AgentConversationView>>,
): AgentConversationView[] {
  const changed: AgentConversationView[] = [];
  let count = 0;
  for (const id in next) {
    count++;
    if (prev[id] !== next[id]) changed.push(next[id]!);
  }
  if (changed.length === 0 && count === list.length) return list as AgentConversationView[];
  if (changed.length > list.length * RESORT_SHARE) return Object.values(next).sort(newestFirst);
  const kept = list.filter((c) => next[c.id] === c);
  for (const c of changed) kept.splice(insertionPoint(kept, c), 0, c);
  return kept;
}

/** Where `c` goes in `list` (sorted `newestFirst`) to keep it sorted. */
export function insertionPoint(list: readonly AgentConversationView[], c: AgentConversationView): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (newestFirst(list[mid]!, c) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
