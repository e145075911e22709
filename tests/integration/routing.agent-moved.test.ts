import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentProfile } from '../../lib/contract/models';
import { historyWriter } from '../../server/dev/history';
import { findAgent } from '../../server/inbox/repository';
import { markConnected, markGone } from '../../server/routing/presence';
import { setAvailability } from '../../server/routing/repository';
import { useTestStack } from '../support/fixture';
import { until } from '../support/wait';

/**
 * An operator moves an agent to another organisation by SQL (`update agents set organisation_id`,
 * …_routing_agent_moved.sql) while the server writes that agent's presence or availability. The
 * move locks the agent's row first (its own UPDATE), then deletes their routing and presence rows;
 * the server's writes lock the presence or routing row, and a span of time available they insert
 * (…_report_availability.sql) checks its foreign key, a share lock on the same agent's row. In that
 * order the two waited for each other (deadlock, 40P01); the server's writes now lock the agent's
 * row first (…_presence_lock_order.sql), so one waits for the other and both go through.
 */
describe('An agent moved by an operator while the server writes their presence', () => {
  const ctx = useTestStack({ orgs: { a: 3, b: 1 } });
  /** One-connection pools: each side's statements on a backend of its own, whose waits can be seen. */
  const pools: pg.Pool[] = [];
  afterAll(() => Promise.all(pools.map((p) => p.end())));
  const backend = async () => {
    const pool = new pg.Pool({ ...ctx.stack.db.options, max: 1 });
    pools.push(pool);
    return { pool, pid: (await pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid };
  };
  /** Whether that backend waits for a lock (asked on another connection: it is busy with its statement). */
  const waitingOn = (pid: number) => async () =>
    (await ctx.stack.db.query('select 1 from pg_stat_activity where pid = $1 and wait_event_type = $2', [pid, 'Lock'])).rowCount === 1;
  const move = (pool: pg.Pool, agentId: string, organisationId: string) =>
    pool.query('update agents set organisation_id = $2 where id = $1', [agentId, organisationId]);
  const organisationOf = async (agentId: string) =>
    (await ctx.stack.db.query<{ o: string }>('select organisation_id as o from agent_presence where agent_id = $1', [agentId])).rows[0]?.o;

  /**
   * The interleaving that deadlocked, made certain: a third transaction holds the agent's open span
   * so the server's write stops right after it locked the presence (or routing) row, before its span
   * is written; the move then starts and runs until it waits; the span is let go.
   */
  async function interleaved(agent: AgentProfile, serverWrite: (pool: pg.Pool) => Promise<unknown>) {
    const [server, operator] = [await backend(), await backend()];
    const holder = await ctx.stack.db.connect();
    try {
      await holder.query('begin');
      const held = await holder.query('select id from report_agent_spans where agent_id = $1 and ended_at is null for update', [agent.id]);
      expect(held.rowCount).toBe(1);
      const writing = serverWrite(server.pool);
      await until(waitingOn(server.pid), { what: 'the server’s write waiting on the held span' });
      const moving = move(operator.pool, agent.id, ctx.b.id);
      await until(waitingOn(operator.pid), { what: 'the operator’s move waiting on the server’s write' });
      await holder.query('commit');
      // Before the lock order was one: one of the two ended as 'deadlock detected' (40P01).
      await Promise.all([writing, moving]);
    } finally {
      await holder.query('rollback').catch(() => {});
      holder.release();
    }
    expect(await organisationOf(agent.id)).toBe(ctx.b.id);
    await move(ctx.stack.db, agent.id, ctx.a.id);
  }

  it('a presence refresh that begins a span again (its last one lapsed) and the move both go through', async () => {
    const agent = (await findAgent(ctx.stack.db, ctx.a.agents[1]!.id))!;
    // Connected long ago for a minute (generated history's clock): the span is open, the presence lapsed.
    const h = historyWriter(ctx.stack.db);
    await h.connected(new Date(Date.now() - 3_600_000), agent.id, 60).finally(() => h.close());
    await interleaved(agent, (pool) => markConnected(pool, [agent.id], 60));
  });

  it('an availability change while connected and the move both go through', async () => {
    const agent = (await findAgent(ctx.stack.db, ctx.a.agents[2]!.id))!;
    await markConnected(ctx.stack.db, [agent.id], 600);
    await interleaved(agent, (pool) => setAvailability(pool, agent, 'busy'));
  });

  it('200 moves racing the server’s presence and availability writes: never a deadlock', async () => {
    const agent = (await findAgent(ctx.stack.db, ctx.a.agents[1]!.id))!;
    const [operator, server, routing] = [await backend(), await backend(), await backend()];
    for (let i = 0; i < 200; i++) {
      // Each move leaves the agent new in the other organisation (not connected, available): the
      // writes below begin a span, which is what takes the agent's row.
      const to = i % 2 === 0 ? ctx.b.id : ctx.a.id;
      const from = i % 2 === 0 ? ctx.a.id : ctx.b.id;
      const writes = [
        markConnected(server.pool, [agent.id], 60),
        setAvailability(routing.pool, { ...agent, organisationId: from }, i % 4 < 2 ? 'busy' : 'available'),
        move(operator.pool, agent.id, to),
      ];
      await Promise.all(writes);
      if (i % 3 === 0) await markGone(server.pool, agent.id);
    }
    expect(await organisationOf(agent.id)).toBe(ctx.a.id);
  });
});
