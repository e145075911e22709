import type { FastifyInstance } from 'fastify';

/** Counts answered HTTP requests by route; the benchmarks and tests read it (requests per agent). */
export interface RequestCounter {
  total(): number;
  byRoute(): Record<string, number>;
}

export function countRequests(app: FastifyInstance): RequestCounter {
  const counts = new Map<string, number>();
  app.addHook('onResponse', async (req) => {
    const key = `${req.method} ${req.routeOptions.url ?? 'unmatched'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  return {
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    byRoute: () => Object.fromEntries(counts),
  };
}
