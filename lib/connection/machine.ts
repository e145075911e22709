import type { Poller } from './polling';
import { bothDown, overallFrom, type ChannelState, type ConnectionStatus } from './status';

export type Channel = 'realtime' | 'socket';

/**
 * The single source of the connection state: each link reports its channel's state here, and the
 * machine derives the rest. Polling runs only while both channels are down and signed in, and
 * stops as soon as either is back; every change is published as one `ConnectionStatus`.
 */
export class ConnectionMachine {
  private channels: Record<Channel, ChannelState> = { realtime: 'idle', socket: 'idle' };
  private signedIn = false;
  private lastError: string | null = null;
  private pollingWorks = false;

  constructor(
    private readonly deps: {
      poller: Poller;
      publish(status: ConnectionStatus): Promise<void>;
      now?: () => Date;
    },
  ) {}

  state(channel: Channel): ChannelState {
    return this.channels[channel];
  }

  /** A link's channel changed; an error is kept as the last one the UI shows. */
  set(channel: Channel, state: ChannelState, error?: string): Promise<void> {
    this.channels[channel] = state;
    if (error) this.lastError = `${channel === 'socket' ? 'Socket.IO' : 'Realtime'}: ${error}`;
    return this.publish();
  }

  /** Something else failed (a sync): shown, without changing a channel. */
  fail(error: string): Promise<void> {
    this.lastError = error;
    return this.publish();
  }

  /** Whether the last poll reached the server (only meaningful while polling). */
  polled(works: boolean): Promise<void> {
    this.pollingWorks = works;
    return this.publish();
  }

  /** Signed in (connections are being made) or signed out (everything idle). */
  session(signedIn: boolean): Promise<void> {
    this.signedIn = signedIn;
    if (!signedIn) this.channels = { realtime: 'idle', socket: 'idle' };
    return this.publish();
  }

  /** Both links closed without a change of session (settings changed, worker stopping). */
  reset(): void {
    this.channels = { realtime: 'idle', socket: 'idle' };
    this.deps.poller.stop();
  }

  private publish(): Promise<void> {
    const { realtime, socket } = this.channels;
    if (this.signedIn && bothDown(realtime, socket)) this.deps.poller.start();
    else {
      this.deps.poller.stop();
      this.pollingWorks = false;
    }
    return this.deps.publish({
      overall: overallFrom(this.signedIn, realtime, socket, this.deps.poller.active && this.pollingWorks),
      realtime,
      socket,
      lastError: this.signedIn ? this.lastError : null,
      since: (this.deps.now?.() ?? new Date()).toISOString(),
    });
  }
}
