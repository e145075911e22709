import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { ApiError, createApiClient, type ApiClient, type ReplyContent } from '../api/client';
import { AUTH_STORAGE_KEY, chromeStorageAdapter } from '../auth/chrome-storage';
import { createPoller, type Poller } from '../connection/polling';
import { bothDown, connectionItem, overallFrom, type ChannelState } from '../connection/status';
import type { SearchResult } from '../contract/api';
import type { AgentProfile } from '../contract/models';
import type { ConversationView, MessageView } from '../contract/models';
import { addConversation, applyConversation, applyMessage, applyRead, applySync, applyThreadPage, emptyInbox, isNewMessage } from '../inbox/state';
import { agentItem, openConversationItem, outboxItem, pendingMessage, persistAll, readInbox, teamItem, updateInbox, type PendingReply } from '../inbox/store';
import { conversationFromRow, messageFromRow, readStateFromRow } from '../realtime/records';
import { createSocket, type SwitchboardSocket } from '../realtime/socket';
import type { Settings } from '../settings';
import { applyPresence, applyPresenceState, applyTyping, applyViewing, collabItem, emptyCollab, type CollabState } from '../collab/state';
import { TYPING_TTL_MS } from '../contract/events';
import { conversationsByPhone } from '../crm/badges';
import { currentViewing, notifyMessage } from './notifications';

type Row = Record<string, unknown>;

/**
 * The one owner of the extension's connections: the Supabase client (auth and Realtime, the
 * primary path for new and changed rows), the Socket.IO socket (room broadcasts), and the sync
 * that catches up after every (re)connect. Every path's copy of a message is merged by id.
 * Everything it learns goes to extension storage; UIs watch storage and send requests.
 */
export class BackgroundController {
  private supabase: SupabaseClient;
  private api: ApiClient;
  private socket: SwitchboardSocket | null = null;
  private syncing: Promise<void> | null = null;
  private resyncRequested = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectAttempts = 0;
  private realtimeChannel: RealtimeChannel | null = null;
  private realtimeTimer: ReturnType<typeof setTimeout> | null = null;
  private realtimeAttempts = 0;
  private realtimeGeneration = 0;
  private states: { realtime: ChannelState; socket: ChannelState } = { realtime: 'idle', socket: 'idle' };
  private lastError: string | null = null;
  /** Runs only while both sockets are down. */
  private readonly poller: Poller;
  private pollingWorks = false;

  constructor(private readonly settings: Settings) {
    this.supabase = createClient(settings.supabaseUrl, settings.supabaseAnonKey || 'no-anon-key-configured', {
      auth: {
        storage: chromeStorageAdapter,
        storageKey: AUTH_STORAGE_KEY,
        persistSession: true,
        autoRefreshToken: true,
        detectSessionInUrl: false,
      },
    });
    this.api = createApiClient({ serverUrl: settings.serverUrl, getToken: () => this.token() });
    this.poller = createPoller(async () => {
      try {
        await this.catchUp(true);
        this.pollingWorks = true;
      } catch {
        this.pollingWorks = false;
      }
      await this.publishStatus(true);
    });
    this.supabase.auth.onAuthStateChange((event, session) => {
      // Never call back into supabase-js from inside its own callback (it holds a lock).
      if (event === 'SIGNED_OUT') setTimeout(() => void this.teardown(), 0);
      // supabase-js hands the new token to Realtime itself; Socket.IO gets it here.
      if (event === 'TOKEN_REFRESHED' && session) {
        setTimeout(() => this.socket?.connected && this.socket.emit('auth:refresh', { token: session.access_token }, () => {}), 0);
      }
    });
  }

  /** Restores the session from storage and connects if there is one. */
  async start(): Promise<void> {
    const { data } = await this.supabase.auth.getSession();
    if (data.session) await this.connect();
    else await this.publishStatus(false);
  }

