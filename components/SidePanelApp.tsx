import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { collisionNotice, emptyCollab, typingIn } from '@/lib/collab/state';
import { connectionBanner, waitingReplies } from '@/lib/connection/banner';
import { initialStatus } from '@/lib/connection/status';
import type { CannedReply } from '@/lib/contract/api';
import type { AgentSummary, MessageView } from '@/lib/contract/models';
import { useInboxKeyboard } from '@/lib/hooks/useInboxKeyboard';
import { useNow } from '@/lib/hooks/useNow';
import { useOnline } from '@/lib/hooks/useOnline';
import { inboxNow, reportRowsShown, useInbox, useInboxComplete } from '@/lib/hooks/useInbox';
import { useWholeInbox } from '@/lib/hooks/useWholeInbox';
import { useReportViewing } from '@/lib/hooks/useReportViewing';
import { useServerSearch } from '@/lib/hooks/useServerSearch';
import { useUndo } from '@/lib/hooks/useUndo';
import { useStorageItem } from '@/lib/hooks/useStorageItem';
import { sameItems, sameJson, useSame } from '@/lib/hooks/useStable';
import { listView, restoredFilter, showsBeyondScope, teamChannels, type ListFilter, type ListQuery } from '@/lib/inbox/list-filter';
import { showsFromFirstScreen } from '@/lib/inbox/first-screen';
import { sortedConversations } from '@/lib/inbox/state';
import type { SearchScope } from '@/lib/inbox/view';
import { sendMessage } from '@/lib/messaging/protocol';
import { PANEL_VISIBLE_MAX } from '@/lib/messaging/limits';
import type { ConversationListHandle } from './ConversationList';
import type { Undoable } from '@/lib/inbox/undo';
import { InboxListPane } from './InboxListPane';
import type { StatusActionsHandle } from './StatusActions';
import { StatusBar } from './StatusBar';
import { TeamBar } from './TeamBar';
import { UndoToast } from './UndoToast';
import { FirstRun, FloorStrip, OpenThread, preloadThread } from './SidePanelParts';
import {
  agentItem,
  collabItem,
  connectionItem,
  countsItem,
  openConversationItem,
  outboxItem,
  routingItem,
  teamItem,
  updateRequiredItem,
} from '@/lib/storage/items';

/** The storage items the panel's first render reads: its entrypoint reads them in one go before it (`preloadItems`). */
export const FIRST_RENDER_ITEMS = [
  agentItem,
  updateRequiredItem,
  teamItem,
  routingItem,
  countsItem,
  connectionItem,
  outboxItem,
  openConversationItem,
  collabItem,
];

/**
 * How the last conversation was opened: from the list's keyboard flow the thread does not take the
 * focus into the reply box. Module state, so `openConversation` is stable across renders (unchanged
 * rows of the list do not re-render).
 */
const opening = { byKeyboard: false };
const openConversation = (conversationId: string, byKeyboard = false) => {
  opening.byKeyboard = byKeyboard;
  void sendMessage('inbox:openConversation', { conversationId });
};
const reconnect = () => void sendMessage('connection:reconnect');
const closeConversation = () => void openConversationItem.setValue(null);
const FILTER_KEY = 'switchboard:list-filter';
/**
 * The list rows on screen, for their typing and viewing: told to the background on the panel's port
 * (`reportRowsShown`: at most every 500 ms, the latest last). Stable, so rows do not re-render for it.
 */
const onRowsShown = (conversationIds: string[]) => reportRowsShown(conversationIds.slice(0, PANEL_VISIBLE_MAX));

/** The list's filter as the agent last left it (on this device). */
const savedFilter = () => restoredFilter(localStorage.getItem(FILTER_KEY));

/**
 * The inbox in the side panel. First paint comes from the stored state, before any network answer.
 * Keyboard: "/" or Ctrl+K search, ↑/↓ and Enter in the list, Alt+↑/↓ previous/next conversation,
 * R reply, E resolve or reopen, Z snooze, U mark unread, Ctrl+Z undo, Escape back to the list.
 */
