import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { ApiError, createApiClient, type ApiClient } from '../api/client';
import { AUTH_STORAGE_KEY, chromeStorageAdapter } from '../auth/chrome-storage';
import { emptyCollab } from '../collab/state';
import { REALTIME_HEARTBEAT_MS } from '../connection/heartbeat';
import { ConnectionMachine } from '../connection/machine';
import { createPoller } from '../connection/polling';
import type { AgentProfile, MessageView } from '../contract/models';
import { messageFromRow, readStateFromRow } from '../contract/rows';
import { createOutbox } from '../inbox/outbox';
import { applyMessage, applyRead, applySync, isNewMessage } from '../inbox/state';
import { forgetInbox, pendingMessage, readInbox, updateInbox } from '../inbox/store';
import { createSync } from '../inbox/sync';
import { isConfigured, type Settings } from '../settings';
import {
  adminItem,
  agentItem,
  collabItem,
  connectionItem,
  countsItem,
  floorItem,
  openConversationItem,
  outboxItem,
  routingItem,
  teamItem,
  updateRequiredItem,
} from '../storage/items';
import { followSocket, receiveConversationRow, receiveMessage, type OnMove } from './arrivals';
import { markRead } from './conversations';
import { createCounts } from './counts';
import { followFloor, type FloorViews } from './floor';
import { RealtimeLink } from './links/realtime';
import type { DeliveryScopeTracker } from './scope';
import { createRooms } from './links/rooms';
import { createSocket } from './links/socket-client';
import { SocketLink } from './links/socket';
import { notifyMessage } from './notifications';
import { applyAgentRouting } from './routing';
import { teamChanged } from './team';
import { checkVersion } from './workspace';
import { Failure } from '../messaging/failures';

/**
 * The one owner of the extension's connections and the agent's session: the Supabase client
 * (auth and the Realtime link, the primary path for new and changed rows), the Socket.IO link
 * (rooms, typing, presence), the catch-up sync after every (re)connect, the outbox, and the
 * connection state machine with its polling fallback. What the live paths bring goes to
 * `arrivals.ts`; what the UIs ask for is answered by `handlers/`, with `api`, `outbox` and `rooms`.
 */
export class BackgroundController {
  private readonly supabase: SupabaseClient;
  readonly api: ApiClient;
  readonly outbox: ReturnType<typeof createOutbox>;
  /** What the socket says about the agent (the open conversation, those shown, away, typing). */
  readonly rooms = createRooms(() => this.socket);
  private readonly status: ConnectionMachine;
  private readonly realtime: RealtimeLink;
  private socket: SocketLink | null = null;
  private readonly sync: () => Promise<void>;
  /** The organisation's conversation counts (docs/delivery-scope.md, "Counts"). */
  private readonly counts: ReturnType<typeof createCounts>;
  /** The workspace needs a newer extension: no connection is opened. */
  private updateRequired = false;

  constructor(
    readonly settings: Settings,
    /** The pages showing the floor (they outlive a rebuild; the socket of the moment refreshes them). */
    private readonly floorViews: Pick<FloorViews, 'refresh'>,
    /** What this agent receives live (it outlives a rebuild; the links of the moment follow it). */
    private readonly scope: DeliveryScopeTracker,
  ) {
    this.supabase = createClient(settings.supabaseUrl, settings.supabaseAnonKey || 'no-anon-key-configured', {
      auth: { storage: chromeStorageAdapter, storageKey: AUTH_STORAGE_KEY, persistSession: true, autoRefreshToken: true, detectSessionInUrl: false },
      // realtime-js's own heartbeat, every few seconds instead of 25: an unanswered one (after one
      // interval) closes the socket, errors the channel and reconnects (lib/connection/heartbeat.ts).
      realtime: { heartbeatIntervalMs: REALTIME_HEARTBEAT_MS, heartbeatCallback: (status) => this.realtime.heartbeat(status) },
    });
    const api = createApiClient({ serverUrl: settings.serverUrl, getToken: () => this.token() });
    this.api = api;
    this.counts = createCounts(api);
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
      // A conversation it does not know yet: the catch-up brings it with its contact.
      onMessageRow: (row) => void receiveMessage(messageFromRow(row), undefined, { markRead: this.markRead, onUnknown: () => void this.catchUp() }),
      // A new conversation: the sync brings its contact.
      onConversationRow: (row) => void receiveConversationRow(row, () => void this.catchUp(), this.onMove),
      onReadStateRow: (row) => void updateInbox((s) => applyRead(s, readStateFromRow(row))),
      onState: (state, error) => {
        // One copy per message: while Realtime brings the rows, Socket.IO brings only the ids.
        this.rooms.setRowsByRealtime(state === 'connected');
        void this.status.set('realtime', state, error);
      },
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

  private readonly markRead = (conversationId: string) => markRead(this.api, conversationId);

  /**
   * A conversation moved between scopes (docs/delivery-scope.md). Entering the agent's, it may
   * have had messages this worker never received: the catch-up from the cursor brings them.
   */
  private readonly onMove: OnMove = (conversationId, from, to) => {
    void this.scope.enters(from, to).then((entering) => {
      if (entering) void this.catchUp();
    });
    this.scope.moved(conversationId);
  };

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
    this.rooms.setRowsByRealtime(false); // a new socket starts with the rows until Realtime is back
    this.status.reset();
    this.supabase.auth.stopAutoRefresh().catch(() => {});
  }

