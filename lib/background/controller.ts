import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { ApiError, createApiClient, type ApiClient, type ReplyContent } from '../api/client';
import { AUTH_STORAGE_KEY, chromeStorageAdapter } from '../auth/chrome-storage';
import { applyPresence, applyPresenceState, applyTyping, applyViewing, emptyCollab, type CollabState } from '../collab/state';
import { ConnectionMachine } from '../connection/machine';
import { createPoller } from '../connection/polling';
import type { LoadedMedia, SearchResponse } from '../contract/api';
import { TYPING_TTL_MS, WATCH_MAX, type TeamArea } from '../contract/events';
import type { AgentProfile, ConversationStatus, ConversationView, MessageView } from '../contract/models';
import { conversationFromRow, messageFromRow, readStateFromRow } from '../contract/rows';
import { conversationsByPhone } from '../crm/badge-info';
import { createOutbox } from '../inbox/outbox';
import { addConversation, applyConversation, applyMessage, applyRead, applySync, applyThreadPage, emptyInbox, isNewMessage } from '../inbox/state';
import { pendingMessage, persistAll, readInbox, updateInbox, type PendingReply } from '../inbox/store';
import { createSync } from '../inbox/sync';
import { isConfigured, type Settings } from '../settings';
import { checkVersion } from './workspace';
import { RealtimeLink } from './links/realtime';
import { createSocket } from './links/socket-client';
import { SocketLink } from './links/socket';
import { currentViewing, notifyMessage } from './notifications';
import { adminItem, agentItem, collabItem, connectionItem, openConversationItem, outboxItem, teamItem, updateRequiredItem } from '../storage/items';

/** What a status change did, for the side panel to say (e.g. "2 resolved; 1 has new messages"). */
export interface StatusSummary {
  changed: number;
  unchanged: number;
  /** Left open: the customer wrote since the agent looked. */
  newMessages: number;
  notFound: number;
}

/**
 * The one owner of the extension's connections and the agent's session. It composes the parts:
 * the Realtime link (the primary path for new and changed rows), the Socket.IO link (rooms,
 * typing, presence), the catch-up sync after every (re)connect, the outbox, and the connection
 * state machine. Every path's copy of a message is merged by id; what the inbox learns goes to
 * the store, which pushes it to open UIs.
 */
export class BackgroundController {
  private readonly supabase: SupabaseClient;
  private readonly api: ApiClient;
  private readonly status: ConnectionMachine;
  private readonly realtime: RealtimeLink;
  private socket: SocketLink | null = null;
  private readonly sync: () => Promise<void>;
  private readonly outbox: ReturnType<typeof createOutbox>;
  private away = false;
  /** Conversations shown besides the open one, by where: rows in side panels, badges on CRM pages. */
  private watched: Record<'panel' | 'crm', string[]> = { panel: [], crm: [] };
  private watchTimer: ReturnType<typeof setTimeout> | null = null;
  /** The workspace needs a newer extension: no connection is opened. */
  private updateRequired = false;
  private collabQueue: Promise<unknown> = Promise.resolve();