  /** Closes connections without touching stored state (settings changed, worker shutting down). */
  stop(): void {
    this.poller.stop();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.realtimeTimer) clearTimeout(this.realtimeTimer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.realtimeChannel = null; // before removal, so its CLOSED is not taken for a server close
    void this.supabase.removeAllChannels();
    this.supabase.realtime.disconnect();
    this.states = { realtime: 'idle', socket: 'idle' };
    this.supabase.auth.stopAutoRefresh().catch(() => {});
  }

  private async token(): Promise<string | null> {
    const { data } = await this.supabase.auth.getSession();
    return data.session?.access_token ?? null;
  }

  async signIn(email: string, password: string): Promise<AgentProfile> {
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
    await Promise.all([updateInbox(() => emptyInbox()).then(persistAll), outboxItem.setValue([]), agentItem.setValue(null), teamItem.removeValue(), openConversationItem.setValue(null), collabItem.setValue(emptyCollab())]);
    await this.publishStatus(false);
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

  /** Drops and re-opens the connection now (the side panel's Reconnect). */
  async reconnect(): Promise<void> {
    this.reconnectAttempts = 0;
    this.realtimeAttempts = 0;
    if (!this.socket) return this.connect();
    this.socket.disconnect();
    this.socket.connect();
    await this.resubscribeRealtime();
  }

  private async connect(): Promise<void> {
    if (this.socket) return;
    let agent = await agentItem.getValue();
    if (!agent) {
      agent = await this.api.me();
      await agentItem.setValue(agent);
    }
    // Subscribe first, then catch up (on "Subscribed to PostgreSQL"), so nothing committed
    // around the moment of subscription is missed.
    this.subscribeRealtime(agent);
    const socket = createSocket(this.settings.serverUrl, () => this.token());
    this.socket = socket;
    void this.setState('socket', 'connecting');
    socket.on('connect', () => {
      this.reconnectAttempts = 0;
      void this.setState('socket', 'connected');
      // Rooms do not survive a reconnect: rejoin the open conversation, restate presence.
      void openConversationItem.getValue().then((id) => (id ? this.viewConversation(id, null) : undefined));
      if (this.away) socket.emit('presence:set', { state: 'away' });
      // Every (re)connect catches up from the stored cursor: Socket.IO buffers nothing for us.
      void this.catchUp();
      void this.refreshTeam();
    });
    socket.on('disconnect', (reason) => {
      void this.setState('socket', 'disconnected', reason);
      // The server ends a socket when its token expires; the client does not retry that itself.
      if (reason === 'io server disconnect') this.scheduleReconnect();
    });
    socket.on('connect_error', (err) => {
      void this.setState('socket', 'disconnected', err.message);
      // Rejected by the server's auth middleware: socket.io-client stops retrying; we do not.
      if (!socket.active) this.scheduleReconnect();
    });
    // Removed from the organisation, or moved to another: nothing of the old one stays here.
    socket.on('session:revoked', ({ reason }) => void this.leaveOrganisation(reason));
    socket.on('message:new', ({ message, conversation }) => void this.receive(message, conversation));
    socket.on('conversation:read', (read) => void updateInbox((s) => applyRead(s, read)));
    socket.on('conversation:updated', ({ conversation }) => void updateInbox((s) => applyConversation(s, conversation)));
    socket.on('message:status', ({ message }) => void updateInbox((s) => applyMessage(s, message)));
    socket.on('presence:state', (agents) => void this.updateCollab((s) => applyPresenceState(s, agents)));
    socket.on('presence:update', (agent) => void this.updateCollab((s) => applyPresence(s, agent)));
    socket.on('viewing:update', (v) => void this.updateCollab((s) => applyViewing(s, v)));
    socket.on('typing:update', (t) => {
      void this.updateCollab((s) => applyTyping(s, t, Date.now()));
      // The indicator clears by itself 3 s after the last event, even if no stop ever comes.
      if (t.typing) setTimeout(() => void this.updateCollab((s) => ({ ...s })), TYPING_TTL_MS + 50);
    });
    socket.connect();
  }

  private away = false;
  private collabQueue: Promise<unknown> = Promise.resolve();

  private updateCollab(fn: (s: CollabState) => CollabState): Promise<unknown> {
    this.collabQueue = this.collabQueue.then(async () => collabItem.setValue(fn(await collabItem.getValue()))).catch(() => {});
    return this.collabQueue;
  }

  /**
   * Sends a reply: it shows at once as pending (its id is ours, so every later copy of it, from
   * any path, merges with it) and waits in the stored outbox until the server has it. Offline or
   * with the server away, it stays there and goes out once when a connection is back; the
   * server sends it through Twilio once, whatever the retries (the id is the idempotency key).
   */
  async send(conversationId: string, content: ReplyContent): Promise<void> {
    const pending: PendingReply = { id: crypto.randomUUID(), conversationId, content, createdAt: new Date().toISOString() };
    await updateInbox((s) => applyMessage(s, pendingMessage(pending)));
    await outboxItem.setValue([...(await outboxItem.getValue()), pending]);
    this.typing(conversationId, false);
    await this.flushOutbox();
  }

  /** A private note: shown at once, kept in the outbox until the server has it, like a reply. */
  async note(conversationId: string, body: string): Promise<void> {
    const pending: PendingReply = { id: crypto.randomUUID(), conversationId, content: { body }, createdAt: new Date().toISOString(), note: true };
    await updateInbox((s) => applyMessage(s, pendingMessage(pending)));
    await outboxItem.setValue([...(await outboxItem.getValue()), pending]);
    await this.flushOutbox();
  }

  /** Assigns or unassigns; colleagues hear it from the server (Socket.IO and Realtime). */
  async assign(conversationId: string, assigneeId: string | null): Promise<void> {
    const { conversation } = await this.api.assign(conversationId, assigneeId);
    await updateInbox((s) => applyConversation(s, conversation));
  }

  /** Searches the organisation's whole history; the conversations found join the inbox so they can be opened. */
  async search(query: string): Promise<SearchResult[]> {
    const { results } = await this.api.search(query);
    await updateInbox((s) => results.reduce((acc, r) => addConversation(acc, r.conversation), s));
    return results;
  }

  /** Older messages of a thread, for the side panel to show (the bounded cache keeps only the latest). */
  olderMessages(conversationId: string, before: string) {
    return this.api.messages(conversationId, before);
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

  /** Sends a failed reply's text (and file) again, as a new message. */
  async retry(conversationId: string, messageId: string): Promise<void> {
    const failed = (await readInbox()).messages[conversationId]?.find((m) => m.id === messageId);
    if (!failed || failed.direction !== 'outbound' || !['failed', 'undelivered'].includes(failed.status)) throw new Error('only a failed reply can be retried');
    await this.send(conversationId, { body: failed.body || undefined, mediaUrl: failed.media[0]?.url });
  }

  private flushing: Promise<void> | null = null;

  /** Hands the stored outbox to the server, oldest first; stops at the first network failure. */
  flushOutbox(): Promise<void> {
    this.flushing ??= (async () => {
      for (let p = (await outboxItem.getValue())[0]; p; p = (await outboxItem.getValue())[0]) {
        try {
          const { message } = p.note ? await this.api.note(p.conversationId, p.id, p.content.body ?? '') : await this.api.reply(p.conversationId, p.id, p.content);
          await updateInbox((s) => applyMessage(s, message));
        } catch (err) {
          // Offline, server away or restarting: keep it for the next connection.
          if (err instanceof ApiError && (err.status === 0 || err.status >= 500 || err.status === 401)) return;
          // Refused (window closed, bad template…): the agent sees why, and can retry.
          const now = new Date().toISOString();
          await updateInbox((s) => applyMessage(s, { ...pendingMessage(p), status: 'failed', errorMessage: (err as Error).message, updatedAt: now }));
        }
        const sent = p.id;
        await outboxItem.setValue((await outboxItem.getValue()).filter((q) => q.id !== sent));
      }
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** The reply window and approved templates of a conversation. */
  templates(conversationId: string) {
    return this.api.templates(conversationId);
  }

  /** A media file as a data: URL the side panel can show (the token stays here). */
  async media(conversationId: string, messageId: string, index: number): Promise<{ dataUrl: string; contentType: string }> {
    const blob = await this.api.media(conversationId, messageId, index);
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    const contentType = blob.type || 'application/octet-stream';
    return { dataUrl: `data:${contentType};base64,${btoa(binary)}`, contentType };
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
      const res = await this.socket.emitWithAck('conversation:join', { conversationId: id });
      if ('data' in res) await this.updateCollab((s) => applyViewing(s, res.data.viewing));
    }
  }

  /** A message from any live path: applied once by id, announced once. */
  private async receive(message: MessageView, conversation?: ConversationView): Promise<void> {
    let fresh = false;
    const state = await updateInbox((s) => {
      fresh = isNewMessage(s, message.id);
      return applyMessage(s, message, conversation);
    });
    if (!fresh || message.direction !== 'inbound') return;
    // On screen: the agent is reading it as it arrives. Elsewhere: a notification.
    const viewing = await currentViewing();
    if (viewing.visible && viewing.conversationId === message.conversationId) await this.markRead(message.conversationId).catch(() => {});
    else await notifyMessage(message, state.conversations[message.conversationId]);
  }

  private async markRead(conversationId: string): Promise<void> {
    const { readState } = await this.api.markRead(conversationId);
    await updateInbox((s) => applyRead(s, readState));
  }

  /** The watchdog alarm: restore connections if nothing is up or trying (after sleep, a lost worker…). */
  async watchdog(): Promise<void> {
    const { data } = await this.supabase.auth.getSession();
    if (!data.session) return;
    if (!this.socket) return this.connect();
    if (this.states.socket === 'disconnected' && !this.socket.active) this.socket.connect();
    if (this.states.realtime === 'disconnected' && !this.realtimeTimer) await this.resubscribeRealtime();
  }

  private subscribeRealtime(agent: AgentProfile): void {
    const org = `organisation_id=eq.${agent.organisationId}`;
    // A fresh topic each time: realtime-js hands back an existing channel with the same topic, and
    // one whose leave timed out (socket down) is never torn down, so it would be reused, already
    // subscribed once, and never join again.
    const channel = this.supabase.channel(`inbox:${agent.organisationId}:${++this.realtimeGeneration}`);
    this.realtimeChannel = channel;
    void this.setState('realtime', 'connecting');
    channel
      .on('postgres_changes', { event: '*', schema: 'public', table: 'messages', filter: org }, (p) => {
        if (p.eventType !== 'DELETE') void this.receive(messageFromRow(p.new as Row));
      })
      .on('postgres_changes', { event: '*', schema: 'public', table: 'conversations', filter: org }, (p) => {
        if (p.eventType === 'DELETE') return;
        let unknown = false;
        void updateInbox((s) => {
          const local = s.conversations[String((p.new as Row).id)];
          unknown = !local;
          return local ? applyConversation(s, conversationFromRow(p.new as Row, local.contact)) : s;
        }).then(() => {
          if (unknown) void this.catchUp(); // a new conversation: the sync brings its contact
        });
      })
      .on('postgres_changes', { event: '*', schema: 'public', table: 'read_states', filter: `agent_id=eq.${agent.id}` }, (p) => {
        if (p.eventType !== 'DELETE') void updateInbox((s) => applyRead(s, readStateFromRow(p.new as Row)));
      })
      .on('system', {}, (p: { extension?: string; status?: string; message?: string }) => {
        if (p.extension !== 'postgres_changes') return;
        if (p.status === 'ok') {
          this.realtimeAttempts = 0;
          void this.setState('realtime', 'connected');
          void this.catchUp();
        } else void this.setState('realtime', 'disconnected', p.message ?? 'Realtime subscription failed');
      })
      .subscribe((status, err) => {
        if (this.realtimeChannel !== channel) return;
        if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') {
          // realtime-js rejoins by itself; we catch up when it is subscribed again.
          void this.setState('realtime', 'disconnected', err?.message ?? status);
        } else if (status === 'CLOSED') {
          // Closed by the server (an expired token): realtime-js never rejoins such a channel.
          void this.setState('realtime', 'disconnected', 'Realtime channel closed');
          this.scheduleRealtimeResubscribe();
        }
      });
  }

  private scheduleRealtimeResubscribe(): void {
    if (this.realtimeTimer) return;
    const base = Math.min(30_000, 1000 * 2 ** this.realtimeAttempts++);
    this.realtimeTimer = setTimeout(() => {
      this.realtimeTimer = null;
      void this.resubscribeRealtime();
    }, base / 2 + Math.random() * (base / 2));
  }

  /** Drops the Realtime channel and subscribes anew with a fresh token. */
  private async resubscribeRealtime(): Promise<void> {
    const old = this.realtimeChannel;
    this.realtimeChannel = null;
    if (old) await this.supabase.removeChannel(old);
    const { data } = await this.supabase.auth.getSession();
    const agent = await agentItem.getValue();
    if (!data.session || !agent || !this.socket) return;
    await this.supabase.realtime.setAuth(data.session.access_token);
    this.subscribeRealtime(agent);
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || !this.socket) return;
    const base = Math.min(30_000, 1000 * 2 ** this.reconnectAttempts++);
    const delay = base / 2 + Math.random() * (base / 2); // jitter: no reconnect storm after a restart
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = null;
      await this.supabase.auth.getSession(); // refreshes a token that is about to expire
      this.socket?.connect();
    }, delay);
  }

