/** The parts react-virtuoso renders a thread's messages with, and the index that keeps the view put as older pages arrive. */
import { forwardRef, useMemo, useRef, type HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import type { ItemProps } from 'react-virtuoso';
import type { ThreadItem } from '@/lib/inbox/view';

/** Virtuoso's index of the first item: lowered as older pages are prepended, so the view stays put. */
const FIRST_INDEX = 1_000_000;

/** What the list's parts are told: the state of older history, how to load it, the message highlighted. */
export type HistoryContext = { history: 'idle' | 'loading' | 'done' | 'error'; loadOlder: () => void; highlight: string | null };

function HistoryState({ state, onRetry }: { state: HistoryContext['history']; onRetry: () => void }) {
  const { t } = useTranslation('inbox');
  if (state === 'loading') return <p className="history">{t('history.loading')}</p>;
  if (state === 'done') return <p className="history">{t('history.start')}</p>;
  if (state === 'error')
    return (
      <p className="history">
        {t('history.failed')}{' '}
        <button type="button" onClick={onRetry}>
          {t('tryAgain', { ns: 'common' })}
        </button>
      </p>
    );
  return <p className="history" />;
}

const MessagesList = forwardRef<HTMLOListElement, HTMLAttributes<HTMLOListElement> & { context?: HistoryContext }>(function MessagesList(
  { context: _, ...props },
  ref,
) {
  const { t } = useTranslation('inbox');
  return <ol {...props} ref={ref} className="messages" aria-label={t('thread.messages')} />;
});

function MessageItem({ item, context, ...props }: ItemProps<ThreadItem> & { context?: HistoryContext }) {
  if (item.kind === 'message') {
    const m = item.message;
    const highlighted = context?.highlight === m.id;
    return (
      <li
        {...props}
        className={`message ${m.direction}${highlighted ? ' highlighted' : ''}`}
        data-message-id={m.id}
        data-status={m.status}
        aria-current={highlighted ? 'true' : undefined}
      />
    );
  }
  // Plain list items (a list may hold nothing else): their text says what they mark.
  if (item.kind === 'new') return <li {...props} className="new-marker" />;
  return <li {...props} className="day" />;
}

/**
 * Virtuoso's `firstItemIndex` for a list that grows at both ends: lowered by the number of items
 * that appeared above the message the agent reads (the first one in view, `topInView`, read from
 * the page as the items change, before they are committed; while the view is held at the bottom,
 * the message found last, or the first one), so the view stays put as older pages arrive and when
 * a message lands in the history above it (a catch-up filling a gap); unchanged by new messages
 * below. A memo with effects on purpose: the anchor must be read before the new items render.
 */
export function usePrependedIndex(items: ThreadItem[], topInView: () => number | null): number {
  const anchor = useRef<{ key: string | null; at: number; offset: number }>({ key: null, at: 0, offset: 0 });
  // The items and first index the page shows until this change is committed.
  const shown = useRef<{ items: ThreadItem[]; first: number }>({ items: [], first: FIRST_INDEX });
  return useMemo(() => {
    const a = anchor.current;
    const inView = topInView();
    const read = inView === null ? undefined : shown.current.items[inView - shown.current.first];
    if (read) {
      a.key = read.key;
      a.at = inView! - shown.current.first;
    }
    const at = a.key ? items.findIndex((i) => i.key === a.key) : -1;
    if (at < 0) {
      const first = items.findIndex((i) => i.kind === 'message');
      a.key = first >= 0 ? items[first]!.key : null;
      a.at = first;
    } else if (at !== a.at) {
      a.offset += at - a.at;
      a.at = at;
    }
    shown.current = { items, first: FIRST_INDEX - a.offset };
    return FIRST_INDEX - a.offset;
  }, [items, topInView]);
}

/** The header above the oldest message: the state of loading older history. */
function ThreadHeader({ context }: { context?: HistoryContext }) {
  return context ? <HistoryState state={context.history} onRetry={context.loadOlder} /> : null;
}

// One object for every render: a new one (or a new Header component) makes react-virtuoso remount them.
export const THREAD_COMPONENTS = { List: MessagesList, Item: MessageItem, Header: ThreadHeader };
