import { AlarmClock, Ban, Camera, Clock, MapPin, Paperclip, User } from 'lucide-react';
import { memo, useRef, type KeyboardEvent } from 'react';
import type { TFunction } from 'i18next';
import type { AgentConversationView } from '@/lib/contract/models';
import { sayOnce, type Dates } from '@/lib/i18n/format';
import { initials, waitingSince, waitLabel } from '@/lib/inbox/row';
import { backNotice, previewParts } from '@/lib/inbox/view';
import { contactDir, contactLabel } from './format';
import { TypingDots } from './TypingDots';

/** How many of a row's sentences are kept (counts, waits, names): a few hundred in a working day. */
const WORDS_KEPT = 1000;

/**
 * A row's words in the agent's language, each sentence made once: a new message renders a row,
 * and an i18next lookup (a plural above all) costs more than the rest of the row. The list makes
 * one set per language, so a row renders again when the language changes.
 */
export function rowWords(t: TFunction<'inbox'>, dates: Dates) {
  const once = sayOnce(WORDS_KEPT);
  return {
    t,
    ...dates,
    unread: (count: number) => once(`unread ${count}`, () => t('list.unread', { count })),
    waiting: (time: string) => once(`waiting ${time}`, () => t('list.waiting', { time })),
    assignedTo: (name: string) => once(`assigned ${name}`, () => t('list.assignedTo', { name })),
    optedOut: () => once('opted out', () => t('list.optedOut')),
  };
}
export type RowWords = ReturnType<typeof rowWords>;

/** One conversation; re-renders only when its own data changes (a busy inbox changes a few rows at a time). */
export const Row = memo(
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
    /** The row's words in the agent's language (`rowWords`, one set per language). */
    words: RowWords;
  }) {
    const c = p.conversation;
    const w = p.words;
    const { t, shortTime, whenLabel } = w;
    const back = backNotice(c);
    // The list hands a row's element to another conversation when this one leaves the page
    // (ConversationList): a click pressed on one conversation and released after the element
    // changed hands is not the other's. Decided when the pointer is released (a touch's click
    // follows its release and leave) for the click that follows; every pointer click begins with
    // its own press. A click from the keyboard or a screen reader (no pointer: `detail` 0) goes through.
    const press = useRef<{ on: string | null; otherConversation: boolean }>({ on: null, otherConversation: false });
    const byKeyboard = useRef(false);
    const pointer = {
      onPointerDown: () => void (press.current = { on: c.id, otherConversation: false }),
      onPointerUp: () => void (press.current = { on: null, otherConversation: press.current.on !== null && press.current.on !== c.id }),
    };
    /** False for the click of a press that began on another conversation; forgets it. */
    const samePress = () => {
      const other = press.current.otherConversation;
      press.current = { on: null, otherConversation: false };
      return !other;
    };
    return (
      <>
        {p.selecting && (
          <input
            type="checkbox"
            className="pick"
            checked={p.checked}
            tabIndex={p.tabbable ? 0 : -1}
            aria-label={t('list.pick', { name: contactLabel(c) })}
            {...pointer}
            onFocus={() => p.onFocus(c.id)}
            // React calls onClick before onChange for the same click.
            onClick={(e) => void (byKeyboard.current = e.detail === 0)}
            onChange={(e) => (byKeyboard.current || samePress()) && p.onCheck(c.id, e.target.checked)}
          />
        )}
        <button
          type="button"
          className={`conversation${p.selected ? ' selected' : ''}${c.unreadCount ? ' unread' : ''}`}
          aria-current={p.selected ? 'true' : undefined}
          tabIndex={p.tabbable ? 0 : -1}
          data-conversation-id={c.id}
          {...pointer}
          // A click from Enter or Space has no pointer clicks (detail 0).
          onClick={(e) => (e.detail === 0 || samePress()) && p.onOpen(c.id, e.detail === 0)}
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
                <span className="unread-count" aria-label={w.unread(c.unreadCount)}>
                  {c.unreadCount}
                </span>
              )}
            </span>
            {(p.waited || c.optedOutAt || p.assignee || p.due) && (
              <span className="row meta">
                {p.due && (
                  <span className={`due${p.due.overdue ? ' overdue' : ''}`} data-due={p.due.overdue ? 'overdue' : 'due'}>
                    {ICONS.due} {p.due.text}
                  </span>
                )}
                {p.waited && (
                  <span className="waiting">
                    {ICONS.waiting} {w.waiting(p.waited)}
                  </span>
                )}
                {c.optedOutAt && (
                  <span className="opted-out-tag">
                    {ICONS.optedOut} {w.optedOut()}
                  </span>
                )}
                {p.assignee && (
                  <span className="assignee" data-assignee={c.assigneeId}>
                    {w.assignedTo(p.assignee)}
                  </span>
                )}
              </span>
            )}
            {c.status === 'snoozed' && c.snoozedUntil && <span className="status-note">{t('list.snoozedUntil', { when: whenLabel(c.snoozedUntil) })}</span>}
            {back && <span className="status-note back">{t(`list.back.${back}`)}</span>}
          </span>
        </button>
      </>
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
    a.onFocus === b.onFocus &&
    a.onKeyDown === b.onKeyDown &&
    a.words === b.words &&
    (a.typing ?? []).join() === (b.typing ?? []).join(),
);

/**
 * The row's icons, made once: the same element each render, so React skips them (a new message
 * renders its row, and each render built its icons' SVG again: docs/delivery-scope.md).
 */
const ICONS = {
  due: <AlarmClock aria-hidden="true" />,
  waiting: <Clock aria-hidden="true" />,
  optedOut: <Ban aria-hidden="true" />,
  person: <User />,
};
const PREVIEW_ICONS = { location: <MapPin aria-hidden="true" />, photo: <Camera aria-hidden="true" />, attachment: <Paperclip aria-hidden="true" /> };

/** The last message's preview, with who wrote it when it is a reply; a location or file with its icon. */
function Preview({ text, author }: { text: string; author?: string | null }) {
  const { kind, text: rest } = previewParts(text);
  const icon = kind && PREVIEW_ICONS[kind];
  return (
    <span className="preview">
      {author && <span className="author">{author}: </span>}
      {icon}
      {/* The customer's words in their own direction (an English preview in an Arabic page). */}
      {icon && ' '}
      <bdi>{rest}</bdi>
    </span>
  );
}

export const waitedLabel = (c: AgentConversationView, now: number, locale: string) => {
  const since = waitingSince(c);
  return since ? waitLabel(since, now, locale) : null;
};

/** The contact's initials (a person icon for a bare number); decorative, the name is beside it. */
function Avatar({ name }: { name: string | null }) {
  const letters = initials(name);
  return (
    <span className="avatar" aria-hidden="true">
      {letters ?? ICONS.person}
    </span>
  );
}
