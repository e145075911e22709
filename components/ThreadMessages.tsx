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
 * that appeared above the first message shown (older history), unchanged by new messages below.
 */
export function usePrependedIndex(items: ThreadItem[]): number {
  const anchor = useRef<{ key: string | null; at: number; offset: number }>({ key: null, at: 0, offset: 0 });
  return useMemo(() => {
    const a = anchor.current;
    const at = a.key ? items.findIndex((i) => i.key === a.key) : -1;
    if (at < 0) {
      const first = items.findIndex((i) => i.kind === 'message');
      a.key = first >= 0 ? items[first]!.key : null;
      a.at = first;
    } else if (at !== a.at) {
      a.offset += at - a.at;
      a.at = at;
    }
    return FIRST_INDEX - a.offset;
  }, [items]);
}

/** The header above the oldest message: the state of loading older history. */
function ThreadHeader({ context }: { context?: HistoryContext }) {
  return context ? <HistoryState state={context.history} onRetry={context.loadOlder} /> : null;
}

// One object for every render: a new one (or a new Header component) makes react-virtuoso remount them.
export const THREAD_COMPONENTS = { List: MessagesList, Item: MessageItem, Header: ThreadHeader };