export function SidePanelApp() {
  const { t } = useTranslation('inbox');
  const loaded = useInbox((s) => s !== undefined);
  // The first screen of the inbox shows the list at once; the counts (and an open thread) wait for
  // the whole of it, a moment later.
  const complete = useInboxComplete();
  const agent = useStorageItem(agentItem);
  const update = useStorageItem(updateRequiredItem);
  const team = useStorageItem(teamItem);
  const routing = useStorageItem(routingItem);
  const organisationCounts = useStorageItem(countsItem);
  const status = useStorageItem(connectionItem) ?? initialStatus();
  const online = useOnline();
  const banner = useMemo(() => connectionBanner(status, online), [status, online]);
  const outbox = useStorageItem(outboxItem);
  const waiting = useMemo(() => waitingReplies(outbox ?? [], banner), [outbox, banner]);
  const openRead = useStorageItem(openConversationItem);
  const openId = openRead ?? null;
  const collab = useStorageItem(collabItem) ?? emptyCollab();
  const now = useNow(Object.values(collab.typing).some((list) => list.length > 0));
  const [filter, setFilter] = useState<ListFilter>(savedFilter);
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [selecting, setSelecting] = useState(false);
  const undo = useUndo();
  const statusActions = useRef<StatusActionsHandle>(null);
  const search = useServerSearch();
  const list = useRef<ConversationListHandle>(null);
  const searchBox = useRef<HTMLInputElement>(null);
  const replyBox = useRef<HTMLTextAreaElement>(null);
  useReportViewing(openId);
  const ready = loaded && agent !== undefined && (complete || showsFromFirstScreen(filter, openRead));
  useEffect(() => {
    if (!ready || !complete) return;
    // The thread's chunk once the whole inbox is on screen and the page is idle, not in the way of either.
    const idle = requestIdleCallback(preloadThread, { timeout: 2000 });
    return () => cancelIdleCallback(idle);
  }, [ready, complete]);

  const me = agent?.id ?? '';
  // The conversations are the list's (`InboxListPane`, only while it is on screen): a message
  // renders the list and the row it changes, not this shell; with a thread open, a message to
  // another conversation renders nothing (the open one is picked on its own below).
  const [scope, setScope] = useState<SearchScope>('all');
  const teams = routing?.teams;
  const query: ListQuery = useMemo(
    () => ({ filter, query: search.query, results: search.results, counts: search.counts, scope, teams: teams ?? NO_TEAMS, me }),
    [filter, search.query, search.results, search.counts, scope, teams, me],
  );
  const channels = useMemo(() => teamChannels(filter.team, teams ?? [], me), [filter.team, teams, me]);
  const teamChoices = useMemo(() => (teams ?? []).map((t) => ({ id: t.id, name: t.name, mine: t.members.some((m) => m.agentId === me) })), [teams, me]);
  const myTeams = useMemo(() => new Set(teamChoices.filter((t) => t.mine).map((t) => t.id)), [teamChoices]);
  const beyondScope = showsBeyondScope(filter, myTeams);
  // Colleagues' conversations or another team's: the organisation's whole stream while they are
  // listed (decided once the agent and their teams are read, so a start does not flap the port).
  useWholeInbox(Boolean(agent) && routing !== undefined && beyondScope);
  const matches = useMemo(
    () => Object.fromEntries((search.results ?? []).filter((r) => r.match).map((r) => [r.conversation.id, r.match!.body])),
    [search.results],
  );
  const agentNames = useMemo(() => Object.fromEntries((team?.agents ?? []).map((a) => [a.id, a.displayName])), [team?.agents]);

  // Back from a thread: focus returns to its row.
  const lastOpen = useRef<string | null>(null);
  useEffect(() => {
    if (!openId) opening.byKeyboard = false;
    if (!openId && lastOpen.current) list.current?.focus(lastOpen.current);
    lastOpen.current = openId;
  }, [openId]);

  useInboxKeyboard({
    openId,
    search: () => {
      // At once when the box is on screen, so the keys typed next land in it.
      if (!openId) searchBox.current?.focus();
      else void openConversationItem.setValue(null).then(() => setTimeout(() => searchBox.current?.focus(), 50));
    },
    step: (by) => {
      // The list as it is now, also while a thread is open (when the list is not kept current).
      const state = inboxNow();
      if (!state) return;
      const { visible: list } = listView(sortedConversations(state), state.conversations, query);
      const at = list.findIndex((c) => c.id === openId);
      const next = list[by === 1 ? at + 1 : at < 0 ? 0 : at - 1];
      if (next) openConversation(next.id, true);
    },
    back: () => void openConversationItem.setValue(null),
    reply: () => replyBox.current?.focus(),
    resolve: () => statusActions.current?.toggleResolved(),
    snooze: () => statusActions.current?.openSnooze(),
    unread: () => statusActions.current?.markUnread(),
    undo: () => void undo.undo(),
  });
  const { setQuery } = search;
  const onQuery = useCallback(
    (q: string) => {
      if (!q.trim()) setScope('all');
      setQuery(q);
    },
    [setQuery],
  );
  const onFilter = useCallback((f: ListFilter) => {
    setFilter(f);
    setChecked(new Set());
    localStorage.setItem(FILTER_KEY, JSON.stringify(f));
  }, []);
  const onSelecting = useCallback((on: boolean) => {
    setSelecting(on);
    setChecked(new Set());
  }, []);
  const enterList = useCallback(() => list.current?.focus(), []);
  // Who is typing in each row, as names: the same object while that does not change.
  const typing = useSame(
    useMemo(() => Object.fromEntries(Object.keys(collab.typing).map((id) => [id, typingIn(collab, id, now, me).map((t) => t.displayName)])), [collab, now, me]),
    sameJson,
  );
  const { undo: runUndo } = undo;
  const onUndo = useCallback(() => void runUndo(), [runUndo]);

  const { offerUndo } = undo;
  const onBulkDone = useCallback(
    (done: Undoable | null) => {
      setChecked(new Set());
      setSelecting(false);
      if (done) offerUndo(done);
    },
    [offerUndo],
  );
  const onCheck = useCallback(
    (id: string, on: boolean) =>
      setChecked((prev) => {
        const next = new Set(prev);
        if (on) next.add(id);
        else next.delete(id);
        return next;
      }),
    [],
  );

  // The open thread's colleagues, the same objects while they say the same: a message elsewhere
  // in the inbox does not render the thread again.
  const collision = useSame(openId && agent ? collisionNotice(collab, openId, agent.id, now) : null, sameJson);
  const typingInOpen = useSame(openId && agent ? typingIn(collab, openId, now, agent.id).map((t) => t.displayName) : NOBODY, sameItems);

  const open = useInbox((s) => (openId ? s?.conversations[openId] : undefined));
  const openMessages = useInbox((s) => (openId ? s?.messages[openId] : undefined));

  // Translated once per language, not for every message (a translation costs more than most of a render).
  const title = useMemo(() => t('title'), [t]);

  if (!ready) return null;
  if (agent === null || update) return <FirstRun />;
  return (
    <main>
      <h1 className="visually-hidden">{title}</h1>
      <StatusBar status={status} banner={banner} agentName={agent.displayName} onReconnect={reconnect} />
      <TeamBar presence={collab.presence} me={agent.id} />
      {agent.role !== 'agent' && <FloorStrip me={agent.id} />}
      {open ? (
        <OpenThread
          key={open.id}
          conversation={open}
          messages={openMessages ?? NO_MESSAGES}
          me={agent.id}
          agents={team?.agents ?? NO_AGENTS}
          cannedReplies={team?.cannedReplies ?? NO_REPLIES}
          onBack={closeConversation}
          collision={collision}
          typing={typingInOpen}
          replyBox={replyBox}
          statusActions={statusActions}
          onSetAside={closeConversation}
          waiting={waiting}
          onUndoable={undo.offerUndo}
          focusReply={!opening.byKeyboard}
        />
      ) : (
        <InboxListPane
          query={query}
          onQuery={onQuery}
          onScope={setScope}
          onFilter={onFilter}
          complete={complete}
          organisationCounts={organisationCounts}
          channels={channels}
          beyondScope={beyondScope}
          teams={teamChoices}
          searching={search.pending}
          searchError={search.error}
          onEnterList={enterList}
          selecting={selecting}
          onSelecting={onSelecting}
          checked={checked}
          onCheck={onCheck}
          onBulkDone={onBulkDone}
          selectedId={openId}
          onOpen={openConversation}
          onRowsShown={onRowsShown}
          typing={typing}
          agentNames={agentNames}
          matches={matches}
          listRef={list}
          searchBoxRef={searchBox}
        />
      )}
      <UndoToast text={undo.offer?.text ?? null} failed={undo.failed} onUndo={onUndo} onHold={undo.hold} onDismissFailure={undo.dismissFailure} />
    </main>
  );
}

const NO_MESSAGES: MessageView[] = [];
const NO_AGENTS: AgentSummary[] = [];
const NO_REPLIES: CannedReply[] = [];
const NOBODY: string[] = [];
const NO_TEAMS: ListQuery['teams'] = [];
