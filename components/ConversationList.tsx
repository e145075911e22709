import { AlarmClock, Ban, Camera, Clock, MapPin, Paperclip, User } from 'lucide-react';
import { forwardRef, memo, useCallback, useEffect, useImperativeHandle, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import type { AgentConversationView } from '@/lib/contract/models';
import { dueLabel, initials, previewAuthor, waitingSince, waitLabel } from '@/lib/inbox/row';
import { backNotice, previewParts } from '@/lib/inbox/view';
import { useFormat } from '@/lib/hooks/useFormat';
import { contactDir, contactLabel } from './format';
import { TypingDots } from './TypingDots';

export interface ConversationListHandle {
  /** Puts keyboard focus on a row (the open conversation's, or the first). */
  focus(id?: string | null): void;
}

/**
 * Conversations, newest first, virtualised (only the rows on screen are in the page, so 2,000
 * conversations scroll like 20). Keyboard: ↑/↓/Home/End move between rows (one tab stop for the
 * whole list), Enter opens. Customer text is rendered as text only.
 */
export const ConversationList = forwardRef<
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
    /** The rows on screen changed (their typing and viewing are then asked for). */
    onRowsShown?: (ids: string[]) => void;
  }
>(function ConversationList(props, ref) {
  const { conversations } = props;
  const { t, i18n } = useTranslation('inbox');
  const { t: tr } = useTranslation('routing');
  const words = { you: t('list.you'), aColleague: t('list.aColleague') };
  const dueText = (c: AgentConversationView) => {
    const due = dueLabel(c, props.now, i18n.language);
    if (!due) return null;
    const text = due.overdue ? tr(`due.${due.kind}Overdue`, { by: due.duration }) : tr(`due.${due.kind}`, { in: due.duration });
    return { text, overdue: due.overdue };
  };
  const virtuoso = useRef<VirtuosoHandle>(null);
  const scroller = useRef<HTMLElement | null>(null);
  const [active, setActive] = useState(0);
  // The rows on screen (what Virtuoso renders), reported when the conversations in them change.
  const [range, setRange] = useState<[number, number]>([0, 0]);
  // As a sorted set: a conversation moving within the rows on screen changes nothing to ask for.
  const shownIds = conversations
    .slice(range[0], range[1] + 1)
    .map((c) => c.id)
    .sort()
    .join();
  const onRowsShown = props.onRowsShown;
  useEffect(() => onRowsShown?.(shownIds ? shownIds.split(',') : []), [shownIds, onRowsShown]);
  const activeIndex = Math.min(active, Math.max(0, conversations.length - 1));

  const focusRow = (index: number) => {
    setActive(index);
    virtuoso.current?.scrollIntoView({ index });
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
  // Keep the active row on the same conversation when the order changes under it.
  const activeId = conversations[activeIndex]?.id;
  const activeIdRef = useRef(activeId);
  useEffect(() => {
    const i = conversations.findIndex((c) => c.id === activeIdRef.current);
    if (i >= 0 && i !== activeIndex) setActive(i);
    activeIdRef.current = conversations[i >= 0 ? i : activeIndex]?.id;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [conversations]);

  // Stable (rows do not re-render for it), and by id: a row kept from an earlier render may have moved.
  const conversationsRef = useRef(conversations);
  conversationsRef.current = conversations;
  const onRowFocus = useCallback((id: string) => {
    activeIdRef.current = id;
    const i = conversationsRef.current.findIndex((c) => c.id === id);
    if (i >= 0) setActive(i);
  }, []);

  // Stable across renders: a new scroller callback makes react-virtuoso re-read the scroll
  // geometry (a forced layout) on every render.
  const setScroller = useCallback((el: HTMLElement | Window | null) => void (scroller.current = el as HTMLElement | null), []);

  if (conversations.length === 0) return <p className="empty">{props.emptyText}</p>;

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const last = conversations.length - 1;
    const next = { ArrowDown: activeIndex + 1, ArrowUp: activeIndex - 1, Home: 0, End: last, PageDown: activeIndex + 10, PageUp: activeIndex - 10 }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    focusRow(Math.max(0, Math.min(last, next)));
  };

  return (
    <Virtuoso
      ref={virtuoso}
      scrollerRef={setScroller}
      className="conversations-scroller"
      data={conversations}
      computeItemKey={(_, c) => c.id}
      increaseViewportBy={200}
      // The same range again (Virtuoso reports one after each change of the list) keeps the state: no second render.
      rangeChanged={({ startIndex, endIndex }) => setRange((r) => (r[0] === startIndex && r[1] === endIndex ? r : [startIndex, endIndex]))}
      components={COMPONENTS}
      itemContent={(index, c) => (
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
        />
      )}
    />
  );
});

const ListElement = forwardRef<HTMLDivElement, React.HTMLAttributes<HTMLDivElement>>(function ListElement(props, ref) {
  const { t } = useTranslation('inbox');
  return <div {...props} ref={ref} role="list" aria-label={t('list.label')} className="conversations" />;
});
// One object for every render (a new one would make react-virtuoso remount its list).
const COMPONENTS = { List: ListElement };

/** One conversation; re-renders only when its own data changes (a busy inbox changes a few rows at a time). */
const Row = memo(
  function Row(p: {
    conversation: AgentConversationView;
    selected: boolean;
    tabbable: boolean;
    typing: string[] | undefined;
    assignee: string | null;
    match: string | undefined;
    showStatus: boolean;
    /** "You" or a colleague's name when the last message is a reply. */
    author: string | null;
    /** How long the customer has waited for an answer, or null. */
    waited: string | null;
    /** The next SLA due time ("Reply due in 4 min"), or null; `overdue` when it passed (shown red). */
    due: { text: string; overdue: boolean } | null;
    selecting: boolean;
    checked: boolean;
    onCheck: (id: string, checked: boolean) => void;
    onOpen: (id: string, byKeyboard: boolean) => void;
    onFocus: (id: string) => void;
    onKeyDown: (e: KeyboardEvent) => void;
  }) {
    const c = p.conversation;
    const { t } = useTranslation('inbox');
    const { shortTime, whenLabel } = useFormat();
    const back = backNotice(c);
    return (
      <div role="listitem" className="conversation-item">
        {p.selecting && (
          <input
            type="checkbox"
            className="pick"
            checked={p.checked}
            tabIndex={p.tabbable ? 0 : -1}
            aria-label={t('list.pick', { name: contactLabel(c) })}
            onChange={(e) => p.onCheck(c.id, e.target.checked)}
          />
        )}
        <button
          type="button"
          className={`conversation${p.selected ? ' selected' : ''}${c.unreadCount ? ' unread' : ''}`}
          aria-current={p.selected ? 'true' : undefined}
          tabIndex={p.tabbable ? 0 : -1}
          data-conversation-id={c.id}
          // A click from Enter or Space has no pointer clicks (detail 0).
          onClick={(e) => p.onOpen(c.id, e.detail === 0)}
          onFocus={() => p.onFocus(c.id)}
          onKeyDown={p.onKeyDown}
        >
          <Avatar name={c.contact.profileName} />
          <span className="summary">
            <span className="row">
              <span className="name" dir={contactDir(c)}>
                {contactLabel(c)}
              </span>
              {p.showStatus && (
                <span className="where" data-status={c.status}>
                  {t(`status.${c.status}`)}
                </span>
              )}
              <time dateTime={c.lastMessageAt ?? undefined}>{shortTime(c.lastMessageAt)}</time>
            </span>
            <span className="row">
              {p.typing?.length ? <TypingDots names={p.typing} /> : <Preview text={p.match ?? c.lastMessagePreview ?? ''} author={p.match ? null : p.author} />}
              {c.unreadCount > 0 && (
                <span className="unread-count" aria-label={t('list.unread', { count: c.unreadCount })}>
                  {c.unreadCount}
                </span>
              )}
            </span>
            {(p.waited || c.optedOutAt || p.assignee || p.due) && (
              <span className="row meta">
                {p.due && (
                  <span className={`due${p.due.overdue ? ' overdue' : ''}`} data-due={p.due.overdue ? 'overdue' : 'due'}>
                    <AlarmClock aria-hidden="true" /> {p.due.text}
                  </span>
                )}
                {p.waited && (
                  <span className="waiting">
                    <Clock aria-hidden="true" /> {t('list.waiting', { time: p.waited })}
                  </span>
                )}
                {c.optedOutAt && (
                  <span className="opted-out-tag">
                    <Ban aria-hidden="true" /> {t('list.optedOut')}
                  </span>
                )}
                {p.assignee && (
                  <span className="assignee" data-assignee={c.assigneeId}>
                    {t('list.assignedTo', { name: p.assignee })}
                  </span>
                )}
              </span>
            )}
            {c.status === 'snoozed' && c.snoozedUntil && <span className="status-note">{t('list.snoozedUntil', { when: whenLabel(c.snoozedUntil) })}</span>}
            {back && <span className="status-note back">{t(`list.back.${back}`)}</span>}
          </span>
        </button>
      </div>
    );
  },
  (a, b) =>
    a.conversation === b.conversation &&
    a.selected === b.selected &&
    a.tabbable === b.tabbable &&
    a.assignee === b.assignee &&
    a.match === b.match &&
    a.showStatus === b.showStatus &&
    a.author === b.author &&
    a.waited === b.waited &&
    a.due?.text === b.due?.text &&
    a.due?.overdue === b.due?.overdue &&
    a.selecting === b.selecting &&
    a.checked === b.checked &&
    a.onCheck === b.onCheck &&
    a.onOpen === b.onOpen &&
    (a.typing ?? []).join() === (b.typing ?? []).join(),
);

const PREVIEW_ICONS = { location: MapPin, photo: Camera, attachment: Paperclip };

/** The last message's preview, with who wrote it when it is a reply; a location or file with its icon. */
function Preview({ text, author }: { text: string; author?: string | null }) {
  const { kind, text: rest } = previewParts(text);
  const Icon = kind && PREVIEW_ICONS[kind];
  return (
    <span className="preview">
      {author && <span className="author">{author}: </span>}
      {Icon && <Icon aria-hidden="true" />}
      {/* The customer's words in their own direction (an English preview in an Arabic page). */}
      {Icon && ' '}
      <bdi>{rest}</bdi>
    </span>
  );
}

const waitedLabel = (c: AgentConversationView, now: number, locale: string) => {
  const since = waitingSince(c);
  return since ? waitLabel(since, now, locale) : null;
};

/** The contact's initials (a person icon for a bare number); decorative, the name is beside it. */
function Avatar({ name }: { name: string | null }) {
  const letters = initials(name);
  return (
    <span className="avatar" aria-hidden="true">
      {letters ?? <User />}
    </span>
  );
}
