import { isDatabaseUnavailable } from '../db/unavailable';
import type { Logger } from '../logger';

/** What an agent's client is told when an event it sent failed on the server's side. */
export const UNAVAILABLE = 'unavailable: the database is unavailable; try again shortly';
export const INTERNAL = 'internal: try again shortly';

/**
 * An async Socket.IO handler whose failure (PostgreSQL away for a moment, the Redis adapter
 * closing) is logged and, when the client asked for an answer, answered with a clear error. Left
 * alone, the rejection would be unhandled, and Node ends the whole process on one: every agent of
 * the instance would lose their connection because one query failed. An answer already given
 * stands (Socket.IO sends one acknowledgement per event).
 */
export function handled<A extends unknown[]>(log: Logger, event: string, fn: (...args: A) => Promise<unknown>): (...args: A) => void {
  return (...args: A) => {
    fn(...args).catch((err: unknown) => {
      const unavailable = isDatabaseUnavailable(err);
      if (unavailable) log.warn({ err, event }, 'socket event failed: the database is unavailable');
      else log.error({ err, event }, 'socket event failed');
      const ack = args.at(-1);
      if (typeof ack === 'function') ack({ error: unavailable ? UNAVAILABLE : INTERNAL });
    });
  };
}
