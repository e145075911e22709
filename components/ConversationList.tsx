import { forwardRef, memo, useCallback, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { defaultRangeExtractor, useVirtualizer, type Range, type Virtualizer } from '@tanstack/react-virtual';
import type { AgentConversationView } from '@/lib/contract/models';
import { dates } from '@/lib/i18n/format';
import { dueLabel, previewAuthor } from '@/lib/inbox/row';
import { assignSlots } from '@/lib/inbox/row-slots';
import { Row, rowWords, waitedLabel } from './ConversationRow';

export interface ConversationListHandle {
  /** Puts keyboard focus on a row (the open conversation's, or the first). */
  focus(id?: string | null): void;
}

/**
 * Conversations, newest first, virtualised (only the rows on screen are in the page, so 2,000
 * conversations scroll like 20). Keyboard: ↑/↓/Home/End move between rows (one tab stop for the
 * whole list), Enter opens. Customer text is rendered as text only.
 */
export const ConversationList = memo(
  forwardRef<
    ConversationListHandle,
    {
      conversations: AgentConversationView[];
      selectedId: string | null;
      /** Opens a conversation; `byKeyboard` when from the list's keyboard flow (Enter or Space on a row). */
      onOpen: (id: string, byKeyboard: boolean) => void;
      /** conversation -> names of colleagues typing in it now */
      typing: Record<string, string[]>;
      /** agent id -> name, for the assignee shown on each row */
      agentNames: Record<string, string>;
      me: string;
      /** conversation -> the message text that matched a search */
      matches?: Record<string, string>;
      emptyText: string;
      /** Say on each row where the conversation is (Open, Snoozed, Resolved): search results of every status. */
      showStatus?: boolean;
      /** Selection mode: each row has a checkbox, for a bulk action. */
      selecting: boolean;
      /** Conversations picked for a bulk action (checkboxes). */
      checked: ReadonlySet<string>;
      /** Now, to the minute: how long customers have waited. */
      now: number;
      onCheck: (id: string, checked: boolean) => void;
      /** The rows in the page changed: those on screen, a few beyond and the tab-stop row (their typing and viewing are then asked for). */
      onRowsShown?: (ids: string[]) => void;
    }
  >(function ConversationList(props, ref) {
    const { conversations } = props;
    const { t, i18n } = useTranslation('inbox');
    const { t: tr } = useTranslation('routing');
    const words = useMemo(() => ({ you: t('list.you'), aColleague: t('list.aColleague') }), [t]);
    const rowSays = useMemo(() => rowWords(t, dates(i18n.language)), [t, i18n.language]);
    const dueText = (c: AgentConversationView) => {
      const due = dueLabel(c, props.now, i18n.language);
      if (!due) return null;
      const text = due.overdue ? tr(`due.${due.kind}Overdue`, { by: due.duration }) : tr(`due.${due.kind}`, { in: due.duration });
      return { text, overdue: due.overdue };
    };
    const scroller = useRef<HTMLDivElement | null>(null);
    // Sizes are kept by conversation: a row moving to the top (a new message) is not measured again,
    // and the rows it pushes down only move (a transform the virtualizer writes, no layout or repaint
    // of their content).
    const getItemKey = useCallback((index: number) => conversations[index]?.id ?? index, [conversations]);
    // The row in the tab order (one tab stop for the list), by conversation: it stays with the
    // conversation when a new message reorders the list (no second render to follow it). The first
    // row until the agent moves in the list.
    const [activeId, setActiveId] = useState<string | null>(null);
    const activeIndex = useMemo(() => Math.max(0, activeId ? conversations.findIndex((c) => c.id === activeId) : 0), [activeId, conversations]);
    // The tab-stop row stays in the page wherever the list is scrolled and however far messages push
    // it down: Tab into the list lands on it, and the keyboard focus on it is never taken away.
    const rangeExtractor = useCallback((range: Range) => withIndex(defaultRangeExtractor(range), activeIndex, range.count), [activeIndex]);
    const virtualizer = useVirtualizer({
      count: conversations.length,
      getScrollElement: () => scroller.current,
      estimateSize: estimateRow,
      getItemKey,
      overscan: 3,
      rangeExtractor,
      directDomUpdates: true,
      measureElement: measureRow,
      // Until the scroller's size is reported (after the browser's layout): the window's height, so
      // the first render already has the rows on screen (a second render for them delayed the
      // panel's first paint).
      initialRect: { width: 0, height: window.innerHeight },
      observeElementRect: observeScroller,
    });
    const rows = virtualizer.getVirtualItems();
    // Each row's element (slot, lib/inbox/row-slots.ts): a conversation coming onto the screen takes
    // the element of one that left it, so the browser updates a row's texts rather than removing one
    // row and building another. The focused row's element stays its own. Computed from the slots
    // of the last render React committed (a render it threw away changed no element).
    const committed = useRef<ReadonlyMap<string, number>>(NO_SLOTS);
    const slotOf = assignSlots(
      committed.current,
      rows.map((r) => conversations[r.index]!.id),
      focusedConversation(scroller.current),
    );
    // The virtualizer finds a row's element by conversation: a ref per conversation tells it when an
    // element changes hands (React calls the old conversation's with null, the new one's with the element).
    const [refs] = useState(() => new Map<string, (el: HTMLDivElement | null) => void>());
    const [handovers] = useState(() => handoverSizes(virtualizer));
    useEffect(() => () => handovers.disconnect(), [handovers]);
    useLayoutEffect(() => {
      committed.current = slotOf;
      for (const id of refs.keys()) if (!slotOf.has(id)) refs.delete(id);
    });
    const rowRef = (id: string) => {
      let ref = refs.get(id);
      if (!ref) {
        ref = (el) => {
          // The element's last conversation no longer owns it: left in the virtualizer's cache, that
          // conversation coming back on another element would have the virtualizer stop observing this one.
          let handedOver = false;
          for (const [key, node] of virtualizer.elementsCache) {
            if (node !== el || key === id) continue;
            virtualizer.elementsCache.delete(key);
            handedOver = true;
          }
          virtualizer.measureElement(el);
          if (el && handedOver) handovers.measure(el);
        };
        refs.set(id, ref);
      }
      return ref;
    };
    // As a sorted set: a conversation moving within the rows on screen changes nothing to ask for.
    const shownIds = rows
      .map((r) => conversations[r.index]?.id)
      .filter((id): id is string => id !== undefined)
      .sort()
      .join();
    const onRowsShown = props.onRowsShown;
    useEffect(() => onRowsShown?.(shownIds ? shownIds.split(',') : []), [shownIds, onRowsShown]);

    const focusRow = (index: number) => {
      setActiveId(conversations[index]?.id ?? null);
      virtualizer.scrollToIndex(index, { align: 'auto' });
      // The row may only exist after the scroll renders it; by then the agent may have moved on (to
      // the Undo of what sent them back here, say): focus someone else put elsewhere stays there.
      const from = document.activeElement;
      const tryFocus = (attempts: number) => {
        const now = document.activeElement;
        if (now !== from && now !== document.body && now !== null) return;
        const row = scroller.current?.querySelector<HTMLElement>(`[data-index="${index}"] button`);
        if (row) row.focus();
        else if (attempts > 0) requestAnimationFrame(() => tryFocus(attempts - 1));
      };
      tryFocus(10);
    };
    useImperativeHandle(ref, () => ({
      focus(id) {
        const i = id ? conversations.findIndex((c) => c.id === id) : -1;
        focusRow(i >= 0 ? i : 0);
      },
    }));
    // Stable (rows do not re-render for them): they read the list as it is when they run.
    const latest = useRef({ conversations, activeIndex, focusRow });
    latest.current = { conversations, activeIndex, focusRow };
    const onRowFocus = useCallback((id: string) => setActiveId(id), []);
    const onKeyDown = useCallback((e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const { conversations: list, activeIndex: at, focusRow: focus } = latest.current;
      const last = list.length - 1;
      const next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: last, PageDown: at + 10, PageUp: at - 10 }[e.key];
      if (next === undefined) return;
      e.preventDefault();
      focus(Math.max(0, Math.min(last, next)));
    }, []);

    if (conversations.length === 0) return <p className="empty">{props.emptyText}</p>;

    // The rows stay in the page in one order (by slot) and the screen's order is the transform: a
    // message moving a row to the top moves no element (React would move every row above it, and
    // the browser style, lay out and shape each one again). Assistive technologies read the
    // screen's order from `aria-owns`, and each row says its place (`aria-posinset`).
    const inPage = [...rows].sort((a, b) => slotOf.get(conversations[a.index]!.id)! - slotOf.get(conversations[b.index]!.id)!);
    return (
      <div ref={scroller} className="conversations-scroller">
        <div
          ref={virtualizer.containerRef}
          role="list"
          aria-label={t('list.label')}
          aria-owns={rows.map((r) => rowId(conversations[r.index]!.id)).join(' ')}
          className="conversations"
        >
          {inPage.map(({ index }) => {
            const c = conversations[index]!;
            return (
              // Positioned by the virtualizer (a transform); measured once per conversation.
              <div
                key={slotOf.get(c.id)}
                id={rowId(c.id)}
                role="listitem"
                aria-posinset={index + 1}
                aria-setsize={conversations.length}
                className="conversation-item"
                data-index={index}
                ref={rowRef(c.id)}
              >
                <Row
                  conversation={c}
                  selected={c.id === props.selectedId}
                  tabbable={index === activeIndex}
                  typing={props.typing[c.id]}
                  assignee={c.assigneeId ? (c.assigneeId === props.me ? words.you : (props.agentNames[c.assigneeId] ?? words.aColleague)) : null}
                  match={props.matches?.[c.id]}
                  showStatus={!!props.showStatus}
                  author={previewAuthor(c, props.me, props.agentNames, words)}
                  waited={waitedLabel(c, props.now, i18n.language)}
                  due={dueText(c)}
                  selecting={props.selecting}
                  checked={props.checked.has(c.id)}
                  onCheck={props.onCheck}
                  onOpen={props.onOpen}
                  onFocus={onRowFocus}
                  onKeyDown={onKeyDown}
                  words={rowSays}
                />
              </div>
            );
          })}
        </div>
      </div>
    );
  }),
);

