import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { customer } from '../support/stack';
import { useTestStack } from '../support/fixture';
import { asPostgrestAgent, refusedFor } from '../support/postgrest';

/**
 * Hosted Supabase serves every table through PostgREST with the public anon key: an agent's own
 * token is all it takes to write there. These run as PostgREST does (`set role authenticated` with
 * the agent's JWT claims) and try what an agent could do around the server.
 */
describe('Database: agents read through RLS and write nothing around the server', () => {
  const ctx = useTestStack({ orgs: { a: 2, b: 1 } });
  let convA: string;
  let messageA: string;

  beforeAll(async () => {
    const res = await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: 'A’s customer' });
    const row = (
      await ctx.stack.db.query<{ id: string; conversation_id: string }>('select id, conversation_id from messages where twilio_sid = $1', [
        res.params.MessageSid,
      ])
    ).rows[0]!;
    ({ id: messageA, conversation_id: convA } = row);
    await ctx.stack.inbound({ from: customer(), to: ctx.b.number, body: 'B’s customer' });
  });

  /** Runs `fn` in a transaction as PostgREST runs a request with this agent's token, then rolls back. */
  const asAgent = <T>(agentId: string, fn: (c: pg.PoolClient) => Promise<T>) => asPostgrestAgent(ctx.stack, agentId, fn);
  const refused = (agentId: string, sql: string, params: unknown[] = []) => refusedFor(ctx.stack, agentId, sql, params);

  it('an agent cannot insert an outbound reply for the outbox to send, nor forge an inbound message', async () => {
    const agent = ctx.a.agents[0]!.id;
    for (const direction of ['outbound', 'inbound', 'note']) {
      const r = await refused(
        agent,
        `insert into messages (id, organisation_id, conversation_id, direction, body, status) values ($1, $2, $3, $4, 'forged', 'accepted')`,
        [randomUUID(), ctx.a.id, convA, direction],
      );
      expect(r).toEqual({ refused: true, code: '42501' }); // permission denied
    }
  });

  it('an agent cannot rewrite or delete history, reassign, or touch contacts and read state', async () => {
    const agent = ctx.a.agents[0]!.id;
    const attempts: Array<[string, unknown[]]> = [
      ['update messages set body = $2 where id = $1', [messageA, 'rewritten']],
      ['delete from messages where id = $1', [messageA]],
      ['update conversations set assignee_id = $2 where id = $1', [convA, ctx.a.agents[1]!.id]],
      ['delete from conversations where id = $1', [convA]],
      ['update contacts set profile_name = $2 where organisation_id = $1', [ctx.a.id, 'renamed']],
      ['insert into contacts (organisation_id, phone_e164) values ($1, $2)', [ctx.a.id, customer()]],
      [
        'insert into conversations (organisation_id, channel_id, contact_id) select organisation_id, $2, id from contacts where organisation_id = $1 limit 1',
        [ctx.a.id, ctx.a.channelId],
      ],
      [
        'insert into read_states (agent_id, conversation_id, organisation_id, last_read_at, read_inbound_count) values ($1, $2, $3, now(), 1000)',
        [agent, convA, ctx.a.id],
      ],
      ['delete from read_states where agent_id = $1', [agent]],
      ['insert into canned_replies (organisation_id, shortcut, body) values ($1, $2, $3)', [ctx.a.id, 'x', 'y']],
      ['update channels set whatsapp_number = null where organisation_id = $1', [ctx.a.id]],
      ['insert into organisation_templates (organisation_id, content_sid) values ($1, $2)', [ctx.a.id, 'HX' + '9'.repeat(32)]],
      ['update agents set organisation_id = $2 where id = $1', [agent, ctx.b.id]],
      ['select * from unrouted_messages', []],
      ['select public.store_inbound_batch($1::jsonb)', ['[]']],
      // Conversation status, roles, invitations and the audit log are the server's to write.
      ["update conversations set status = 'resolved' where id = $1", [convA]],
      ["update agents set role = 'admin' where id = $1", [agent]],
      ['select * from invites', []],
      ['select * from audit_log', []],
      ["insert into audit_log (organisation_id, actor_name, action) values ($1, 'x', 'y')", [ctx.a.id]],
      ["select set_config('switchboard.actor', $1, true), public.switchboard_actor()", [agent]],
    ];
    for (const [sql, params] of attempts) expect([sql, await refused(agent, sql, params)]).toEqual([sql, { refused: true, code: '42501' }]);
    // Nothing changed.
    const { rows } = await ctx.stack.db.query('select body from messages where id = $1', [messageA]);
    expect(rows).toEqual([{ body: 'A’s customer' }]);
  });

  it('reads stay scoped to the agent’s organisation (and read state to the agent)', async () => {
    const counts = (agentId: string) =>
      asAgent(agentId, async (c) => {
        const q = async (sql: string) => (await c.query<{ n: number }>(sql)).rows[0]!.n;
        return {
          messages: await q('select count(*)::int as n from messages'),
          orgs: await q('select count(distinct organisation_id)::int as n from conversations'),
          contacts: await q('select count(*)::int as n from contacts'),
        };
      });
    expect(await counts(ctx.a.agents[0]!.id)).toEqual({ messages: 1, orgs: 1, contacts: 1 });
    expect(await counts(ctx.b.agents[0]!.id)).toEqual({ messages: 1, orgs: 1, contacts: 1 });
    await ctx.stack.db.query(`insert into read_states (agent_id, conversation_id, organisation_id, last_read_at) values ($1, $2, $3, now())`, [
      ctx.a.agents[1]!.id,
      convA,
      ctx.a.id,
    ]);
    const ownReadStates = await asAgent(ctx.a.agents[0]!.id, async (c) => (await c.query('select agent_id from read_states')).rows);
    expect(ownReadStates).toEqual([]);
  });

  it('rows cannot point across organisations, whoever writes them', async () => {
    const convB = (await ctx.stack.db.query<{ id: string }>('select id from conversations where organisation_id = $1', [ctx.b.id])).rows[0]!.id;
    // Even the server's own connection (the table owner) cannot mix tenants.
    const cross: Array<[string, unknown[]]> = [
      [`insert into messages (organisation_id, conversation_id, direction, body, status) values ($1, $2, 'outbound', 'x', 'accepted')`, [ctx.a.id, convB]],
      [`insert into read_states (agent_id, conversation_id, organisation_id, last_read_at) values ($1, $2, $3, now())`, [ctx.a.agents[0]!.id, convB, ctx.a.id]],
      ['update conversations set assignee_id = $2 where id = $1', [convA, ctx.b.agents[0]!.id]],
      ['update conversations set channel_id = $2 where id = $1', [convA, ctx.b.channelId]],
    ];
    for (const [sql, params] of cross) {
      const err = await ctx.stack.db.query(sql, params).then(
        () => null,
        (e: { code?: string }) => e.code,
      );
      expect([sql, err]).toEqual([sql, '23503']); // foreign key violation
    }
  });
});
