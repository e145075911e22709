import { ArrowDownWideNarrow, ListChecks } from 'lucide-react';
import { forwardRef, memo, useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConversationStatus } from '@/lib/contract/models';
import { CONVERSATION_FILTERS, type filterCounts, type ListFilter } from '@/lib/inbox/list-filter';
import type { SearchScope } from '@/lib/inbox/view';

const STATUSES: ConversationStatus[] = ['open', 'snoozed', 'resolved'];
/** Made once: the toolbar renders again when a count changes, its icons need not. */
const SELECT_ICON = <ListChecks aria-hidden="true" />;
const BY_DUE_ICON = <ArrowDownWideNarrow aria-hidden="true" />;

/**
 * Search box and the list's filters: Open / Snoozed / Resolved; Inbox (the default: the agent's
 * and the unassigned) / Mine / Unassigned / All; then Unread, Due first and the team choice.
 * While searching, the filters give way to where the matches are: All, Open, Snoozed, Resolved, each
 * with its count for the query.
 */
export const InboxToolbar = memo(
  forwardRef<
    HTMLInputElement,
    {
      query: string;
      onQuery: (q: string) => void;
      filter: ListFilter;
      onFilter: (f: ListFilter) => void;
      /** None while the panel has only the first screen of the inbox (numbers from it would be wrong). */
      counts: ReturnType<typeof filterCounts> | null;
      searching: boolean;
      searchError: string | null;
      /** While a query is typed: the matches per status, and which the list shows. */
      search: { scope: SearchScope; onScope: (s: SearchScope) => void; counts: Record<ConversationStatus, number>; total: number } | null;
      /** ↓ from the search box moves into the list. */
      onEnterList: () => void;
      /** The organisation's teams (routing), for the team filter; none: no filter shown. */
      teams: Array<{ id: string; name: string; mine: boolean }>;
      /** Selection mode: checkboxes on the rows for a bulk action. */
      selecting: boolean;
      onSelecting: (on: boolean) => void;
    }
  >(function InboxToolbar(props, ref) {
    const { t } = useTranslation('inbox');
    const { t: tr } = useTranslation('routing');
    const searchId = useId();
    // The labels, once per language: the toolbar renders again whenever a count changes.
    const words = useMemo(
      () => ({
        searchLabel: t('search.label'),
        placeholder: t('search.placeholder'),
        select: t('list.select'),
        byStatus: t('filter.status'),
        assignedTo: t('filter.assignedTo'),
        inboxHint: t('filter.inboxHint'),
        unread: t('filter.unread'),
        byDue: tr('sort.byDue'),
        team: tr('teamFilter.label'),
        myTeams: tr('teamFilter.mine'),
        allTeams: tr('teamFilter.all'),
        status: Object.fromEntries(STATUSES.map((s) => [s, t(`status.${s}`)])) as Record<ConversationStatus, string>,
        assignee: Object.fromEntries(CONVERSATION_FILTERS.map((a) => [a, t(`filter.assignee.${a}`)])) as Record<(typeof CONVERSATION_FILTERS)[number], string>,
      }),
      [t, tr],
    );
    return (
      <div className="toolbar">
        <div className="search-row">
          <div className="search" role="search">
            <label htmlFor={searchId} className="visually-hidden">
              {words.searchLabel}
            </label>
            <input
              id={searchId}
              ref={ref}
              type="search"
              placeholder={words.placeholder}
              autoComplete="off"
              aria-keyshortcuts="/ Control+K"
              value={props.query}
              onChange={(e) => props.onQuery(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'ArrowDown') {
                  e.preventDefault();
                  props.onEnterList();
                } else if (e.key === 'Escape' && props.query) {
                  e.stopPropagation();
                  props.onQuery('');
                }
              }}
            />
            <span className="search-state" role="status">
              {props.searchError ? t('search.failed', { error: props.searchError }) : props.searching ? t('search.searching') : ''}
            </span>
          </div>
          <button type="button" className="select-toggle" aria-pressed={props.selecting} onClick={() => props.onSelecting(!props.selecting)}>
            {SELECT_ICON} <span className="label">{words.select}</span>
          </button>
        </div>
        {props.search ? (
          <SearchScopes {...props.search} />
        ) : (
          <>
            <div className="filters statuses" role="group" aria-label={words.byStatus}>
              {STATUSES.map((status) => (
                <button
                  key={status}
                  type="button"
                  data-filter={`status:${status}`}
                  aria-pressed={props.filter.status === status}
                  onClick={() => props.onFilter({ ...props.filter, status })}
                >
                  {words.status[status]} <span className="count">{props.counts?.status[status]}</span>
                </button>
              ))}
            </div>
            <div className="filters-row">
              <div className="filters" role="group" aria-label={words.assignedTo}>
                {CONVERSATION_FILTERS.map((assignee) => (
                  <button
                    key={assignee}
                    type="button"
                    data-filter={`assignee:${assignee}`}
                    title={assignee === 'inbox' ? words.inboxHint : undefined}
                    aria-pressed={props.filter.assignee === assignee}
                    onClick={() => props.onFilter({ ...props.filter, assignee })}
                  >
                    {words.assignee[assignee]} <span className="count">{props.counts?.assignee[assignee]}</span>
                  </button>
                ))}
              </div>
              <div className="filters">
                <button
                  type="button"
                  data-filter="unread"
                  aria-pressed={props.filter.unread}
                  onClick={() => props.onFilter({ ...props.filter, unread: !props.filter.unread })}
                >
                  {words.unread} <span className="count">{props.counts?.unread}</span>
                </button>
                <button
                  type="button"
                  className="sort-due"
                  data-filter="by-due"
                  aria-pressed={props.filter.byDue}
                  onClick={() => props.onFilter({ ...props.filter, byDue: !props.filter.byDue })}
                >
                  {BY_DUE_ICON} {words.byDue}
                </button>
                {props.teams.length > 0 && (
                  <select
                    className="team-filter"
                    aria-label={words.team}
                    value={props.filter.team}
                    onChange={(e) => props.onFilter({ ...props.filter, team: e.target.value })}
                  >
                    <option value="mine">{words.myTeams}</option>
                    <option value="all">{words.allTeams}</option>
                    {props.teams.map((t) => (
                      <option key={t.id} value={t.id}>
                        {t.name}
                      </option>
                    ))}
                  </select>
                )}
              </div>
            </div>
          </>
        )}
      </div>
    );
  }),
);

const SCOPES: SearchScope[] = ['all', ...STATUSES];

/** Where a search's matches are: every status, or one, each with its count for the query. */
function SearchScopes(props: { scope: SearchScope; onScope: (s: SearchScope) => void; counts: Record<ConversationStatus, number>; total: number }) {
  const { t } = useTranslation('inbox');
  return (
    <div className="filters statuses" role="group" aria-label={t('search.byStatus')}>
      {SCOPES.map((scope) => (
        <button key={scope} type="button" data-filter={`search:${scope}`} aria-pressed={props.scope === scope} onClick={() => props.onScope(scope)}>
          {scope === 'all' ? t('filter.assignee.all') : t(`status.${scope}`)}{' '}
          <span className="count">{scope === 'all' ? props.total : props.counts[scope]}</span>
        </button>
      ))}
    </div>
  );
}