const rowId = (conversationId: string) => `conversation-row-${conversationId}`;
const NO_SLOTS: ReadonlyMap<string, number> = new Map();

/** `indexes` (ascending) with `index` among them, when it is one of the list's `count`. */
const withIndex = (indexes: number[], index: number, count: number) => {
  if (index < 0 || index >= count || indexes.includes(index)) return indexes;
  return [...indexes, index].sort((a, b) => a - b);
};

/**
 * The height of a row that took over another's element, from a ResizeObserver report of its own.
 * The virtualizer's observer already watches the element and reports it only when its size changes:
 * a conversation as tall as the element's last one, but not as its own known or estimated height,
 * would keep the wrong height (rows below overlapping it, or a gap).
 */
const handoverSizes = (list: Virtualizer<HTMLDivElement, HTMLDivElement>) => {
  let observer: ResizeObserver | null = null;
  return {
    measure(el: HTMLDivElement) {
      observer ??= new ResizeObserver((entries) => {
        // Every report read before any is applied: a resize can render the list again at once.
        const sizes: Array<[number, number]> = [];
        for (const entry of entries) {
          observer?.unobserve(entry.target);
          const box = entry.borderBoxSize?.[0];
          if (!box || !entry.target.isConnected) continue;
          const index = list.indexFromElement(entry.target as HTMLDivElement);
          if (index >= 0 && index < list.options.count) sizes.push([index, Math.round(box.blockSize)]);
        }
        for (const [index, size] of sizes) list.resizeItem(index, (rowHeight.last = size));
      });
      observer.observe(el, { box: 'border-box' });
    },
    disconnect: () => observer?.disconnect(),
  };
};

