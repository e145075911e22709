import { useCallback, useEffect, useId, useMemo, useRef, useState, type RefObject } from 'react';
import { ArrowDown, ArrowLeft } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import type { CollisionNotice } from '@/lib/collab/state';
import type { CannedReply } from '@/lib/contract/api';
import type { AgentConversationView, AgentSummary, MessageView } from '@/lib/contract/models';
import type { ConversationIntents } from '@/lib/hooks/useConversationIntents';
import { useFollowBottom } from '@/lib/hooks/useFollowBottom';
import { statusChangeText, statusUndo, unreadUndo, type Undoable } from '@/lib/inbox/undo';
import { activityText, mergeThread, repliedSince, threadItems, unseenInbound, type ThreadItem } from '@/lib/inbox/view';
import { sendMessage } from '@/lib/messaging/protocol';
import { Composer } from './Composer';
import { useFormat } from '@/lib/hooks/useFormat';
import { contactDir, contactLabel } from './format';
import { CrmRecordLink } from './CrmRecordLink';
import { MessageBubble } from './MessageBubble';
import { StatusActions, type StatusActionsHandle } from './StatusActions';
import { THREAD_COMPONENTS, usePrependedIndex, type HistoryContext } from './ThreadMessages';
import { TypingDots } from './TypingDots';

export interface ThreadProps {
  conversation: AgentConversationView;
  /** The cached latest messages, oldest first. */
  messages: MessageView[];
  me: string;
  agents: AgentSummary[];
  cannedReplies: CannedReply[];
  onBack: () => void;
  /** Colleagues typing a reply ("Bob is typing a reply"), else those viewing, or null. */
  collision: CollisionNotice | null;
  typing: string[];
  /** What the agent can do here (send, note, assign, retry, load history and files). */
  intents: ConversationIntents;
  /** The reply box, for the panel's R key. */
  replyBox: RefObject<HTMLTextAreaElement | null>;
  /** Resolve, snooze and mark unread, for the panel's E, Z and U keys. */
  statusActions: RefObject<StatusActionsHandle | null>;
  /** The conversation left the agent's hands (resolved, snoozed): back to the list. */
  onSetAside: () => void;
  /** Replies of the outbox that wait for the connection (`waitingReplies`). */
  waiting: ReadonlySet<string>;
  /** A change the agent may take back (status, mark unread): offered as an Undo. */
  onUndoable: (u: Undoable) => void;
  /**
   * Opened to answer (a click): the reply box takes the focus. Opened from the list's keyboard
   * flow: the conversation's name does, so R, E, Z and U act at once.
   */
  focusReply: boolean;
}

/**
 * One conversation: header with assignment, the messages (virtualised, older history loaded on
 * scrolling up, a day separator at each new day and a marker above what was unread), and the
 * composer. New inbound messages are announced to screen readers.
 */
