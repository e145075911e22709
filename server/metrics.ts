import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

/** Counts answered HTTP requests by route, and the database queries each route made. */
export interface RequestCounter {
  total(): number;
  byRoute(): Record<string, number>;
  /** Database queries by the route that made them ("background" outside any request). */
  queriesByRoute(): Record<string, number>;
}

export function countRequests(app: FastifyInstance, db?: pg.Pool): RequestCounter {
  const counts = new Map<string, number>();
  const queries = new Map<string, number>();
  const route = new AsyncLocalStorage<string>();
  const key = (req: { method: string; routeOptions: { url?: string } }) => `${req.method} ${req.routeOptions.url ?? 'unmatched'}`;
  app.addHook('onRequest', (req, _reply, done) => route.run(key(req), done));
  app.addHook('onResponse', async (req) => {
    counts.set(key(req), (counts.get(key(req)) ?? 0) + 1);
  });
  if (db) {
    const count = () => {
      const k = route.getStore() ?? 'background';
      queries.set(k, (queries.get(k) ?? 0) + 1);
    };
    // Pool.query and queries on checked-out clients (transactions) alike: every client is wrapped
    // the first time it is handed out.
    const wrapped = new WeakSet<pg.PoolClient>();
    db.on('acquire', (client) => {
      if (wrapped.has(client)) return;
      wrapped.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      client.query = ((...args: unknown[]) => {
        count();
        return query(...args);
      }) as never;
    });
  }
  return {
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    byRoute: () => Object.fromEntries(counts),
    queriesByRoute: () => Object.fromEntries(queries),
  };
}
