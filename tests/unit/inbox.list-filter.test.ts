import { describe, expect, it } from 'vitest';
import type { AgentConversationView } from '@/lib/contract/models';
import {
  DEFAULT_LIST_FILTER,
  filterConversations,
  filterCounts,
  ofTeams,
  listView,
  restoredFilter,
  showsBeyondScope,
  teamChannels,
  withOrganisationCounts,
  type ListFilter,
  type ListQuery,
} from '../../lib/inbox/list-filter';
import type { CountsResponse } from '../../lib/contract/api';
import { conversation as conv } from '../support/views';

describe('conversation filters', () => {
  const list = [
    conv('a', { assigneeId: 'me' }),
    conv('b', { assigneeId: 'bob', unreadCount: 2 }),
    conv('c', { unreadCount: 1 }),
    conv('d', { assigneeId: 'me', status: 'resolved' }),
    conv('e', { status: 'snoozed', snoozedUntil: '2026-12-01T09:00:00.000Z', unreadCount: 1 }),
  ];
  const ids = (f: Partial<ListFilter>) => filterConversations(list, { ...DEFAULT_LIST_FILTER, ...f }, 'me').map((c) => c.id);
  it('shows the agent’s inbox by default: Open, assigned to them or to nobody, not a colleague’s', () => {
    expect(DEFAULT_LIST_FILTER.assignee).toBe('inbox');
    expect(ids({})).toEqual(['a', 'c']);
    expect(ids({ status: 'resolved' })).toEqual(['d']);
    expect(ids({ status: 'snoozed' })).toEqual(['e']);
    expect(ids({ unread: true })).toEqual(['c']);
  });
  it('Mine, Unassigned and All, and Unread, combine with the statuses', () => {
    expect(ids({ assignee: 'mine' })).toEqual(['a']);
    expect(ids({ assignee: 'unassigned' })).toEqual(['c']);
    expect(ids({ assignee: 'all' })).toEqual(['a', 'b', 'c']);
    expect(ids({ status: 'resolved', assignee: 'mine' })).toEqual(['d']);
    expect(ids({ assignee: 'all', unread: true })).toEqual(['b', 'c']);
    expect(ids({ unread: true, assignee: 'unassigned' })).toEqual(['c']);
  });
  it('counts what each choice would show, with the other choices kept', () => {
    expect(filterCounts(list, DEFAULT_LIST_FILTER, 'me')).toEqual({
      status: { open: 2, snoozed: 1, resolved: 1 },
      assignee: { inbox: 2, mine: 1, unassigned: 1, all: 3 },
      unread: 1,
    });
    expect(filterCounts(list, { status: 'open', assignee: 'mine', unread: false }, 'me')).toEqual({
      status: { open: 1, snoozed: 0, resolved: 1 },
      assignee: { inbox: 2, mine: 1, unassigned: 1, all: 3 },
      unread: 0,
    });
    expect(filterCounts(list, { status: 'open', assignee: 'all', unread: true }, 'me')).toEqual({
      status: { open: 2, snoozed: 1, resolved: 0 },
      assignee: { inbox: 1, mine: 0, unassigned: 1, all: 2 },
      unread: 2,
    });
  });
});

describe('the filter the agent left', () => {
  it('is the default (their inbox) when they never chose one', () => {
    expect(restoredFilter(null)).toEqual(DEFAULT_LIST_FILTER);
  });
  it('keeps what they chose, also All saved before the inbox became the default', () => {
    const before = { status: 'snoozed', assignee: 'all', unread: true, byDue: false, team: 'all' };
    expect(restoredFilter(JSON.stringify(before))).toEqual(before);
    expect(restoredFilter(JSON.stringify({ ...before, assignee: 'mine', team: 'support' }))).toMatchObject({ assignee: 'mine', team: 'support' });
  });
  it('takes the default’s value for what is missing or no longer a choice, and the default for what is not a filter', () => {
    expect(restoredFilter('{"assignee":"all"}')).toEqual({ ...DEFAULT_LIST_FILTER, assignee: 'all' });
    expect(restoredFilter('{"status":"archived","assignee":"everyone","unread":"yes","team":""}')).toEqual(DEFAULT_LIST_FILTER);
    expect(restoredFilter('not json')).toEqual(DEFAULT_LIST_FILTER);
    expect(restoredFilter('[1]')).toEqual(DEFAULT_LIST_FILTER);
  });
});

