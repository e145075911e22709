import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { ApiError, createApiClient, type ApiClient } from '../api/client';
import { AUTH_STORAGE_KEY, chromeStorageAdapter } from '../auth/chrome-storage';
import { connectionItem, overallFrom, type ChannelState } from '../connection/status';
import type { AgentProfile } from '../contract/models';
import { applyMessage, applyRead, applySync, applyThreadPage, emptyInbox } from '../inbox/state';
import { agentItem, inboxItem, openConversationItem, updateInbox } from '../inbox/store';
import { createSocket, type SwitchboardSocket } from '../realtime/socket';
import type { Settings } from '../settings';

/**
 * The one owner of the extension's connections: the Supabase client (auth), the Socket.IO
 * socket, and the sync that catches up after every (re)connect. Everything it learns goes to
 * extension storage; UIs watch storage and send requests.
 */
export class BackgroundController {
  private supabase: SupabaseClient;
  private api: ApiClient;
  private socket: SwitchboardSocket | null = null;
  private syncing: Promise<void> | null = null;
  private resyncRequested = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectAttempts = 0;

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
    this.supabase.auth.onAuthStateChange((event) => {
      // Never call back into supabase-js from inside its own callback (it holds a lock).
      if (event === 'SIGNED_OUT') setTimeout(() => void this.teardown(), 0);
    });
  }

  /** Restores the session from storage and connects if there is one. */
  async start(): Promise<void> {
    const { data } = await this.supabase.auth.getSession();
    if (data.session) this.connect();
    else await this.setSocketState('idle', null, false);
  }

  /** Closes connections without touching stored state (settings changed, worker shutting down). */
  stop(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
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
    this.connect();
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
    await Promise.all([inboxItem.setValue(emptyInbox()), agentItem.setValue(null), openConversationItem.setValue(null)]);
    await this.setSocketState('idle', null, false);
  }

  /** The side panel opened a conversation: load its latest messages and mark it read. */
  async openConversation(conversationId: string): Promise<void> {
    await openConversationItem.setValue(conversationId);
    const page = await this.api.messages(conversationId);
    await updateInbox((s) => applyThreadPage(s, conversationId, page.messages));
    const { readState } = await this.api.markRead(conversationId);
    await updateInbox((s) => applyRead(s, readState));
  }

  /** Drops and re-opens the connection now (the side panel's Reconnect). */
  reconnect(): void {
    this.reconnectAttempts = 0;
    if (this.socket) {
      this.socket.disconnect();
      this.socket.connect();
    } else this.connect();
  }

  private connect(): void {
    if (this.socket) return;
    const socket = createSocket(this.settings.serverUrl, () => this.token());
    this.socket = socket;
    void this.setSocketState('connecting', null, true);
    socket.on('connect', () => {
      this.reconnectAttempts = 0;
      void this.setSocketState('connected', null, true);
      // Every (re)connect catches up from the stored cursor: Socket.IO buffers nothing for us.
      void this.catchUp();
    });
    socket.on('disconnect', (reason) => {
      void this.setSocketState('disconnected', reason, true);
      // The server ends a socket when its token expires; the client does not retry that itself.
      if (reason === 'io server disconnect') this.scheduleReconnect();
    });
    socket.on('connect_error', (err) => {
      void this.setSocketState('disconnected', err.message, true);
      // Rejected by the server's auth middleware: socket.io-client stops retrying; we do not.
      if (!socket.active) this.scheduleReconnect();
    });
    socket.on('message:new', ({ message, conversation }) => void updateInbox((s) => applyMessage(s, message, conversation)));
    socket.on('conversation:read', (read) => void updateInbox((s) => applyRead(s, read)));
    socket.connect();
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

  /** Fetches what changed since the stored cursor; one at a time, re-run if asked meanwhile. */
  catchUp(): Promise<void> {
    if (this.syncing) {
      this.resyncRequested = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      do {
        this.resyncRequested = false;
        const { cursor } = await inboxItem.getValue();
        let res;
        try {
          res = await this.api.sync(cursor);
        } catch (err) {
          if (err instanceof ApiError && err.code === 'bad_cursor') res = await this.api.sync(null);
          else throw err;
        }
        await updateInbox((s) => applySync(s, res));
      } while (this.resyncRequested);
    })()
      .catch((err: unknown) => void connectionItem.getValue().then((s) => connectionItem.setValue({ ...s, lastError: (err as Error).message })))
      .finally(() => {
        this.syncing = null;
      });
    return this.syncing;
  }

  private async setSocketState(socket: ChannelState, lastError: string | null, signedIn: boolean): Promise<void> {
    await connectionItem.setValue({ overall: overallFrom(signedIn, socket), socket, lastError, since: new Date().toISOString() });
  }
}
