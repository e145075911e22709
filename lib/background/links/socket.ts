import type { ChannelState } from '../../connection/status';
import { backoff } from '../../connection/backoff';
import { NOT_ANSWERING, startHeartbeat } from '../../connection/heartbeat';
import type { ClientToServerEvents } from '../../contract/events';
import type { SwitchboardSocket } from './socket-client';

/** What the Socket.IO link needs: a way to make the socket, and where its news goes. */
export interface SocketLinkDeps {
  create(): SwitchboardSocket;
  /** Refreshes a token about to expire before a reconnect presents it. */
  refreshSession(): Promise<unknown>;
  onState(state: ChannelState, error?: string): void;
  /** Connected (again): rooms do not survive a reconnect, and Socket.IO buffers nothing for us. */
  onConnect(): void;
  /** Registers the handlers of the server's events on the new socket. */
  listen(socket: SwitchboardSocket): void;
}

/**
 * Socket.IO: room broadcasts, typing, presence. socket.io-client reconnects by itself after a
 * network drop, but not after the server refused the handshake or ended the socket (an expired
 * token): those reconnects are scheduled here, with backoff and jitter. While connected, a
 * heartbeat (`lib/connection/heartbeat.ts`) notices a server that stops answering with the TCP
 * connection still open; the link then counts as down and connects again.
 */
export class SocketLink {
  readonly socket: SwitchboardSocket;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempts = 0;
  private heartbeat: { stop(): void } | null = null;

  constructor(private readonly deps: SocketLinkDeps) {
    const socket = deps.create();
    this.socket = socket;
    socket.on('connect', () => {
      this.attempts = 0;
      this.heartbeat?.stop();
      this.heartbeat = startHeartbeat({
        ping: (ms) => socket.timeout(ms).emitWithAck('heartbeat'),
        onLost: () => this.notAnswering(),
      });
      deps.onState('connected');
      deps.onConnect();
    });
    socket.on('disconnect', (reason) => {
      this.heartbeat?.stop();
      this.heartbeat = null;
      deps.onState('disconnected', reason);
      // The server ends a socket when its token expires; the client does not retry that itself.
      if (reason === 'io server disconnect') this.scheduleReconnect();
    });
    socket.on('connect_error', (err) => {
      deps.onState('disconnected', err.message);
      // Refused by the server's auth middleware: socket.io-client stops retrying; we do not.
      if (!socket.active) this.scheduleReconnect();
    });
    deps.listen(socket);
  }

  connect(): void {
    this.deps.onState('connecting');
    this.socket.connect();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Neither connected nor trying: the watchdog may start it again. */
  get idle(): boolean {
    return !this.socket.active;
  }

  /** Drops the connection and opens it again now (the agent's Reconnect, or back from sleep). */
  reconnectNow(): void {
    this.attempts = 0;
    this.socket.disconnect();
    this.socket.connect();
  }

  /** Fire-and-forget events (typing, presence, leaving a room); dropped while disconnected. */
  emit<E extends 'typing:start' | 'typing:stop' | 'presence:set' | 'conversation:leave' | 'conversations:watch' | 'inbox:whole' | 'inbox:rows'>(
    event: E,
    ...args: Parameters<ClientToServerEvents[E]>
  ): void {
    this.socket.emit(event, ...args);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.heartbeat?.stop();
    this.heartbeat = null;
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }

  /**
   * The heartbeat went unanswered: down, said so, and a new connection (the old one may stay
   * open for 45 s more before Socket.IO's own ping gives up on it).
   */
  private notAnswering(): void {
    this.socket.disconnect(); // reports 'io client disconnect'; the reason shown is the one below
    this.deps.onState('disconnected', NOT_ANSWERING);
    this.socket.connect();
  }

  private scheduleReconnect(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      // A refresh that fails leaves the token as it is: the connect's refusal schedules the next try.
      void this.deps
        .refreshSession()
        .catch(() => undefined)
        .then(() => this.socket.connect());
    }, backoff(this.attempts++));
  }
}