describe('whether the list shows more than the agent’s scope', () => {
  const myTeams = new Set(['support']);
  const beyond = (f: Partial<ListFilter>) => showsBeyondScope({ ...DEFAULT_LIST_FILTER, ...f }, myTeams);
  it('not for their inbox, theirs or the unassigned ones of their teams (the server sends all of those)', () => {
    expect(beyond({})).toBe(false);
    expect(beyond({ assignee: 'mine' })).toBe(false);
    expect(beyond({ assignee: 'unassigned' })).toBe(false);
    expect(beyond({ assignee: 'inbox', team: 'support' })).toBe(false);
  });
  it('for everyone’s conversations, every team’s, or a team they are not in', () => {
    expect(beyond({ assignee: 'all' })).toBe(true);
    expect(beyond({ assignee: 'all', team: 'support' })).toBe(true);
    expect(beyond({ team: 'all' })).toBe(true);
    expect(beyond({ assignee: 'mine', team: 'all' })).toBe(true);
    expect(beyond({ assignee: 'unassigned', team: 'sales' })).toBe(true);
  });
});

/** The conversations of those channels (all of them when `channels` is null). */
const inChannels = (list: AgentConversationView[], channels: ReadonlySet<string> | null) => (channels ? list.filter((c) => channels.has(c.channelId)) : list);

