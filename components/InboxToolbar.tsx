import { forwardRef, useId } from 'react';
import type { ConversationFilter } from '@/lib/inbox/view';

const FILTERS: Array<[ConversationFilter, string]> = [
  ['mine', 'Mine'],
  ['unassigned', 'Unassigned'],
  ['all', 'All'],
];

/** Search box and the Mine / Unassigned / All filters above the conversation list. */
export const InboxToolbar = forwardRef<
  HTMLInputElement,
  {
    query: string;
    onQuery: (q: string) => void;
    filter: ConversationFilter;
    onFilter: (f: ConversationFilter) => void;
    counts: Record<ConversationFilter, number>;
    searching: boolean;
    searchError: string | null;
    /** ↓ from the search box moves into the list. */
    onEnterList: () => void;
  }
>(function InboxToolbar(props, ref) {
  const searchId = useId();
  return (
    <div className="toolbar">
      <div className="search" role="search">
        <label htmlFor={searchId} className="visually-hidden">
          Search conversations
        </label>
        <input
          id={searchId}
          ref={ref}
          type="search"
          placeholder="Search name, number or message…"
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
          {props.searchError ? `Search failed: ${props.searchError}` : props.searching ? 'Searching all messages…' : ''}
        </span>
      </div>
      <div className="filters" role="group" aria-label="Show">
        {FILTERS.map(([f, label]) => (
          <button key={f} type="button" aria-pressed={props.filter === f} onClick={() => props.onFilter(f)}>
            {label} <span className="count">{props.counts[f]}</span>
          </button>
        ))}
      </div>
    </div>
  );
});