  /**
   * Fetches what changed since the stored cursor; one at a time, re-run if asked meanwhile.
   * Errors are recorded in the status (or thrown, for the poller).
   */
  catchUp(throwErrors = false): Promise<void> {
    if (this.syncing) {
      this.resyncRequested = true;
      return this.syncing;
    }
    let failure: unknown = null;
    this.syncing = (async () => {
      do {
        this.resyncRequested = false;
        const { cursor } = await readInbox();
        let res;
        try {
          res = await this.api.sync(cursor);
        } catch (err) {
          if (err instanceof ApiError && err.code === 'bad_cursor') res = await this.api.sync(null);
          else throw err;
        }
        let fresh: MessageView[] = [];
        const state = await updateInbox((s) => {
          fresh = res.messages.filter((m) => isNewMessage(s, m.id));
          return applySync(s, res);
        });
        // Caught up after a gap: announce what is new, but never a flood.
        for (const m of fresh.filter((m) => m.direction === 'inbound').slice(-3)) await notifyMessage(m, state.conversations[m.conversationId]);
      } while (this.resyncRequested);
      // Connected again: replies written meanwhile go out now.
      void this.flushOutbox();
    })()
      .catch((err: unknown) => {
        failure = err;
        this.lastError = `Sync: ${(err as Error).message}`;
        void this.publishStatus(true);
      })
      .finally(() => {
        this.syncing = null;
      });
    return throwErrors ? this.syncing.then(() => (failure ? Promise.reject(failure) : undefined)) : this.syncing;
  }

  private async setState(channel: 'realtime' | 'socket', state: ChannelState, error?: string): Promise<void> {
    this.states[channel] = state;
    if (error) this.lastError = `${channel === 'socket' ? 'Socket.IO' : 'Realtime'}: ${error}`;
    await this.publishStatus(true);
  }

  private async publishStatus(signedIn: boolean): Promise<void> {
    const { realtime, socket } = this.states;
    // Polling runs only while both sockets have failed, and stops as soon as either is back.
    if (signedIn && bothDown(realtime, socket)) this.poller.start();
    else {
      this.poller.stop();
      this.pollingWorks = false;
    }
    await connectionItem.setValue({
      overall: overallFrom(signedIn, realtime, socket, this.poller.active && this.pollingWorks),
      realtime,
      socket,
      lastError: signedIn ? this.lastError : null,
      since: new Date().toISOString(),
    });
  }
}
