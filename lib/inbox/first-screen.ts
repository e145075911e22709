import type { AgentConversationView } from '../contract/models';
import { insertionPoint, newestFirst } from './order';
import type { ListFilter } from './list-filter';
import type { InboxState } from './state';

/**
 * How many of the newest conversations a side panel gets first: a screenful of the tallest panel
 * several times over, whatever its filter keeps (docs/delivery-scope.md, "First paint").
 */
export const FIRST_SCREEN_ROWS = 100;

/**
 * The part of the inbox a side panel paints first: the newest `rows` conversations, in the list's
 * order, and no threads. The list filters and orders what it has, so the rows it shows from this are
 * the first rows it shows from the whole inbox; the rest follows in the full state a moment later.
 */
export function firstScreen(state: InboxState, rows = FIRST_SCREEN_ROWS): InboxState {
  const all = Object.values(state.conversations);
  const newest = all.length <= rows ? all : topNewest(all, rows);
  return {
    cursor: state.cursor,
    seq: state.seq,
    seen: [],
    messages: {},
    conversations: Object.fromEntries(newest.map((c) => [c.id, c])),
  };
}

/** The `n` first of `all` in the list's order, without sorting the rest: one pass keeping a sorted window. */
function topNewest(all: AgentConversationView[], n: number): AgentConversationView[] {
  const top = all.slice(0, n).sort(newestFirst);
  for (let i = n; i < all.length; i++) {
    const c = all[i]!;
    if (newestFirst(c, top[n - 1]!) >= 0) continue;
    top.splice(insertionPoint(top, c), 0, c);
    top.pop();
  }
  return top;
}

/**
 * Whether a side panel may show its list from the first screen: the list filters the newest-first
 * order, so its first rows are the same as from the whole inbox. Not when it sorts by due time (an
 * older conversation may come first), nor with a thread open or not known yet (`undefined`): a
 * thread's messages come with the whole state.
 */
export function showsFromFirstScreen(filter: Pick<ListFilter, 'byDue'>, openId: string | null | undefined): boolean {
  return !filter.byDue && openId === null;
}
