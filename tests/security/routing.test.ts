import { describe, expect, it } from 'vitest';
import { api } from '../support/stack';
import { useClients, useTestStack } from '../support/fixture';
import { subscribed } from '../support/realtime';
import { until } from '../support/wait';
import { asPostgrestAgent, refusedFor } from '../support/postgrest';
import { setUpTeam } from '../support/routing';

/**
 * Routing's tables (issue 33) as an agent reaches them around the server (PostgREST with their own
 * token): their organisation's teams, states and breaches are readable, nothing is writable, and
 * the server's own bookkeeping (queue, presence, clocks, auto-replies) is not readable at all.
 */
describe('Database: routing rows are read through RLS and written by the server only', () => {
  const ctx = useTestStack({ orgs: { a: 2, b: 1 } });
  const clients = useClients(ctx);

  it('an agent reads their organisation’s teams and routing state, not another’s', async () => {
    await setUpTeam(ctx.stack, ctx.a.agents[0]!.token, ctx.a, { assignment: 'round_robin', defaultCapacity: 3 });
    await setUpTeam(ctx.stack, ctx.b.agents[0]!.token, ctx.b, { assignment: 'least_busy', defaultCapacity: 3 });
    const seen = (agentId: string) =>
      asPostgrestAgent(ctx.stack, agentId, async (c) => {
        const n = async (table: string) => (await c.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0]!.n;
        return { teams: await n('teams'), members: await n('team_members'), agents: await n('agent_routing') };
      });
    expect(await seen(ctx.a.agents[1]!.id)).toEqual({ teams: 1, members: 2, agents: 2 });
    expect(await seen(ctx.b.agents[0]!.id)).toEqual({ teams: 1, members: 1, agents: 1 });
  });

  it('an agent writes no routing row, and reads none of the server’s bookkeeping', async () => {
    const agent = ctx.a.agents[1]!.id;
    const teamB = (await ctx.stack.db.query<{ id: string }>('select id from teams where organisation_id = $1', [ctx.b.id])).rows[0]!.id;
    for (const sql of [
      `update agent_routing set availability = 'available', open_load = 0`,
      `update teams set default_capacity = 1000`,
      `insert into team_members (team_id, agent_id, organisation_id) values ('${teamB}', '${agent}', '${ctx.b.id}')`,
      `delete from sla_breaches`,
      `insert into sla_policies (team_id, organisation_id, first_response_minutes) values ('${teamB}', '${ctx.b.id}', 1)`,
    ])
      expect([sql, await refusedFor(ctx.stack, agent, sql)]).toEqual([sql, { refused: true, code: '42501' }]);
    for (const table of ['routing_queue', 'agent_presence', 'sla_clocks', 'auto_replies'])
      expect([table, await refusedFor(ctx.stack, agent, `select * from ${table}`)]).toEqual([table, { refused: true, code: '42501' }]);
  });

  it('an admin of one organisation cannot put their team on another’s channel, nor another’s agent in their team', async () => {
    const admin = ctx.a.agents[0]!.token;
    const teamA = (await ctx.stack.db.query<{ id: string }>('select id from teams where organisation_id = $1', [ctx.a.id])).rows[0]!.id;
    expect((await api(ctx.stack, admin, `/api/admin/channels/${ctx.b.channelId}/team`, 'PUT', { teamId: teamA })).status).toBe(404);
    expect((await api(ctx.stack, admin, `/api/admin/teams/${teamA}/members/${ctx.b.agents[0]!.id}`, 'PUT', {})).status).toBe(422);
    // Even the server's own connection cannot mix tenants: the schema's keys refuse it.
    const err = await ctx.stack.db
      .query('insert into team_members (team_id, agent_id, organisation_id) values ($1, $2, $3)', [teamA, ctx.b.agents[0]!.id, ctx.a.id])
      .then(
        () => null,
        (e: { code?: string }) => e.code,
      );
    expect(err).toBe('23503');
  });

  it('an availability change reaches colleagues through Realtime, and no other organisation', async () => {
    const heard: Record<'colleague' | 'stranger', string[]> = { colleague: [], stranger: [] };
    for (const [name, token] of [
      ['colleague', ctx.a.agents[0]!.token],
      ['stranger', ctx.b.agents[0]!.token],
    ] as const) {
      const sb = await clients.realtime.client(token);
      const ch = sb
        .channel(`routing-${name}`)
        .on('postgres_changes', { event: 'UPDATE', schema: 'public', table: 'agent_routing' }, (p) =>
          heard[name].push(String((p.new as { availability: string }).availability)),
        );
      await subscribed(ch, true);
    }
    expect((await api(ctx.stack, ctx.a.agents[1]!.token, '/api/routing/availability', 'PUT', { availability: 'busy' })).status).toBe(200);
    // The stranger's own change, made after, is the marker: rows arrive in commit order.
    expect((await api(ctx.stack, ctx.b.agents[0]!.token, '/api/routing/availability', 'PUT', { availability: 'away' })).status).toBe(200);
    await until(() => heard.colleague.includes('busy') && heard.stranger.includes('away'), { what: 'both changes heard' });
    expect(heard.stranger).toEqual(['away']);
  });
});