/** The conversation whose row holds the keyboard focus (its button or checkbox), if any. */
const focusedConversation = (list: HTMLElement | null) => {
  const at = document.activeElement;
  if (!list || !at || !list.contains(at)) return null;
  return at.closest('.conversation-item')?.id.slice(rowId('').length) ?? null;
};

/**
 * A row's height before it is measured: the last row measured (rows mostly look alike), else the
 * usual three lines. A right guess costs nothing when the row's report comes; a wrong one moves
 * the rows below it once more.
 */
const rowHeight = { last: 76 };
const estimateRow = () => rowHeight.last;

/**
 * The scroller's size as its ResizeObserver reports it, after the browser's own layout. The
 * library's default also reads it in the commit, which forced a layout of the whole panel before
 * its first paint (issue 34).
 */
const observeScroller = (list: Virtualizer<HTMLDivElement, HTMLDivElement>, report: (rect: { width: number; height: number }) => void) => {
  const el = list.scrollElement;
  if (!el) return;
  const observer = new ResizeObserver(() => report({ width: el.clientWidth, height: el.clientHeight }));
  observer.observe(el);
  return () => observer.disconnect();
};

/**
 * A row's height as its ResizeObserver reports it, after the browser's own layout. When a row is
 * put in the page there is no report yet: its last known height (or the estimate) stands until the
 * report, in the same frame, rather than reading it at once (a forced layout in every commit).
 */
const measureRow = (el: HTMLDivElement, entry: ResizeObserverEntry | undefined, list: Virtualizer<HTMLDivElement, HTMLDivElement>) => {
  const box = entry?.borderBoxSize?.[0];
  if (box) return (rowHeight.last = Math.round(box.blockSize));
  return list.itemSizeCache.get(list.options.getItemKey(list.indexFromElement(el))) ?? rowHeight.last;
};
