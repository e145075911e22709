import pg from 'pg';
import type { Logger } from '../logger';

/**
 * The server's pool of PostgreSQL connections. A connection attempt gives up after 5 s: with
 * PostgreSQL away, requests answer 503 instead of hanging.
 *
 * Every connection keeps an `error` listener of its own for its whole life. pg-pool listens only
 * while a connection is idle; a connection lost while checked out (a transaction, a LISTEN) emits
 * `error` with nobody listening, which Node turns into an uncaught exception that ends the
 * process. With the listener, the lost connection's query fails (the caller sees the error), the
 * pool drops it on release, and the server carries on.
 */
export function createPool(connectionString: string, log: Logger, opts: { max?: number } = {}): pg.Pool {
  const db = new pg.Pool({ connectionString, max: opts.max ?? 20, connectionTimeoutMillis: 5000 });
  db.on('connect', (client) => client.on('error', (err) => log.debug({ err }, 'database connection lost')));
  // pool.end() does not wait for its idle connections to close: when PostgreSQL stops right after,
  // they report its shutdown, which is no failure.
  db.on('error', (err) => {
    if (!db.ending) log.error({ err }, 'idle database client failed');
  });
  return db;
}