  constructor(readonly settings: Settings) {
    this.supabase = createClient(settings.supabaseUrl, settings.supabaseAnonKey || 'no-anon-key-configured', {
      auth: { storage: chromeStorageAdapter, storageKey: AUTH_STORAGE_KEY, persistSession: true, autoRefreshToken: true, detectSessionInUrl: false },
    });
    const api = createApiClient({ serverUrl: settings.serverUrl, getToken: () => this.token() });
    this.api = api;
    // Polling runs only while both sockets are down (the state machine starts and stops it).
    const poller = createPoller(async () => {
      try {
        await this.catchUp(true);
        await this.status.polled(true);
      } catch {
        await this.status.polled(false);
      }
    });
    this.status = new ConnectionMachine({ poller, publish: (s) => connectionItem.setValue(s) });
    this.sync = createSync({
      fetch: (cursor) => api.sync(cursor),
      cursor: async () => (await readInbox()).cursor,
      apply: async (res) => {
        let fresh: MessageView[] = [];
        const state = await updateInbox((s) => {
          fresh = res.messages.filter((m) => isNewMessage(s, m.id));
          return applySync(s, res);
        });
        return { fresh, conversations: state.conversations };
      },
      notify: notifyMessage,
      isBadCursor: (err) => err instanceof ApiError && err.code === 'bad_cursor',
    });
    this.outbox = createOutbox({
      reply: (p) => api.reply(p.conversationId, p.id, p.content),
      note: (p) => api.note(p.conversationId, p.id, p.content.body ?? ''),
      load: () => outboxItem.getValue(),
      save: (queue) => outboxItem.setValue(queue),
      apply: async (m) => void (await updateInbox((s) => applyMessage(s, m))),
      pendingMessage,
      // Offline, server away or restarting, token expired: it goes out on the next connection.
      isTransient: (err) => err instanceof ApiError && (err.status === 0 || err.status >= 500 || err.status === 401),
    });
    this.realtime = new RealtimeLink({
      supabase: this.supabase,
      onMessageRow: (row) => void this.receive(messageFromRow(row)),
      onConversationRow: (row) => {
        let unknown = false;
        void updateInbox((s) => {
          const local = s.conversations[String(row.id)];
          unknown = !local;
          return local ? applyConversation(s, conversationFromRow(row, local.contact)) : s;
        }).then(() => {
          if (unknown) void this.catchUp(); // a new conversation: the sync brings its contact
        });
      },
      onReadStateRow: (row) => void updateInbox((s) => applyRead(s, readStateFromRow(row))),
      onState: (state, error) => void this.status.set('realtime', state, error),
      // Subscribed first, then caught up: nothing committed around the subscription is missed.
      onSubscribed: () => void this.catchUp(),
    });
    this.supabase.auth.onAuthStateChange((event, session) => {
      // Never call back into supabase-js from inside its own callback (it holds a lock).
      if (event === 'SIGNED_OUT') setTimeout(() => void this.teardown(), 0);
      // supabase-js hands the new token to Realtime itself; Socket.IO gets it here.
      if (event === 'TOKEN_REFRESHED' && session) {
        setTimeout(() => this.socket?.connected && this.socket.socket.emit('auth:refresh', { token: session.access_token }, () => {}), 0);
      }
    });
  }

  private async token(): Promise<string | null> {
    const { data } = await this.supabase.auth.getSession();
    return data.session?.access_token ?? null;
  }

  /** Restores the session from storage and connects if there is one (unless the workspace needs a newer extension). */
  async start(): Promise<void> {
    // Asked alongside, not before: an unreachable server must not hold the start up.
    if (isConfigured(this.settings)) void checkVersion(this.settings.serverUrl).then((outdated) => (outdated ? this.stopForUpdate() : undefined));
    const { data } = await this.supabase.auth.getSession();
    if (data.session) await this.connect();
    else await this.status.session(false);
  }

  /** The workspace needs a newer extension: nothing connects (the side panel says to update). */
  private async stopForUpdate(): Promise<void> {
    this.updateRequired = true;
    this.stop();
    await this.status.session(false);
  }

  /** Closes connections without touching stored state (settings changed, worker shutting down). */
  stop(): void {
    this.socket?.stop();
    this.socket = null;
    this.realtime.stop();
    this.status.reset();
    this.supabase.auth.stopAutoRefresh().catch(() => {});
  }

  async signIn(email: string, password: string): Promise<AgentProfile> {
    if (this.updateRequired) throw new Error((await updateRequiredItem.getValue())?.message ?? 'Update Switchboard before signing in.');
    const { error } = await this.supabase.auth.signInWithPassword({ email, password });
    if (error) throw new Error(error.message, { cause: error });
    let me: AgentProfile;
    try {
      me = await this.api.me();
    } catch (err) {
      await this.signOut();
      if (err instanceof ApiError && err.status === 403) throw new Error('This account is not an agent of any organisation.', { cause: err });
      throw err;
    }
    await agentItem.setValue(me);
    await this.connect();
    return me;
  }