export function Thread(props: ThreadProps) {
  const { conversation: c } = props;
  const { t, i18n } = useTranslation('inbox');
  const { shortTime, whenLabel, formats } = useFormat();
  // What was unread when the agent opened it: the marker stays while the thread is open, until the agent replies.
  const [unreadAtOpen] = useState(c.unreadCount);
  const [atOpen] = useState(() => new Set(props.messages.map((m) => m.id)));
  const [older, setOlder] = useState<MessageView[]>([]);
  const [history, setHistory] = useState<'idle' | 'loading' | 'done' | 'error'>('idle');
  // Everything shown since the thread opened stays (the cache keeps only the latest messages, so
  // its oldest would otherwise vanish from the top as new ones arrive).
  const shown = useRef<MessageView[]>([]);
  const all = useMemo(() => (shown.current = mergeThread(mergeThread(older, shown.current), props.messages)), [older, props.messages]);
  const replied = useMemo(() => repliedSince(all, atOpen), [all, atOpen]);
  const items = useMemo(() => threadItems(all, replied ? 0 : unreadAtOpen, new Date(), i18n.language), [all, unreadAtOpen, replied, i18n.language]);
  const virtuoso = useRef<VirtuosoHandle>(null);
  const markerIndex = items.findIndex((i) => i.kind === 'new');
  const follow = useFollowBottom(markerIndex < 0);
  const firstItemIndex = usePrependedIndex(items, follow.topInView);
  const atBottom = follow.pinned;
  const releaseFollow = follow.release;
  // The last message the agent saw at the bottom: the customer's messages below it are "new".
  const [seenId, setSeenId] = useState<string | null>(all.at(-1)?.id ?? null);
  const lastId = all.at(-1)?.id ?? null;
  useEffect(() => {
    if (atBottom) setSeenId(lastId);
  }, [atBottom, lastId]);
  const unseen = atBottom ? 0 : unseenInbound(all, seenId);
  const announcement = useArrivals(all, (m) => {
    // The agent's own reply: to the bottom, to see it go.
    if (m.direction === 'outbound' && m.status === 'accepted') follow.toBottom();
  });
  const authorName = (id: string | null) => (id ? (id === props.me ? t('list.you') : (props.agents.find((a) => a.id === id)?.displayName ?? null)) : null);

  const loadOlder = () => {
    if (history === 'loading' || history === 'done' || all.length === 0) return;
    setHistory('loading');
    props.intents.older(all[0]!.createdAt).then(
      (page) => {
        setOlder((o) => mergeThread(page.messages, o));
        setHistory(page.hasMore ? 'idle' : 'done');
      },
      () => setHistory('error'),
    );
  };

  const { intents, onUndoable } = props;
  const markUnread = useCallback(
    async (fromMessageId: string | null) => {
      const failed = await intents.markUnread(fromMessageId);
      if (!failed) onUndoable(unreadUndo(t, c.id, contactLabel(c)));
      return failed;
    },
    [intents, onUndoable, c, t],
  );
  const markUnreadFrom = useCallback((messageId: string) => void markUnread(messageId), [markUnread]);

  // A quoted message: scrolled to and highlighted, older history loaded first when it is further back.
  const [highlight, setHighlight] = useState<string | null>(null);
  const [jumpTarget, setJumpTarget] = useState<string | null>(null);
  const allRef = useRef(all);
  allRef.current = all;
  const jumpTo = useCallback(
    async (messageId: string) => {
      releaseFollow();
      for (let page = 0; page < JUMP_MAX_PAGES && !allRef.current.some((m) => m.id === messageId); page++) {
        const oldest = allRef.current[0];
        if (!oldest) break;
        const older = await props.intents.older(oldest.createdAt).catch(() => null);
        if (!older) break;
        setOlder((o) => mergeThread(older.messages, o));
        allRef.current = mergeThread(older.messages, allRef.current);
        if (!older.hasMore) {
          setHistory('done');
          break;
        }
      }
      setJumpTarget(messageId);
    },
    [props.intents, releaseFollow],
  );
  useEffect(() => {
    if (!jumpTarget) return;
    const index = items.findIndex((i) => i.kind === 'message' && i.message.id === jumpTarget);
    setJumpTarget(null);
    if (index < 0) return;
    virtuoso.current?.scrollToIndex({ index, align: 'center', behavior: 'auto' });
    setHighlight(jumpTarget);
    const done = setTimeout(() => setHighlight(null), 2500);
    return () => clearTimeout(done);
  }, [jumpTarget, items]);
  const openPhone = useCallback((phone: string) => void sendMessage('inbox:openPhone', { phone }), []);
  const [templatesWanted, setTemplatesWanted] = useState(false);
  const useTemplate = useCallback(() => setTemplatesWanted(true), []);

  // Opened with a click, usually to answer: the reply box takes the focus. From the keyboard, the
  // name does (the keys act on the thread; R goes to the reply box).
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => (props.focusReply ? props.replyBox.current : heading.current)?.focus(), []); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <section className="thread" aria-label={t('thread.label', { name: contactLabel(c) })}>
      <header>
        <div className="title">
          <button type="button" onClick={props.onBack} aria-label={t('thread.back')} aria-keyshortcuts="Escape">
            <ArrowLeft aria-hidden="true" className="flip-rtl" />
          </button>
          <div className="who">
            <h2 ref={heading} tabIndex={-1} dir={contactDir(c)}>
              {contactLabel(c)}
            </h2>
            <span className="phone" dir="ltr">
              {c.contact.phone}
            </span>
          </div>
        </div>
        <div className="crm">
          <CrmRecordLink conversationId={c.id} />
        </div>
        <div className="actions">
          <AssigneePicker assigneeId={c.assigneeId} me={props.me} agents={props.agents} onAssign={props.intents.assign} />
          <StatusActions
            ref={props.statusActions}
            conversation={c}
            onStatus={async (status, until) => {
              const failed = await props.intents.setStatus(status, until);
              if (failed) return failed;
              props.onUndoable(statusUndo(statusChangeText(t, c.status, status, until, contactLabel(c), whenLabel), [c]));
              if (status !== 'open') props.onSetAside();
              return null;
            }}
            onMarkUnread={() => markUnread(null)}
          />
        </div>
      </header>
      {props.collision && (
        <p className="collision" role="status">
          {t(`thread.collision.${props.collision.kind}`, { count: props.collision.names.length, names: formats.list.format(props.collision.names) })}
        </p>
      )}
      <Virtuoso<ThreadItem, HistoryContext>
        ref={virtuoso}
        context={{ history, loadOlder, highlight }}
        className="messages-scroller"
        data={items}
        firstItemIndex={firstItemIndex}
        initialTopMostItemIndex={markerIndex >= 0 ? { index: markerIndex, align: 'start' } : { index: 'LAST', align: 'end' }}
        computeItemKey={(_, item) => item.key}
        scrollerRef={follow.setScroller}
        totalListHeightChanged={follow.onHeightChange}
        startReached={loadOlder}
        increaseViewportBy={{ top: 400, bottom: 200 }}
        components={THREAD_COMPONENTS}
        itemContent={(_, item) =>
          item.kind === 'day' ? (
            <span>{item.label}</span>
          ) : item.kind === 'new' ? (
            <span>{t('thread.newMessages', { count: item.count })}</span>
          ) : item.message.direction === 'activity' ? (
            <span className="activity-line">
              {activityText(t, item.message, props.agents, props.me, whenLabel)} ·{' '}
              <time dateTime={item.message.createdAt}>{shortTime(item.message.createdAt)}</time>
            </span>
          ) : (
            <MessageBubble
              message={item.message}
              waiting={props.waiting.has(item.message.id)}
              author={authorName(item.message.sentBy)}
              onRetry={props.intents.retry}
              loadMedia={props.intents.media}
              linkMedia={props.intents.mediaLink}
              onMarkUnread={markUnreadFrom}
              onJumpTo={jumpTo}
              onOpenPhone={openPhone}
              onUseTemplate={useTemplate}
            />
          )
        }
      />
      {/* In the flow below the messages, not over them: it never covers a bubble. */}
      {unseen > 0 && (
        <button type="button" className="jump" onClick={follow.toBottom}>
          <ArrowDown aria-hidden="true" /> {t('thread.newMessages', { count: unseen })}
        </button>
      )}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      <div className="thread-typing">
        <TypingDots names={props.typing} />
      </div>
      <Composer
        key={c.id}
        lastInboundAt={c.lastInboundAt}
        cannedReplies={props.cannedReplies}
        optedOutAt={c.optedOutAt}
        templatesWanted={templatesWanted}
        onTemplatesDone={() => setTemplatesWanted(false)}
        onTyping={props.intents.typing}
        onSend={props.intents.send}
        uploadTicket={props.intents.uploadTicket}
        onNote={props.intents.note}
        loadTemplates={props.intents.templates}
        replyBox={props.replyBox}
      />
    </section>
  );
}

