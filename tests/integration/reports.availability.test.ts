import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportAgentRow, ReportResponse } from '../../lib/contract/reports';
import { historyWriter } from '../../server/dev/history';
import { findAgent } from '../../server/inbox/repository';
import { useTestStack } from '../support/fixture';
import { refusedFor } from '../support/postgrest';
import { api, connectSocket, type TestSocket } from '../support/stack';
import { until } from '../support/wait';

/**
 * Each agent's time available (docs/reports.md, "Time available"): spans of availability while
 * connected, kept by the database as availability and presence change. A scripted day, 2 November
 * 2026 (UTC), written through the same functions as the availability route and routing's presence
 * (times set by the history clock); every figure computed by hand and compared exactly. Then the
 * live paths (Socket.IO connect and disconnect, `PUT /api/routing/availability`), and who reads.
 */
describe('Reports: each agent’s time available', () => {
  // a: admin (reads the reports), Ann, Bea, Cid, Dan (live); b: one agent.
  const ctx = useTestStack({ orgs: { a: 5, b: 1 } });
  const T = (hhmm: string) => new Date(`2026-11-02T${hhmm}:00Z`);
  const report = (from: string, to: string, token = ctx.a.agents[0]!.token) =>
    api<ReportResponse>(ctx.stack, token, `/api/reports?from=2026-11-02T${from}:00Z&to=2026-11-02T${to}:00Z&timeZone=UTC`);
  const time = (rows: ReportAgentRow[], agentId: string) => {
    const r = rows.find((x) => x.agentId === agentId)!;
    return [r.availableSeconds, r.busySeconds, r.awaySeconds];
  };
  const live: TestSocket[] = [];
  afterAll(() => live.forEach((s) => s.close()));

  beforeAll(async () => {
    const db = ctx.stack.db;
    const agent = async (i: number) => (await findAgent(db, ctx.a.agents[i]!.id))!;
    const [ann, bea, cid] = [await agent(1), await agent(2), await agent(3)];
    const other = (await findAgent(db, ctx.b.agents[0]!.id))!;
    const h = historyWriter(db);
    try {
      // Ann: Available from 09:00, Away 10:30–11:00, Available again; her presence, pushed ahead at
      // 10:59 to 11:20, is never pushed again (her server died): gone at 11:20. Back 11:40; closes 12:10.
      await h.connected(T('09:00'), ann.id, 7200);
      await h.availability(T('10:30'), ann, 'away');
      await h.connected(T('10:59'), ann.id, 1260);
      await h.availability(T('11:00'), ann, 'available');
      await h.connected(T('11:40'), ann.id, 3600);
      await h.gone(T('12:10'), ann.id);
      // Bea: connects at 11:00 for 10 minutes, Busy at 11:05, then nothing: her span stays open,
      // and ends where her presence ran out (11:10), with no write at all.
      await h.connected(T('11:00'), bea.id, 600);
      await h.availability(T('11:05'), bea, 'busy');
      // Cid: Away while disconnected (counts nothing), connects at 10:00 for 10 minutes, Available at
      // 10:05; at 10:12, long gone, Busy: the open span closes at 10:10, nothing opens.
      await h.availability(T('08:00'), cid, 'away');
      await h.connected(T('10:00'), cid.id, 600);
      await h.availability(T('10:05'), cid, 'available');
      await h.availability(T('10:12'), cid, 'busy');
      // Another organisation's agent, connected all morning.
      await h.connected(T('09:00'), other.id, 7200);
    } finally {
      await h.close();
    }
  });

  it('counts seconds connected per availability, spans clipped to the period, presence gone at its expiry', async () => {
    const [ann, bea, cid] = [ctx.a.agents[1]!.id, ctx.a.agents[2]!.id, ctx.a.agents[3]!.id];
    const { status, body } = await report('09:30', '12:00');
    expect(status).toBe(200);
    // Ann: 09:30–10:30 + 11:00–11:20 + 11:40–12:00 available, 10:30–11:00 away.
    expect(time(body.agents.rows, ann)).toEqual([3600 + 1200 + 1200, 0, 1800]);
    // Bea: 11:00–11:05 available, 11:05–11:10 busy (open span, ended by her presence's expiry).
    expect(time(body.agents.rows, bea)).toEqual([300, 300, 0]);
    // Cid: 10:00–10:05 away, 10:05–10:10 available.
    expect(time(body.agents.rows, cid)).toEqual([300, 0, 300]);
    expect(time(body.agents.rows, ctx.a.agents[0]!.id)).toEqual([0, 0, 0]);
    expect(body.agents.explanation).toMatch(/Available/);

    // A period that begins inside a span and ends inside another.
    expect(time((await report('10:00', '11:30')).body.agents.rows, ann)).toEqual([1800 + 1200, 0, 1800]);
    // The whole day, and the agent filter.
    const day = await api<ReportResponse>(
      ctx.stack,
      ctx.a.agents[0]!.token,
      `/api/reports?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z&timeZone=UTC&agent=${ann}`,
    );
    expect(day.body.agents.rows.map((r) => [r.agentId, r.availableSeconds, r.busySeconds, r.awaySeconds])).toEqual([[ann, 5400 + 1200 + 1800, 0, 1800]]);
    // Nothing before the first span.
    expect(time((await report('06:00', '09:00')).body.agents.rows, ann)).toEqual([0, 0, 0]);
  });

  it('the agents CSV carries the seconds', async () => {
    const res = await fetch(`${ctx.stack.serverUrl}/api/reports/csv?table=agents&from=2026-11-02T09:30:00Z&to=2026-11-02T12:00:00Z&timeZone=UTC`, {
      headers: { authorization: `Bearer ${ctx.a.agents[0]!.token}` },
    });
    expect(res.status).toBe(200);
    const rows = parse(await res.text(), { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.agent, r.available_seconds, r.busy_seconds, r.away_seconds])).toEqual([
      ['Agent 0', '0', '0', '0'],
      ['Agent 1', '6000', '0', '1800'],
      ['Agent 2', '300', '300', '0'],
      ['Agent 3', '300', '0', '300'],
      ['Agent 4', '0', '0', '0'],
    ]);
  });

  it('another organisation’s agents and spans stay its own', async () => {
    const { body } = await report('09:30', '12:00', ctx.b.agents[0]!.token);
    expect(body.agents.rows.map((r) => [r.agentId, r.availableSeconds, r.busySeconds, r.awaySeconds])).toEqual([[ctx.b.agents[0]!.id, 5400, 0, 0]]);
    const a = await report('09:30', '12:00');
    expect(a.body.agents.rows.map((r) => r.agentId)).not.toContain(ctx.b.agents[0]!.id);
  });

  it('live: a socket connecting, the availability route and the last socket going write the spans', async () => {
    const dan = ctx.a.agents[4]!;
    const spans = async () =>
      (
        await ctx.stack.db.query<{ state: string; started_at: Date; ended_at: Date | null; organisation_id: string; seconds: number | null }>(
          `select state, started_at, ended_at, organisation_id, round(extract(epoch from ended_at - started_at), 3)::float8 as seconds
             from report_agent_spans where agent_id = $1 order by started_at`,
          [dan.id],
        )
      ).rows;
    const socket = await connectSocket(ctx.stack, dan.token);
    live.push(socket);
    await until(async () => (await spans()).length === 1, { what: 'an Available span when Dan connects' });
    expect((await api(ctx.stack, dan.token, '/api/routing/availability', 'PUT', { availability: 'busy' })).status).toBe(200);
    expect((await spans()).map((s) => [s.state, s.ended_at === null, s.organisation_id])).toEqual([
      ['available', false, ctx.a.id],
      ['busy', true, ctx.a.id],
    ]);
    socket.close();
    await until(async () => (await spans()).every((s) => s.ended_at !== null), { what: 'Dan’s span closed when his last socket went' });
    const [available, busy] = await spans();
    expect(busy!.started_at).toEqual(available!.ended_at);
    // The report over the hour around it counts exactly those spans (to the millisecond).
    const hour = (d: Date) => new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000);
    const from = hour(available!.started_at);
    const to = new Date(hour(busy!.ended_at!).getTime() + 3_600_000);
    const { body } = await api<ReportResponse>(
      ctx.stack,
      ctx.a.agents[0]!.token,
      `/api/reports?from=${from.toISOString()}&to=${to.toISOString()}&timeZone=UTC&agent=${dan.id}`,
    );
    expect(time(body.agents.rows, dan.id)).toEqual([available!.seconds, busy!.seconds, 0]);
  });

  it('spans are the server’s: a client reads none of them, nor writes', async () => {
    for (const agent of [ctx.a.agents[1]!, ctx.a.agents[0]!])
      for (const sql of ['select * from report_agent_spans', `delete from report_agent_spans where agent_id = '${agent.id}'`])
        expect(await refusedFor(ctx.stack, agent.id, sql)).toEqual({ refused: true, code: '42501' });
  });

  it('an agent moved to another organisation (an operator’s fix) leaves their span closed in the old one', async () => {
    const moved = ctx.b.agents[0]!.id;
    await ctx.stack.db.query('update agents set organisation_id = $2 where id = $1', [moved, ctx.a.id]);
    const { rows } = await ctx.stack.db.query('select organisation_id, state, started_at, ended_at from report_agent_spans where agent_id = $1', [moved]);
    // Their presence had run out at 11:00: that is where the span ends, not at the move.
    expect(rows).toEqual([{ organisation_id: ctx.b.id, state: 'available', started_at: T('09:00'), ended_at: T('11:00') }]);
  });
});