  async signOut(): Promise<void> {
    const { error } = await this.supabase.auth.signOut();
    // Offline or server gone: the local session must still end.
    if (error) await chromeStorageAdapter.removeItem(AUTH_STORAGE_KEY);
    await this.teardown();
  }

  private async teardown(): Promise<void> {
    this.stop();
    await Promise.all([
      updateInbox(() => emptyInbox()).then(persistAll),
      outboxItem.setValue([]),
      agentItem.setValue(null),
      teamItem.removeValue(),
      adminItem.setValue(null),
      openConversationItem.setValue(null),
      collabItem.setValue(emptyCollab()),
    ]);
    await this.status.session(false);
  }

  /**
   * The server cut this agent from its organisation. Removed: sign out. Moved: drop the old
   * organisation's inbox, outbox and team, and start over in the new one.
   */
  private async leaveOrganisation(reason: 'removed' | 'moved'): Promise<void> {
    if (reason === 'removed') return this.signOut();
    await this.teardown();
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.socket || this.updateRequired) return;
    await this.status.session(true);
    let agent = await agentItem.getValue();
    if (!agent) {
      agent = await this.api.me();
      await agentItem.setValue(agent);
    }
    // Subscribe first, then catch up (on "Subscribed to PostgreSQL"), so nothing committed
    // around the moment of subscription is missed.
    this.realtime.subscribe(agent);
    const socket: SocketLink = new SocketLink({
      create: () => createSocket(this.settings.serverUrl, () => this.token()),
      refreshSession: () => this.supabase.auth.getSession(),
      onState: (state, error) => void this.status.set('socket', state, error),
      onConnect: () => {
        // Rooms do not survive a reconnect: rejoin the open conversation, restate presence.
        void openConversationItem.getValue().then((id) => (id ? this.viewConversation(id, null) : undefined));
        if (this.away) socket.emit('presence:set', { state: 'away' });
        // Rooms do not survive a reconnect: say again which conversations are shown.
        this.sendWatched();
        // Every (re)connect catches up from the stored cursor: Socket.IO buffers nothing for us.
        void this.catchUp();
        void this.teamChanged();
      },
      listen: (s) => {
        // Removed from the organisation, or moved to another: nothing of the old one stays here.
        s.on('session:revoked', ({ reason }) => void this.leaveOrganisation(reason));
        s.on('team:changed', ({ area }) => void this.teamChanged(area));
        s.on('message:new', ({ message, conversation }) => void this.receive(message, conversation));
        s.on('conversation:read', (read) => void updateInbox((st) => applyRead(st, read)));
        s.on('conversation:updated', ({ conversation, activity }) => void this.receiveChange(conversation, activity));
        s.on('message:status', ({ message }) => void updateInbox((st) => applyMessage(st, message)));
        s.on('presence:state', (agents) => void this.updateCollab((st) => applyPresenceState(st, agents)));
        s.on('presence:changes', (changes) => void this.updateCollab((st) => changes.reduce(applyPresence, st)));
        s.on('viewing:update', (v) => void this.updateCollab((st) => applyViewing(st, v)));
        s.on('typing:update', (t) => {
          void this.updateCollab((st) => applyTyping(st, t, Date.now()));
          // The indicator clears by itself 3 s after the last event, even if no stop ever comes.
          if (t.typing) setTimeout(() => void this.updateCollab((st) => ({ ...st })), TYPING_TTL_MS + 50);
        });
      },
    });
    this.socket = socket;
    socket.connect();
  }

  /** Drops and re-opens the connections now (the side panel's Reconnect, back online, after sleep). */
  async reconnect(): Promise<void> {
    if (!this.socket) return this.connect();
    this.socket.reconnectNow();
    await this.realtime.reconnectNow();
  }

  /** The watchdog alarm: restore connections if nothing is up or trying (after sleep, a lost worker…). */
  async watchdog(): Promise<void> {
    const { data } = await this.supabase.auth.getSession();
    if (!data.session) return;
    if (!this.socket) return this.connect();
    if (this.status.state('socket') === 'disconnected' && this.socket.idle) this.socket.connect();
    if (this.status.state('realtime') === 'disconnected' && !this.realtime.waiting) await this.realtime.resubscribe();
  }

  /**
   * Fetches what changed since the stored cursor (see `lib/inbox/sync.ts`), then hands over the
   * replies written meanwhile. Errors are shown in the status (or thrown, for the poller).
   */
  catchUp(throwErrors = false): Promise<void> {
    const run = this.sync().then(() => void this.outbox.flush());
    const shown = run.catch((err: unknown) => void this.status.fail(`Sync: ${(err as Error).message}`));
    return throwErrors ? run : shown;
  }

  /** The side panel opened a conversation: load its latest messages and mark it read. */
  async openConversation(conversationId: string): Promise<void> {
    await openConversationItem.setValue(conversationId);
    const page = await this.api.messages(conversationId);
    await updateInbox((s) => applyThreadPage(s, conversationId, page.messages));
    await this.markRead(conversationId);
  }

  /** The conversation with a number from a CRM page: the most recent one we know, or a new one. */
  async conversationForPhone(phone: string): Promise<string> {
    const known = conversationsByPhone(await readInbox()).get(phone);
    if (known?.length) return known.reduce((a, c) => ((c.lastMessageAt ?? '') > (a.lastMessageAt ?? '') ? c : a)).id;
    const { conversation } = await this.api.startConversation(phone);
    await updateInbox((s) => addConversation(s, conversation));
    return conversation.id;
  }

  /**
   * Sends a reply: it shows at once as pending (its id is ours, so every later copy of it, from
   * any path, merges with it) and waits in the stored outbox until the server has it. Offline or
   * with the server away, it stays there and goes out once when a connection is back; the
   * server sends it through Twilio once, whatever the retries (the id is the idempotency key).
   */
  async send(conversationId: string, content: ReplyContent): Promise<void> {
    this.typing(conversationId, false);
    await this.outbox.add(this.pending(conversationId, content));
  }

  /** A private note: shown at once, kept in the outbox until the server has it, like a reply. */
  async note(conversationId: string, body: string): Promise<void> {
    await this.outbox.add({ ...this.pending(conversationId, { body }), note: true });
  }

  private pending(conversationId: string, content: ReplyContent): PendingReply {
    return { id: crypto.randomUUID(), conversationId, content, createdAt: new Date().toISOString() };
  }

  /** Sends a failed reply's text (and file) again, as a new message. */
  async retry(conversationId: string, messageId: string): Promise<void> {
    const failed = (await readInbox()).messages[conversationId]?.find((m) => m.id === messageId);
    if (!failed || failed.direction !== 'outbound' || !['failed', 'undelivered'].includes(failed.status)) throw new Error('only a failed reply can be retried');
    const file = failed.media[0];
    const upload = file?.uploadId ? { id: file.uploadId, contentType: file.contentType, name: file.name ?? 'file', size: file.size ?? 1 } : undefined;
    await this.send(conversationId, { body: failed.body || undefined, mediaUrl: file?.url, upload });
  }

  /** Assigns or unassigns; colleagues hear it from the server (Socket.IO and Realtime). */
  async assign(conversationId: string, assigneeId: string | null): Promise<void> {
    const { conversation } = await this.api.assign(conversationId, assigneeId);
    await updateInbox((s) => applyConversation(s, conversation));
  }

  /**
   * Resolves, reopens or snoozes conversations (one, or several selected in the list). Each goes
   * with the number of customer messages the agent has seen of it: one the customer wrote to since
   * is left open and counted in `newMessages`.
   */
  async setStatus(conversationIds: string[], status: ConversationStatus, snoozedUntil: string | null): Promise<StatusSummary> {
    const inbox = await readInbox();
    const seen = conversationIds.map((id) => ({ id, seenInboundCount: inbox.conversations[id]?.inboundCount ?? 0 }));
    const { results } = await this.api.setStatus(seen, status, snoozedUntil);
    await updateInbox((s) => results.reduce((acc, r) => (r.conversation ? applyConversation(acc, r.conversation) : acc), s));
    const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
    return { changed: count('changed'), unchanged: count('unchanged'), newMessages: count('new_messages'), notFound: count('not_found') };
  }

  /** Marks a conversation unread again (from a message down, or its latest customer message); the agent's other devices follow. */
  async markUnread(conversationId: string, fromMessageId: string | null): Promise<void> {
    if ((await openConversationItem.getValue()) === conversationId) await openConversationItem.setValue(null); // open, it would be read again at once
    const { readState } = await this.api.markUnread(conversationId, fromMessageId);
    await updateInbox((s) => applyRead(s, readState));
  }

  /** Searches the organisation's whole history; the conversations found join the inbox so they can be opened. */
  async search(query: string): Promise<SearchResponse> {
    const answer = await this.api.search(query);
    await updateInbox((s) => answer.results.reduce((acc, r) => addConversation(acc, r.conversation), s));
    return answer;
  }

  /** Older messages of a thread, for the side panel to show (the bounded cache keeps only the latest). */
  olderMessages(conversationId: string, before: string) {
    return this.api.messages(conversationId, before);
  }

  /** The customer's CRM record for the thread header. */
  crmRecord(conversationId: string) {
    return this.api.crmRecord(conversationId);
  }

  /** CRM records to link a customer to, and the two ways to give them one. */
  crmSearch(conversationId: string, query: string) {
    return this.api.crmSearch(conversationId, query);
  }

  crmLink(conversationId: string, recordId: string) {
    return this.api.crmLink(conversationId, recordId);
  }

  crmCreateContact(conversationId: string) {
    return this.api.crmCreateContact(conversationId);
  }

  /** The reply window and approved templates of a conversation. */
  templates(conversationId: string) {
    return this.api.templates(conversationId);
  }

  /**
   * The conversations shown besides the open one (list rows on screen, CRM badges): the server
   * sends their typing and viewing to this socket, and no others'. Sent once the set settles.
   */
  watch(source: 'panel' | 'crm', conversationIds: string[]): void {
    this.watched[source] = conversationIds;
    if (this.watchTimer) return;
    this.watchTimer = setTimeout(() => {
      this.watchTimer = null;
      this.sendWatched();
    }, 150);
  }

  private sendWatched(): void {
    const ids = [...new Set([...this.watched.panel, ...this.watched.crm])].slice(0, WATCH_MAX);
    this.socket?.emit('conversations:watch', { conversationIds: ids });
  }

  /** Where the side panel uploads one file itself (with progress and cancel, which a worker's fetch cannot give). */
  uploadTicket() {
    return this.api.uploadTicket();
  }

  /** A media file as a data: URL the side panel can show (the token stays here), with its name and size. */
  async media(conversationId: string, messageId: string, index: number): Promise<LoadedMedia> {
    const { blob, fileName } = await this.api.media(conversationId, messageId, index);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const contentType = blob.type || 'application/octet-stream';
    return { dataUrl: `data:${contentType};base64,${btoa(binary)}`, contentType, fileName, size: bytes.length };
  }

  /** The composer's typing signal (already throttled by the side panel). */
  typing(conversationId: string, typing: boolean): void {
    this.socket?.emit(typing ? 'typing:start' : 'typing:stop', { conversationId });
  }

  setAway(away: boolean): void {
    this.away = away;
    this.socket?.emit('presence:set', { state: away ? 'away' : 'online' });
  }

  /** Joins the room of the conversation on screen (the server checks it is ours) and leaves the last one. */
  async viewConversation(id: string | null, previous: string | null): Promise<void> {
    if (previous && previous !== id) this.socket?.emit('conversation:leave', { conversationId: previous });
    if (id && this.socket?.connected) {
      const res = await this.socket.socket.emitWithAck('conversation:join', { conversationId: id });
      if ('data' in res) await this.updateCollab((s) => applyViewing(s, res.data.viewing));
    }
  }

  /** Admins: the admin view's data, read again (after a change, or when told the team changed). */
  async refreshAdmin(): Promise<void> {
    const me = await agentItem.getValue();
    if (me?.role !== 'admin') return adminItem.setValue(null);
    await adminItem.setValue(await this.api.admin.overview());
  }

  /** Runs an admin action, then reads the admin view again (the server tells other admins). */
  async admin<T>(action: (admin: ApiClient['admin']) => Promise<T>): Promise<T> {
    const result = await action(this.api.admin);
    await this.refreshAdmin();
    return result;
  }

  /**
   * The team changed (told by the server), or the socket (re)connected: names, canned replies, my
   * own role, and the admin view when one has been opened (its page asks for it on opening).
   */
  private async teamChanged(area?: TeamArea): Promise<void> {
    // A message waiting for a number not set up, or the CRM connection, concern the admin view only.
    const adminOnly = area === 'unrouted' || area === 'crm';
    if (!adminOnly) await this.refreshTeam();
    try {
      if (!adminOnly) await agentItem.setValue(await this.api.me());
      if (await adminItem.getValue()) await this.refreshAdmin();
    } catch {
      /* read again on the next change or connection */
    }
  }

  /** The organisation's agents and canned replies (names for assignment, `/` in the composer). */
  private async refreshTeam(): Promise<void> {
    try {
      const [{ agents }, { cannedReplies }] = await Promise.all([this.api.agents(), this.api.cannedReplies()]);
      await teamItem.setValue({ agents, cannedReplies });
    } catch {
      /* kept from the last connection; tried again on the next */
    }
  }

  private updateCollab(fn: (s: CollabState) => CollabState): Promise<unknown> {
    this.collabQueue = this.collabQueue.then(async () => collabItem.setValue(fn(await collabItem.getValue()))).catch(() => {});
    return this.collabQueue;
  }

  /** A conversation changed (status, assignee) with the activity lines it wrote: applied, and each line announced once. */
  private async receiveChange(conversation: ConversationView, activity: MessageView[]): Promise<void> {
    let fresh: MessageView[] = [];
    const state = await updateInbox((s) => {
      fresh = activity.filter((m) => isNewMessage(s, m.id));
      return activity.reduce((acc, m) => applyMessage(acc, m, conversation), applyConversation(s, conversation));
    });
    for (const m of fresh) await notifyMessage(m, state.conversations[m.conversationId]);
  }

  /** A message from any live path: applied once by id, announced once. */
  private async receive(message: MessageView, conversation?: ConversationView): Promise<void> {
    let fresh = false;
    const state = await updateInbox((s) => {
      fresh = isNewMessage(s, message.id);
      return applyMessage(s, message, conversation);
    });
    if (!fresh) return;
    // An activity line (assigned to me, a snooze ended) may deserve a notification of its own.
    if (message.direction === 'activity') return notifyMessage(message, state.conversations[message.conversationId]);
    if (message.direction !== 'inbound') return;
    // On screen: the agent is reading it as it arrives. Elsewhere: a notification.
    const viewing = await currentViewing();
    if (viewing.visible && viewing.conversationId === message.conversationId) await this.markRead(message.conversationId).catch(() => {});
    else await notifyMessage(message, state.conversations[message.conversationId]);
  }

  private async markRead(conversationId: string): Promise<void> {
    const { readState } = await this.api.markRead(conversationId);
    await updateInbox((s) => applyRead(s, readState));
  }
}