describe('the team filter', () => {
  const teams = [
    { id: 'support', channelIds: ['ch-support'], members: [{ agentId: 'me' }] },
    { id: 'sales', channelIds: ['ch-sales', 'ch-sales-2'], members: [{ agentId: 'bob' }] },
  ];
  const list = [conv('a', { channelId: 'ch-support' }), conv('b', { channelId: 'ch-sales' }), conv('c', { channelId: 'ch-other' })];
  const ids = (channels: ReadonlySet<string> | null) => inChannels(list, channels).map((c) => c.id);
  it("shows every team's conversations, the agent's own teams', or one team's", () => {
    expect(ids(teamChannels('all', teams, 'me'))).toEqual(['a', 'b', 'c']);
    expect(ids(teamChannels('mine', teams, 'me'))).toEqual(['a']);
    expect(ids(teamChannels('sales', teams, 'me'))).toEqual(['b']);
  });
  it("keeps the agent's own conversations under my teams wherever they are, and only there", () => {
    const mine = [...list, conv('d', { channelId: 'ch-sales', assigneeId: 'me' }), conv('e', { channelId: 'ch-other', assigneeId: 'me' })];
    expect(ofTeams(mine, 'mine', teams, 'me').map((c) => c.id)).toEqual(['a', 'd', 'e']);
    expect(ofTeams(mine, 'sales', teams, 'me').map((c) => c.id)).toEqual(['b', 'd']);
    expect(ofTeams(mine, 'all', teams, 'me').map((c) => c.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });
  it('narrows nothing for an agent in no team or a team that is gone, rather than hiding everything', () => {
    expect(ids(teamChannels('mine', teams, 'carol'))).toEqual(['a', 'b', 'c']);
    expect(ids(teamChannels('deleted-team', teams, 'me'))).toEqual(['a', 'b', 'c']);
  });
});

describe('the counts beyond the agent’s scope', () => {
  // The agent's cache: its own and the unassigned ones (its scope), and one colleague's it happens to hold.
  const cache = [
    conv('a', { assigneeId: 'me', channelId: 'ch-support' }),
    conv('b', { channelId: 'ch-support', unreadCount: 1 }),
    conv('c', { assigneeId: 'bob', channelId: 'ch-support' }),
    conv('d', { assigneeId: 'me', channelId: 'ch-support', status: 'resolved' }),
  ];
  // The organisation: colleagues' conversations the agent's client never received, on two channels.
  const organisation: CountsResponse = {
    channels: [
      { channelId: 'ch-sales', status: 'open', assigned: true, count: 7 },
      { channelId: 'ch-sales', status: 'resolved', assigned: true, count: 40 },
      { channelId: 'ch-support', status: 'open', assigned: false, count: 1 },
      { channelId: 'ch-support', status: 'open', assigned: true, count: 12 },
      { channelId: 'ch-support', status: 'resolved', assigned: true, count: 30 },
      { channelId: 'ch-support', status: 'snoozed', assigned: true, count: 2 },
    ],
  };
  const support = new Set(['ch-support']);
  const shown = (f: Partial<ListFilter>, channels: ReadonlySet<string> | null = support, beyond = false, counts: CountsResponse | null = organisation) => {
    const filter = { ...DEFAULT_LIST_FILTER, ...f };
    return withOrganisationCounts(filterCounts(inChannels(cache, channels), filter, 'me'), counts, filter, channels, beyond);
  };

  it('in the agent’s inbox, All counts the organisation’s conversations of the team’s channels; the others are the cache’s', () => {
    expect(shown({})).toEqual({
      status: { open: 2, snoozed: 0, resolved: 1 },
      assignee: { inbox: 2, mine: 1, unassigned: 1, all: 13 },
      unread: 1,
    });
    expect(shown({ status: 'resolved', assignee: 'mine' }).assignee).toEqual({ inbox: 1, mine: 1, unassigned: 0, all: 30 });
  });

  it('sums every channel when the team filter narrows nothing', () => {
    expect(shown({}, null).assignee.all).toBe(20);
    expect(shown({ status: 'resolved' }, null).assignee.all).toBe(70);
  });

  it('under All, the statuses are the organisation’s too', () => {
    expect(shown({ assignee: 'all' }).status).toEqual({ open: 13, snoozed: 2, resolved: 30 });
  });

  it('keeps the cached counts with Unread on (unread is the agent’s own), beyond the scope, and before any counts came', () => {
    const cached = (f: Partial<ListFilter>, channels: ReadonlySet<string> | null = support) =>
      filterCounts(inChannels(cache, channels), { ...DEFAULT_LIST_FILTER, ...f }, 'me');
    expect(shown({ unread: true })).toEqual(cached({ unread: true }));
    expect(shown({ assignee: 'all' }, null, true)).toEqual(cached({ assignee: 'all' }, null));
    expect(shown({}, support, false, null)).toEqual(cached({}));
  });
});

describe('what the list shows (listView): the filter, or a search', () => {
  const mine = conv('a', { assigneeId: 'me', contact: { id: 'ct-a', phone: '+14155550101', profileName: 'Ana' } });
  const theirs = conv('b', { assigneeId: 'bob', contact: { id: 'ct-b', phone: '+14155550102', profileName: 'Ben' } });
  const done = conv('c', { status: 'resolved', contact: { id: 'ct-c', phone: '+14155550103', profileName: 'Ana Lee' } });
  const all = [mine, theirs, done];
  const byId = { a: mine, b: theirs, c: done };
  const q: ListQuery = { filter: DEFAULT_LIST_FILTER, query: '', results: null, counts: null, scope: 'all', teams: [], me: 'me' };

  it('without a query: the filter’s view (the agent’s open inbox), and the conversations its counts come from', () => {
    const view = listView(all, byId, q);
    expect(view.found).toBeNull();
    expect(view.visible.map((c) => c.id)).toEqual(['a']);
    expect(view.ofTeams).toBe(all);
  });

  it('a query searches every status in the cache until the server answers, then shows the server’s matches as the inbox has them now', () => {
    expect(listView(all, byId, { ...q, query: 'ana' }).visible.map((c) => c.id)).toEqual(['a', 'c']);
    const stale = { ...done, status: 'open' as const };
    const answered = listView(all, byId, {
      ...q,
      query: 'ana',
      results: [{ conversation: stale, match: null }],
      counts: { open: 0, snoozed: 0, resolved: 1 },
    });
    expect(answered.visible).toEqual([done]);
    expect(answered.found?.counts).toEqual({ open: 0, snoozed: 0, resolved: 1 });
  });
});
