import { memo, useMemo, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentConversationView } from '@/lib/contract/models';
import { useInbox } from '@/lib/hooks/useInbox';
import { useNow } from '@/lib/hooks/useNow';
import { sameItems, sameJson, useNewestFirst, useSame, type NewestFirst } from '@/lib/hooks/useStable';
import { filterCounts, listView, withOrganisationCounts, type ListFilter, type ListQuery } from '@/lib/inbox/list-filter';
import type { SearchScope } from '@/lib/inbox/view';
import type { CountsResponse } from '@/lib/contract/api';
import type { Undoable } from '@/lib/inbox/undo';
import { ConversationList, type ConversationListHandle } from './ConversationList';
import { InboxToolbar } from './InboxToolbar';
import { BulkBar } from './SidePanelParts';

/**
 * The list of conversations with its toolbar and bulk bar: the part of the side panel that holds
 * the inbox's conversations, so a message to a listed conversation renders this and what it
 * changes (the row, the counts), not the panel around it (its status bar, team bar, keyboard and
 * storage reads). Everything it is given is stable between messages.
 */
export const InboxListPane = memo(function InboxListPane(props: {
  /** What the list shows: the filter, the search and its answer, the teams, the agent. */
  query: ListQuery;
  onQuery: (q: string) => void;
  onScope: (s: SearchScope) => void;
  onFilter: (f: ListFilter) => void;
  /** False while the panel has only the first screen of the inbox: no counts, no "empty" words yet. */
  complete: boolean;
  /** The organisation-wide counts from the server, for the filters beyond the agent's scope. */
  organisationCounts: CountsResponse | null | undefined;
  /** The team filter's channels and whether the filter shows beyond the agent's scope (`teamChannels`, `showsBeyondScope`). */
  channels: ReadonlySet<string> | null;
  beyondScope: boolean;
  teams: Array<{ id: string; name: string; mine: boolean }>;
  searching: boolean;
  searchError: string | null;
  onEnterList: () => void;
  selecting: boolean;
  onSelecting: (on: boolean) => void;
  checked: ReadonlySet<string>;
  onCheck: (id: string, on: boolean) => void;
  /** A bulk action ended (with what it can undo, if it did something). */
  onBulkDone: (done: Undoable | null) => void;
  selectedId: string | null;
  onOpen: (id: string, byKeyboard: boolean) => void;
  onRowsShown: (ids: string[]) => void;
  typing: Record<string, string[]>;
  agentNames: Record<string, string>;
  matches: Record<string, string>;
  listRef: RefObject<ConversationListHandle | null>;
  searchBoxRef: RefObject<HTMLInputElement | null>;
}) {
  const { t } = useTranslation('inbox');
  const { query, filter, me, scope } = props.query;
  const conversations = useInbox((s) => s?.conversations);
  const all = useNewestFirst(conversations, order);
  // A search looks in every status (narrowed to one if the agent says so); otherwise the list's filter.
  const { found, ofTeams, visible: listed } = useMemo(() => listView(all, conversations ?? NO_CONVERSATIONS, props.query), [all, conversations, props.query]);
  // The same rows as before (a message elsewhere in the inbox): the list does not render again.
  const visible = useSame(listed, sameItems);
  const { organisationCounts, channels, beyondScope } = props;
  const counts = useSame(
    useMemo(
      () => withOrganisationCounts(filterCounts(ofTeams, filter, me), organisationCounts, filter, channels, beyondScope),
      [ofTeams, filter, me, organisationCounts, channels, beyondScope],
    ),
    sameJson,
  );
  const { onScope } = props;
  const searchBar = useMemo(() => found && { scope, onScope, counts: found.counts, total: found.total }, [found, scope, onScope]);
  // Picked conversations that left the view (resolved by a colleague, filtered out) are not acted on.
  const picked = useMemo(() => visible.filter((c) => props.checked.has(c.id)), [props.checked, visible]);
  // How long customers have waited, to the minute (rows re-render once a minute, not every tick).
  const minute = Math.floor(useNow(true, 30_000) / 60_000) * 60_000;

  return (
    <>
      <InboxToolbar
        ref={props.searchBoxRef}
        query={query}
        onQuery={props.onQuery}
        search={searchBar}
        filter={filter}
        onFilter={props.onFilter}
        counts={props.complete ? counts : null}
        teams={props.teams}
        searching={props.searching}
        searchError={props.searchError}
        onEnterList={props.onEnterList}
        selecting={props.selecting}
        onSelecting={props.onSelecting}
      />
      {props.selecting && <BulkBar picked={picked} status={found ? (scope === 'resolved' ? 'resolved' : 'open') : filter.status} onDone={props.onBulkDone} />}
      <ConversationList
        ref={props.listRef}
        onRowsShown={props.onRowsShown}
        selecting={props.selecting}
        checked={props.checked}
        onCheck={props.onCheck}
        now={minute}
        conversations={visible}
        selectedId={props.selectedId}
        typing={props.typing}
        agentNames={props.agentNames}
        me={me}
        matches={props.matches}
        showStatus={found !== null}
        onOpen={props.onOpen}
        emptyText={
          visible.length > 0 || !props.complete
            ? ''
            : query.trim()
              ? t('list.empty.search')
              : all.length === 0
                ? t('list.empty.none')
                : t(`list.empty.${filter.status}`)
        }
      />
    </>
  );
});

const NO_CONVERSATIONS: Record<string, AgentConversationView> = {};
/**
 * The list's order, kept while the list is away (a thread open): closing the thread re-places what
 * changed meanwhile instead of sorting the whole inbox again. One list per page.
 */
const order: { current: NewestFirst } = { current: null };
