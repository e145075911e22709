import type pg from 'pg';
import type { Stack } from '../../server/stack';

/**
 * Runs `fn` in a transaction as PostgREST runs a request with this agent's token (`set role
 * authenticated` with the agent's JWT claims), then rolls back: what an agent could do with the
 * public anon key and their own token, around the server.
 */
export async function asPostgrestAgent<T>(stack: Pick<Stack, 'db'>, agentId: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await stack.db.connect();
  try {
    await c.query('begin');
    await c.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [
      JSON.stringify({ sub: agentId, role: 'authenticated', aud: 'authenticated' }),
    ]);
    return await fn(c);
  } finally {
    await c.query('rollback').catch(() => {});
    c.release();
  }
}

/** Whether the statement, run as the agent through PostgREST, is refused (and with which SQLSTATE), or how many rows it touched. */
export const refusedFor = (stack: Pick<Stack, 'db'>, agentId: string, sql: string, params: unknown[] = []) =>
  asPostgrestAgent(stack, agentId, (c) => c.query(sql, params)).then(
    (r) => ({ refused: false, rows: r.rowCount }),
    (err: { code?: string }) => ({ refused: true, code: err.code }),
  );
