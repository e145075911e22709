/**
 * Application-level heartbeats (issue #31). A server whose process is frozen, or a network that
 * swallows packets, keeps the TCP connection open: the transports notice only after their own
 * timeouts (Socket.IO's ping interval plus timeout, 45 s; Phoenix's 25 s interval). Both links
 * ping every HEARTBEAT_INTERVAL_MS and give up after HEARTBEAT_TIMEOUT_MS without an answer, so
 * a server that stops answering is noticed within their sum (10 s). The timeout is longer than
 * the interval: a busy laptop or server answering a few seconds late is not a server gone.
 */
export const HEARTBEAT_INTERVAL_MS = 4_000;
/** How long a Socket.IO ping may wait for its answer. */
export const HEARTBEAT_TIMEOUT_MS = 6_000;
/** Realtime's heartbeat interval: realtime-js gives up when a heartbeat is unanswered at the next one (within 10 s). */
export const REALTIME_HEARTBEAT_MS = 5_000;
/** What a link that lost its heartbeat reports as its error. */
export const NOT_ANSWERING = 'the server is not answering (no heartbeat reply)';

export interface HeartbeatOptions {
  /** Sends one ping; resolves when the server answers, rejects on an error or after `timeoutMs`. */
  ping(timeoutMs: number): Promise<unknown>;
  /** No answer in time: called once, then the heartbeat stops (the link reconnects and starts a new one). */
  onLost(): void;
  intervalMs?: number;
  timeoutMs?: number;
}

/**
 * Pings every `intervalMs` (one ping in flight at a time) and calls `onLost` when one is not
 * answered within `timeoutMs`, whether or not `ping` itself gives up. Stops on `stop()`.
 * @example const beat = startHeartbeat({ ping: (ms) => socket.timeout(ms).emitWithAck('heartbeat'), onLost: reconnect }); // on disconnect: beat.stop()
 */
export function startHeartbeat(opts: HeartbeatOptions): { stop(): void } {
  const intervalMs = opts.intervalMs ?? HEARTBEAT_INTERVAL_MS;
  const timeoutMs = opts.timeoutMs ?? HEARTBEAT_TIMEOUT_MS;
  let stopped = false;
  let next: ReturnType<typeof setTimeout> | null = null;
  let deadline: ReturnType<typeof setTimeout> | null = null;
  const stop = () => {
    stopped = true;
    if (next) clearTimeout(next);
    if (deadline) clearTimeout(deadline);
    next = deadline = null;
  };
  const lost = () => {
    if (stopped) return;
    stop();
    opts.onLost();
  };
  const beat = () => {
    next = null;
    if (stopped) return;
    deadline = setTimeout(lost, timeoutMs);
    opts.ping(timeoutMs).then(() => {
      if (stopped) return;
      if (deadline) clearTimeout(deadline);
      deadline = null;
      next = setTimeout(beat, intervalMs);
    }, lost);
  };
  next = setTimeout(beat, intervalMs);
  return { stop };
}
