import * as z from 'zod/mini';
import type { CountsResponse } from '../contract/api';
import { SEARCH_MIN_CHARS, type SearchResult } from '../contract/api';
import { CONVERSATION_STATUSES, type AgentConversationView, type ConversationStatus } from '../contract/models';
import { matchesLocally, searchView, type SearchScope } from './view';

/**
 * The list's filter, decided from the inbox: which conversations it shows, in which order, the
 * count beside each choice, and whether it shows more than the agent's delivery scope
 * (docs/delivery-scope.md). Pure, so it is tested without a browser.
 */

/**
 * Whose conversations the list shows: the agent's inbox (assigned to them or to nobody: their
 * scope, the default), theirs only, nobody's, or everyone's.
 */
export type ConversationFilter = 'inbox' | 'mine' | 'unassigned' | 'all';
/** The choices in the order the toolbar shows them. */
export const CONVERSATION_FILTERS = ['inbox', 'mine', 'unassigned', 'all'] as const satisfies readonly ConversationFilter[];

/** What the list shows: one status (Open by default), whose conversations, optionally only unread ones, and in which order. */
export interface ListFilter {
  status: ConversationStatus;
  assignee: ConversationFilter;
  unread: boolean;
  /** Sorted by SLA due time (soonest first) instead of newest first. */
  byDue: boolean;
  /** Whose teams' conversations (see `teamChannels`): the agent's own by default. */
  team: TeamFilter;
}

export const DEFAULT_LIST_FILTER: ListFilter = { status: 'open', assignee: 'inbox', unread: false, byDue: false, team: 'mine' };

/** Which teams' conversations the list shows: every team's, the agent's own teams', or one team's (its id). */
export type TeamFilter = 'all' | 'mine' | (string & {});

/** A filter as a page stored it, field by field: what is missing or no longer a choice takes the default's value. */
const storedFilter = z.catch(
  z.object({
    status: z.catch(z.enum(CONVERSATION_STATUSES), DEFAULT_LIST_FILTER.status),
    assignee: z.catch(z.enum(CONVERSATION_FILTERS), DEFAULT_LIST_FILTER.assignee),
    unread: z.catch(z.boolean(), DEFAULT_LIST_FILTER.unread),
    byDue: z.catch(z.boolean(), DEFAULT_LIST_FILTER.byDue),
    team: z.catch(z.string().check(z.minLength(1)), DEFAULT_LIST_FILTER.team),
  }),
  DEFAULT_LIST_FILTER,
);

/**
 * The filter the agent last left (stored as JSON on their device), or the default. A choice they
 * made stays theirs, also one saved before the default changed: a stored *All* stays *All*.
 * @example restoredFilter('{"assignee":"all"}') // { status: 'open', assignee: 'all', unread: false, byDue: false, team: 'mine' }
 */
export function restoredFilter(stored: string | null): ListFilter {
  try {
    return storedFilter.parse(JSON.parse(stored ?? 'null'));
  } catch {
    return DEFAULT_LIST_FILTER;
  }
}

/**
 * Whether the list shows more than the agent's delivery scope (assigned to them, unassigned in
 * their teams' channels): everyone's conversations, every team's, or a team they are not in. The
 * page then holds `WHOLE_INBOX_PORT`, so the organisation's whole stream keeps that view current.
 * @example showsBeyondScope({ assignee: 'inbox', team: 'all' }, new Set(['support'])) // true
 */
export function showsBeyondScope(filter: Pick<ListFilter, 'assignee' | 'team'>, myTeams: ReadonlySet<string>): boolean {
  return filter.assignee === 'all' || (filter.team !== 'mine' && !myTeams.has(filter.team));
}

/**
 * The channels a team filter stands for, or null for no narrowing: a team answers its channels
 * (docs/routing.md), so "my teams" is the channels of every team the agent is a member of. An
 * agent in no team, or a team that no longer exists, narrows nothing rather than hiding everything.
 * @example teamChannels('mine', teams, me) // Set { 'ch-support', 'ch-sales' }
 */
export function teamChannels(
  filter: TeamFilter,
  teams: ReadonlyArray<{ id: string; channelIds: string[]; members: ReadonlyArray<{ agentId: string }> }>,
  me: string,
): ReadonlySet<string> | null {
  if (filter === 'all') return null;
  const chosen = filter === 'mine' ? teams.filter((t) => t.members.some((m) => m.agentId === me)) : teams.filter((t) => t.id === filter);
  if (chosen.length === 0) return null;
  return new Set(chosen.flatMap((t) => t.channelIds));
}

/**
 * The conversations the team filter keeps: those of its teams' channels (`teamChannels`) and, under
 * "my teams", the agent's own wherever they are (another team's channel, a channel no team
 * answers): what the agent's delivery scope holds (lib/contract/scope.ts).
 */
export function ofTeams(
  list: AgentConversationView[],
  filter: TeamFilter,
  teams: ReadonlyArray<{ id: string; channelIds: string[]; members: ReadonlyArray<{ agentId: string }> }>,
  me: string,
): AgentConversationView[] {
  const channels = teamChannels(filter, teams, me);
  if (!channels) return list;
  return list.filter((c) => channels.has(c.channelId) || (filter === 'mine' && c.assigneeId === me));
}

function byAssignee(c: AgentConversationView, assignee: ConversationFilter, me: string): boolean {
  if (assignee === 'all') return true;
  if (assignee === 'mine') return c.assigneeId === me;
  if (assignee === 'unassigned') return c.assigneeId === null;
  return c.assigneeId === me || c.assigneeId === null;
}

