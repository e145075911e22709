import { useRef } from 'react';
import type { AgentConversationView } from '../contract/models';
import { newestFirst, reordered } from '../inbox/order';

/**
 * Values that keep their identity while they say the same, so that components memoised on them
 * (the list, the toolbar) do not render again for a message that changes nothing they show.
 */

/** `value`, or the previous render's when `same` says they are equal. */
export function useSame<T>(value: T, same: (a: T, b: T) => boolean): T {
  const kept = useRef(value);
  if (kept.current !== value && !same(kept.current, value)) kept.current = value;
  return kept.current;
}

/** The same entries in the same order. */
export const sameItems = <T>(a: readonly T[], b: readonly T[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Small plain values (counts) with the same content. */
export const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** An inbox's conversations newest first, and the conversations it was made from. */
export type NewestFirst = { from: Readonly<Record<string, AgentConversationView>>; list: AgentConversationView[] } | null;

/**
 * An inbox's conversations newest first, kept from render to render: what changed since the last
 * one is re-placed (`reordered`), the inbox is not sorted again for each message. `kept` holds the
 * last order; the page's list keeps it beyond its own life (`InboxListPane`: a thread opened and
 * closed again does not sort the inbox again).
 */
export function useNewestFirst(
  conversations: Readonly<Record<string, AgentConversationView>> | undefined,
  kept?: { current: NewestFirst },
): AgentConversationView[] {
  const own = useRef<NewestFirst>(null);
  return newestFirstFrom(kept ?? own, conversations);
}

function newestFirstFrom(kept: { current: NewestFirst }, conversations: Readonly<Record<string, AgentConversationView>> | undefined): AgentConversationView[] {
  if (!conversations) return [];
  const last = kept.current;
  if (last?.from !== conversations)
    kept.current = { from: conversations, list: last ? reordered(last.list, last.from, conversations) : Object.values(conversations).sort(newestFirst) };
  return kept.current!.list;
}
