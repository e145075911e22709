import { describe, expect, it } from 'vitest';
import type { AgentConversationView, ConversationStatus } from '@/lib/contract/models';
import { FIRST_SCREEN_ROWS, firstScreen, showsFromFirstScreen } from '@/lib/inbox/first-screen';
import { CONVERSATION_FILTERS, DEFAULT_LIST_FILTER, listView, sortByDue, type ListFilter } from '@/lib/inbox/list-filter';
import { sortedConversations, type InboxState } from '@/lib/inbox/state';
import { conversation, message } from '../support/views';

const ME = 'agent-me';
const STATUSES: ConversationStatus[] = ['open', 'snoozed', 'resolved'];
const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 10, 0) + minute * 60_000).toISOString();

/** 2,000 conversations in no particular order: statuses, assignees, unread, equal times and no message yet. */
function bigInbox(): InboxState {
  let seed = 7;
  const random = (n: number) => (seed = (seed * 16807) % 2147483647) % n; // the same inbox every run
  const conversations: Record<string, AgentConversationView> = {};
  for (let i = 0; i < 2000; i++) {
    const id = `c${i}`;
    conversations[id] = conversation(id, {
      lastMessageAt: random(50) === 0 ? null : at(random(600)), // many share a minute: ordered by id then
      status: STATUSES[random(3)]!,
      assigneeId: [ME, 'agent-other', null][random(3)]!,
      unreadCount: random(2) * 2,
      slaDueAt: random(10) === 0 ? at(1000 + random(600)) : null,
    });
  }
  return { cursor: 'cursor-1', seq: 42, seen: ['m1', 'm2'], conversations, messages: { c1: [message('m1', { conversationId: 'c1' })] } };
}

const query = (filter: ListFilter) => ({ filter, query: '', results: null, counts: null, scope: 'all' as const, teams: [], me: ME });
const ids = (list: AgentConversationView[]) => list.map((c) => c.id);

describe('the first screen of the inbox a side panel paints from (firstScreen)', () => {
  it('is the newest conversations in the list’s order, without threads, at the same cursor', () => {
    const state = bigInbox();
    const first = firstScreen(state);
    expect(Object.keys(first.conversations)).toHaveLength(FIRST_SCREEN_ROWS);
    expect(ids(sortedConversations(first))).toEqual(ids(sortedConversations(state).slice(0, FIRST_SCREEN_ROWS)));
    const newest = sortedConversations(state)[0]!;
    expect(first.conversations[newest.id]).toBe(newest); // the same rows, not copies
    expect(first).toMatchObject({ cursor: 'cursor-1', seq: 42, messages: {} });
  });

  it('is the whole inbox when it is small', () => {
    const state = bigInbox();
    const few = Object.fromEntries(Object.entries(state.conversations).slice(0, 30));
    expect(Object.keys(firstScreen({ ...state, conversations: few }).conversations).sort()).toEqual(Object.keys(few).sort());
  });

  it('gives every filter of the list the same first rows as the whole inbox', () => {
    const state = bigInbox();
    const first = firstScreen(state);
    for (const status of STATUSES)
      for (const assignee of CONVERSATION_FILTERS)
        for (const unread of [false, true]) {
          const filter: ListFilter = { ...DEFAULT_LIST_FILTER, status, assignee, unread };
          const fromFirst = listView(sortedConversations(first), first.conversations, query(filter)).visible;
          const fromAll = listView(sortedConversations(state), state.conversations, query(filter)).visible;
          expect(fromFirst.length).toBeGreaterThan(0);
          expect(ids(fromFirst)).toEqual(ids(fromAll).slice(0, fromFirst.length));
        }
  });

  it('is not shown when the list sorts by due time, or while a thread is open or not known yet', () => {
    // Sorted by due time the first rows may be older than the first screen: it must wait.
    const state = bigInbox();
    const dueFirst = ids(sortByDue(sortedConversations(state)).slice(0, 5));
    expect(dueFirst.some((id) => !firstScreen(state).conversations[id])).toBe(true);
    expect(showsFromFirstScreen({ byDue: true }, null)).toBe(false);
    expect(showsFromFirstScreen({ byDue: false }, 'c1')).toBe(false);
    expect(showsFromFirstScreen({ byDue: false }, undefined)).toBe(false);
    expect(showsFromFirstScreen({ byDue: false }, null)).toBe(true);
  });
});