  /** Signs the agent in (an agent of an organisation, or refused) and connects. */
  async signIn(email: string, password: string): Promise<AgentProfile> {
    if (this.updateRequired) {
      const update = await updateRequiredItem.getValue();
      throw update
        ? new Failure({ code: 'updateRequired', minimum: update.minimum, current: update.current })
        : new Error('Update Switchboard before signing in.');
    }
    const { error } = await this.supabase.auth.signInWithPassword({ email, password });
    if (error) throw new Error(error.message, { cause: error });
    let me: AgentProfile;
    try {
      me = await this.api.me();
    } catch (err) {
      await this.signOut();
      if (err instanceof ApiError && err.status === 403) throw new Failure({ code: 'notAnAgent' }, { cause: err });
      throw err;
    }
    await agentItem.setValue(me);
    await this.connect();
    return me;
  }

  /** Ends the session and forgets the organisation's data on this device. */
  async signOut(): Promise<void> {
    const { error } = await this.supabase.auth.signOut();
    // Offline or server gone: the local session must still end.
    if (error) await chromeStorageAdapter.removeItem(AUTH_STORAGE_KEY);
    await this.teardown();
  }

  private async teardown(): Promise<void> {
    this.stop();
    await Promise.all([
      forgetInbox(),
      outboxItem.setValue([]),
      agentItem.setValue(null),
      teamItem.removeValue(),
      adminItem.setValue(null),
      routingItem.setValue(null),
      countsItem.setValue(null),
      floorItem.setValue(null),
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
    // around the moment of subscription is missed. A new scope (teams read, the All view opened)
    // replaces the channel and catches up again.
    this.scope.setAgent(agent);
    this.realtime.subscribe(agent, await this.scope.current());
    this.scope.follow((scope) => {
      this.realtime.setScope(scope);
      this.rooms.setWhole(scope.whole);
    });
    const socket: SocketLink = new SocketLink({
      create: () => createSocket(this.settings.serverUrl, () => this.token()),
      refreshSession: () => this.supabase.auth.getSession(),
      onState: (state, error) => void this.status.set('socket', state, error),
      onConnect: () => {
        // Rooms do not survive a reconnect: rejoin the open conversation, restate presence and what is shown.
        this.rooms.restate();
        // Every (re)connect catches up from the stored cursor: Socket.IO buffers nothing for us.
        void this.catchUp();
        void teamChanged(this.api);
        void this.counts.refresh();
      },
      listen: (s) => {
        // Removed from the organisation, or moved to another: nothing of the old one stays here.
        s.on('session:revoked', ({ reason }) => void this.leaveOrganisation(reason));
        s.on('team:changed', ({ area }) => void teamChanged(this.api, area));
        s.on('routing:agent', (agent) => void applyAgentRouting(agent));
        // Ids Realtime did not bring: a catch-up (it fails loudly, to be tried again), unless stopped meanwhile.
        followSocket(s, this.markRead, this.onMove, () => (this.socket ? this.catchUp(true) : Promise.resolve()));
        followFloor(s, this.floorViews);
        this.counts.follow(s);
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
  private catchUp(throwErrors = false): Promise<void> {
    const run = this.sync().then(() => void this.outbox.flush());
    const shown = run.catch((err: unknown) => void this.status.fail(`Sync: ${(err as Error).message}`));
    return throwErrors ? run : shown;
  }
}