export function filterConversations(list: AgentConversationView[], filter: ListFilter, me: string): AgentConversationView[] {
  const shown = list.filter((c) => c.status === filter.status && byAssignee(c, filter.assignee, me) && (!filter.unread || c.unreadCount > 0));
  return filter.byDue ? sortByDue(shown) : shown;
}

/**
 * Conversations with an SLA due time first, the soonest (the most overdue) at the top; the others
 * after them in the order given (newest first).
 */
export function sortByDue(list: AgentConversationView[]): AgentConversationView[] {
  const due = (c: AgentConversationView) => (c.slaDueAt ? new Date(c.slaDueAt).getTime() : Infinity);
  // Array.prototype.sort is stable: conversations without a due time keep their order.
  return [...list].sort((a, b) => due(a) - due(b) || (due(a) === Infinity ? 0 : a.id.localeCompare(b.id)));
}

/**
 * The count beside each choice, if the agent picked it with the others unchanged: statuses under
 * the assignee and unread choices, assignees under the status and unread choice, unread under both.
 * Counted from the same list the view filters, so they agree with what it shows.
 */
export function filterCounts(list: AgentConversationView[], filter: Omit<ListFilter, 'byDue' | 'team'>, me: string) {
  const status: Record<ConversationStatus, number> = { open: 0, snoozed: 0, resolved: 0 };
  const assignee: Record<ConversationFilter, number> = { inbox: 0, mine: 0, unassigned: 0, all: 0 };
  let unread = 0;
  for (const c of list) {
    const isUnread = c.unreadCount > 0;
    const assigneeOk = byAssignee(c, filter.assignee, me);
    if (assigneeOk && (!filter.unread || isUnread)) status[c.status]++;
    if (c.status !== filter.status) continue;
    if (!filter.unread || isUnread) {
      assignee.all++;
      if (c.assigneeId === me) assignee.mine++;
      else if (c.assigneeId === null) assignee.unassigned++;
    }
    if (assigneeOk && isUnread) unread++;
  }
  assignee.inbox = assignee.mine + assignee.unassigned;
  return { status, assignee, unread };
}

/** The counts beside the list's choices, as `filterCounts` gives them. */
export type FilterCounts = ReturnType<typeof filterCounts>;

/**
 * The counts the toolbar shows. While the list shows only the agent's delivery scope
 * (`showsBeyondScope` false), the cache holds the agent's own and queued conversations, not
 * colleagues': the *All* count, and under *All* the status counts, then come from the
 * organisation's counts (`GET /api/counts`, `counts:update`; docs/delivery-scope.md, "Counts"),
 * summed over the team filter's channels (`teamChannels`; null: every channel). Unread is the
 * agent's own, which those do not know: with *Unread* on, and beyond the scope (the whole stream
 * keeps the cache current), and before any organisation counts came, the cached counts stay.
 * @example withOrganisationCounts(filterCounts(list, filter, me), counts, filter, teamChannels(filter.team, teams, me), false)
 */
export function withOrganisationCounts(
  cached: FilterCounts,
  organisation: CountsResponse | null | undefined,
  filter: Pick<ListFilter, 'status' | 'assignee' | 'unread'>,
  channels: ReadonlySet<string> | null,
  beyondScope: boolean,
): FilterCounts {
  if (!organisation || filter.unread || beyondScope) return cached;
  const status: Record<ConversationStatus, number> = { open: 0, snoozed: 0, resolved: 0 };
  for (const c of organisation.channels) if (!channels || channels.has(c.channelId)) status[c.status] += c.count;
  return {
    ...cached,
    status: filter.assignee === 'all' ? status : cached.status,
    assignee: { ...cached.assignee, all: status[filter.status] },
  };
}

/** What the list is asked to show: the agent's filter, or a search typed with its scope and the server's answer. */
export interface ListQuery {
  filter: ListFilter;
  /** The search box ('' when not searching). */
  query: string;
  /** The server's matches for `query`, once it answered. */
  results: SearchResult[] | null;
  counts: Record<ConversationStatus, number> | null;
  scope: SearchScope;
  teams: Parameters<typeof teamChannels>[1];
  me: string;
}

/**
 * The list's conversations: a search's matches in every status (narrowed to one if the agent says
 * so: `found`, with its counts), otherwise the filter's view of the team filter's conversations
 * (`ofTeams`, which the filter counts are counted from). `all` newest first; `byId` the inbox's
 * conversations, current copies of the server's search results.
 */
export function listView(all: AgentConversationView[], byId: Readonly<Record<string, AgentConversationView>>, q: ListQuery) {
  const query = q.query.trim();
  let found: ReturnType<typeof searchView> | null = null;
  // The server's answer covers the whole history; until it comes, what the cache holds.
  if (query && query.length >= SEARCH_MIN_CHARS && q.results)
    found = searchView(
      q.results.map((r) => byId[r.conversation.id] ?? r.conversation),
      q.scope,
      q.counts,
    );
  else if (query)
    found = searchView(
      all.filter((c) => matchesLocally(c, q.query)),
      q.scope,
      null,
    );
  // The team filter narrows the list and its counts; a search still looks everywhere.
  const teamRows = ofTeams(all, q.filter.team, q.teams, q.me);
  return { found, ofTeams: teamRows, visible: found?.conversations ?? filterConversations(teamRows, q.filter, q.me) };
}
