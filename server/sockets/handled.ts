import { isDatabaseUnavailable } from '../db/unavailable';
import type { Logger } from '../logger';

/** What an agent's client is told when an event it sent failed on the server's side. */
export const UNAVAILABLE = 'unavailable: the database is unavailable; try again shortly';
export const INTERNAL = 'internal: try again shortly';
/** How long the Redis adapter waits for other instances' answers (its `requestsTimeout`, set where it is made): the longest a request in flight takes. */
export const ADAPTER_REQUEST_TIMEOUT_MS = 5000;

/**
 * An async Socket.IO handler whose failure (PostgreSQL away for a moment, the Redis adapter
 * closing) is logged and, when the client asked for an answer, answered with a clear error. Left
 * alone, the rejection would be unhandled, and Node ends the whole process on one: every agent of
 * the instance would lose their connection because one query failed. An answer already given
 * stands (Socket.IO sends one acknowledgement per event).
 */
export function handled<A extends unknown[]>(log: Logger, event: string, fn: (...args: A) => Promise<unknown>, work?: InFlight): (...args: A) => void {
  return (...args: A) => {
    const answer = (error: string) => {
      const ack = args.at(-1);
      if (typeof ack === 'function') ack({ error });
    };
    // The server is closing (the socket is about to go): nothing new starts, and an answer is
    // given at once rather than the client waiting for its own timeout.
    if (work?.closed) return answer(UNAVAILABLE);
    const done = fn(...args);
    if (work) void work.track(done);
    done.catch((err: unknown) => {
      if (err instanceof Closing) return answer(UNAVAILABLE);
      const unavailable = isDatabaseUnavailable(err);
      if (unavailable) log.warn({ err, event }, 'socket event failed: the database is unavailable');
      else log.error({ err, event }, 'socket event failed');
      answer(unavailable ? UNAVAILABLE : INTERNAL);
    });
  };
}

/** Work refused because the server is closing: no failure to log. */
export class Closing extends Error {
  constructor() {
    super('the server is closing');
  }
}

/**
 * Work socket events started (queries, Socket.IO's `fetchSockets` through the Redis adapter), so a
 * closing server lets it end before the adapter's Redis clients close. The adapter publishes its
 * requests without catching: a request sent after its client closed is an unhandled rejection,
 * which ends the process instead of a graceful stop.
 */
export class InFlight {
  private readonly pending = new Set<Promise<unknown>>();
  closed = false;

  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    const settled = () => void this.pending.delete(p);
    p.then(settled, settled);
    return p;
  }

  /**
   * Throws `Closing` once the server is closing: called before each request through the adapter,
   * so work started before the close sends none after its clients quit.
   */
  open(): void {
    if (this.closed) throw new Closing();
  }

  /** Takes nothing new, and waits for what was started, at most `ms`. */
  async drain(ms: number): Promise<void> {
    this.closed = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }
}