/** Assign to me / a colleague / nobody; shown to everyone live. */
function AssigneePicker(props: { assigneeId: string | null; me: string; agents: AgentSummary[]; onAssign: ConversationIntents['assign'] }) {
  const { t } = useTranslation('inbox');
  const { t: tr } = useTranslation('routing');
  const selectId = useId();
  const known = props.agents.some((a) => a.id === props.assigneeId);
  // An assignment above capacity is made, with a warning; a failure is said too (never silent).
  const [said, setSaid] = useState<string | null>(null);
  const assign = async (id: string | null) => {
    setSaid(null);
    const { error, warning } = await props.onAssign(id);
    const name = props.agents.find((a) => a.id === id)?.displayName ?? t('list.aColleague');
    setSaid(error ?? (warning ? tr('overCapacity', { name, load: warning.openLoad, capacity: warning.capacity }) : null));
  };
  return (
    <div className="assign">
      <label className="visually-hidden" htmlFor={selectId}>
        {t('assign.label')}
      </label>
      <select id={selectId} value={props.assigneeId ?? ''} onChange={(e) => void assign(e.target.value || null)}>
        <option value="">{t('assign.nobody')}</option>
        {props.assigneeId && !known && <option value={props.assigneeId}>{t('list.aColleague')}</option>}
        {props.agents.map((a) => (
          <option key={a.id} value={a.id}>
            {a.id === props.me ? t('assign.me', { name: a.displayName }) : a.displayName}
          </option>
        ))}
      </select>
      {props.assigneeId !== props.me && (
        <button type="button" onClick={() => void assign(props.me)}>
          {t('assign.toMe')}
        </button>
      )}
      {said && (
        <p className="assign-warning" role="alert">
          {said}
        </p>
      )}
    </div>
  );
}

/** How far back a quoted message is looked for (pages of older history). */
const JUMP_MAX_PAGES = 20;

/** A screen-reader line for each message that arrives while the thread is open. */
function useArrivals(messages: MessageView[], onArrival: (m: MessageView) => void): string {
  const { t } = useTranslation('inbox');
  const lastId = useRef(messages.at(-1)?.id);
  const [text, setText] = useState('');
  const callback = useRef(onArrival);
  callback.current = onArrival;
  useEffect(() => {
    const last = messages.at(-1);
    if (!last || last.id === lastId.current) return;
    lastId.current = last.id;
    callback.current(last);
    if (last.direction === 'inbound')
      setText(last.body ? t('thread.arrived', { body: last.body }) : last.location ? t('thread.arrivedLocation') : t('thread.arrivedFile'));
  }, [messages, t]);
  return text;
}
