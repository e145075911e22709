import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createPool } from '../../server/db/pool';
import { cuttableProxy } from '../support/proxy';
import { useTestStack } from '../support/fixture';
import { startTestStack } from '../support/stack';

/** A connection lost while it is checked out (in a transaction, listening) must not end the server. */
describe('The server’s database pool', () => {
  const ctx = useTestStack();
  let proxy: Awaited<ReturnType<typeof cuttableProxy>>;
  let url: string;

  beforeAll(async () => {
    proxy = await cuttableProxy(Number(new URL(ctx.stack.config.databaseUrl).port));
    const viaProxy = new URL(ctx.stack.config.databaseUrl);
    viaProxy.port = new URL(proxy.url).port;
    url = viaProxy.toString();
  });
  afterAll(() => proxy?.close());

  it('survives a connection cut in the middle of a transaction, fails that transaction, and serves the next', async () => {
    const db = createPool(url, pino({ level: 'silent' }));
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    // Vitest would report the exception too; this records it where the test can assert on it.
    process.prependListener('uncaughtException', onUncaught);
    try {
      const client = await db.connect();
      await client.query('begin');
      const ended = new Promise((resolve) => client.once('end', resolve));
      proxy.setUp(false);
      await ended;
      await expect(client.query('select 1')).rejects.toThrow();
      client.release();
      proxy.setUp(true);
      const { rows } = await db.query<{ n: number }>('select 1 as n');
      expect(rows[0]!.n).toBe(1);
      expect(uncaught).toEqual([]);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      proxy.setUp(true);
      await db.end();
    }
  });
});

/** What an operator reads when a stack stops: nothing that looks like a failure. */
describe('A stack that stops', () => {
  it('logs no warning or error while it shuts down (its listeners let go of their connections before PostgreSQL stops)', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const stack = await startTestStack({ LOG_LEVEL: 'warn' }, { log: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    // The CRM outbox's and routing's listeners hold their connections (the last thing each ran).
    const listening = async () =>
      (await stack.db.query<{ query: string }>("select query from pg_stat_activity where query like 'listen %' order by query")).rows.map((r) => r.query);
    await expect.poll(listening, { timeout: 10_000 }).toEqual(['listen crm_outbox', 'listen switchboard_routing']);
    // The reply sender's pump has a query under way when the stop begins (as when a reply was just stored).
    stack.app.sender.kick();
    await stack.stop();
    expect(lines.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([]);
  });
});
