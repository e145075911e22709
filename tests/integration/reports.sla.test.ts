import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportResponse, ReportSlaCount } from '../../lib/contract/reports';
import { historyWriter } from '../../server/dev/history';
import { findAgent } from '../../server/inbox/repository';
import { useTestStack } from '../support/fixture';
import { api, customer } from '../support/stack';

/**
 * SLA met % in a report (docs/reports.md, "SLA") over scripted clocks, 1 November 2026 (UTC):
 * met, missed, met exactly at the due time, running past due at the period's end, stopped after
 * it, due after it, outside it, without a due time, and another organisation's. Every number is
 * computed by hand below and compared exactly.
 */
describe('Reports: SLA met % per kind, team and agent', () => {
  const ctx = useTestStack({ orgs: { a: 3, b: 1 } });
  const period = 'from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&timeZone=UTC';
  const ids = { alice: '', bob: '', support: '', sales: '' };
  const report = (query = '') => api<ReportResponse>(ctx.stack, ctx.a.agents[0]!.token, `/api/reports?${period}${query}`);
  const n = (met: number, missed: number, metPercent: number | null): ReportSlaCount => ({ met, missed, metPercent });
  const none = n(0, 0, null);

  beforeAll(async () => {
    const db = ctx.stack.db;
    const alice = (await findAgent(db, ctx.a.agents[0]!.id))!; // "Agent 0"
    const bob = (await findAgent(db, ctx.a.agents[1]!.id))!; // "Agent 1"
    [ids.alice, ids.bob] = [alice.id, bob.id];
    const team = async (org: { agents: Array<{ token: string }> }, name: string) =>
      (await api<{ id: string }>(ctx.stack, org.agents[0]!.token, '/api/admin/teams', 'POST', { name, assignment: 'off', defaultCapacity: 3 })).body.id;
    ids.support = await team(ctx.a, 'Support');
    ids.sales = await team(ctx.a, 'Sales');
    const teamB = await team(ctx.b, 'Support');
    // The channels answer to no team, so no clock starts by itself: the clocks below are all there is.
    const h = historyWriter(db);
    const T = (iso: string) => new Date(iso);
    let c1: string, c2: string, c3: string, cb: string;
    try {
      c1 = (await h.inbound(T('2026-11-01T09:00:00Z'), { from: customer(), to: ctx.a.number, body: 'One' })).conversationId;
      await h.assign(T('2026-11-01T09:01:00Z'), alice, c1, alice.id);
      c2 = (await h.inbound(T('2026-11-01T06:00:00Z'), { from: customer(), to: ctx.a.number, body: 'Two' })).conversationId;
      await h.assign(T('2026-11-01T06:01:00Z'), alice, c2, bob.id);
      c3 = (await h.inbound(T('2026-10-31T08:00:00Z'), { from: customer(), to: ctx.a.number, body: 'Three' })).conversationId;
      cb = (await h.inbound(T('2026-11-01T09:00:00Z'), { from: customer(), to: ctx.b.number, body: 'Other' })).conversationId;
    } finally {
      await h.close();
    }
    const clock = (org: string, conv: string, kind: string, cycle: number, teamId: string, due: string | null, stopped: string | null) =>
      db.query(
        `insert into sla_clocks (conversation_id, kind, cycle, organisation_id, team_id, target_minutes, started_at, due_at, stopped_at)
         values ($1, $2, $3, $4, $5, 60, '2026-10-31T00:00:00Z', $6, $7)`,
        [conv, kind, cycle, org, teamId, due, stopped],
      );
    const breach = (conv: string, kind: string, cycle: number, teamId: string, assignee: string | null, due: string) =>
      db.query(
        `insert into sla_breaches (conversation_id, kind, cycle, organisation_id, team_id, assignee_id, due_at, breached_at) values ($1, $2, $3, $4, $5, $6, $7, $7)`,
        [conv, kind, cycle, ctx.a.id, teamId, assignee, due],
      );
    const a = ctx.a.id;
    await clock(a, c1, 'first_response', 1, ids.support, '2026-11-01T10:00:00Z', '2026-11-01T09:30:00Z'); // met, Alice (current)
    await clock(a, c1, 'next_response', 1, ids.support, '2026-11-01T11:00:00Z', '2026-11-01T11:30:00Z'); // missed, Bob (breach)
    await breach(c1, 'next_response', 1, ids.support, bob.id, '2026-11-01T11:00:00Z');
    await clock(a, c1, 'resolution', 1, ids.sales, '2026-11-01T12:00:00Z', '2026-11-01T12:00:00Z'); // met at the due time, Alice
    await clock(a, c1, 'first_response', 2, ids.support, null, '2026-11-01T13:00:00Z'); // no due time: not counted
    await clock(a, c2, 'first_response', 1, ids.sales, '2026-11-01T20:00:00Z', null); // running past due: missed, Bob (current, no breach yet)
    await clock(a, c2, 'resolution', 1, ids.sales, '2026-11-02T05:00:00Z', null); // due after the period: not counted
    await clock(a, c2, 'next_response', 1, ids.support, '2026-11-01T08:00:00Z', '2026-11-01T07:00:00Z'); // met, Bob
    await clock(a, c3, 'first_response', 1, ids.support, '2026-10-31T10:00:00Z', '2026-10-31T09:00:00Z'); // before the period
    await clock(a, c3, 'next_response', 1, ids.support, '2026-11-01T15:00:00Z', '2026-11-02T01:00:00Z'); // running at the end: missed, nobody
    await breach(c3, 'next_response', 1, ids.support, null, '2026-11-01T15:00:00Z');
    await clock(ctx.b.id, cb, 'first_response', 1, teamB, '2026-11-01T10:00:00Z', '2026-11-01T11:00:00Z'); // another organisation's
  });

  it('counts met and missed clocks and their share, per kind, per team and per agent, in the organisation only', async () => {
    const { status, body } = await report();
    expect(status).toBe(200);
    const { explanation, ...sla } = body.sla;
    expect(explanation).toMatch(/due time/);
    expect(sla).toEqual({
      overall: { firstResponse: n(1, 1, 50), nextResponse: n(1, 2, 33.3), resolution: n(1, 0, 100) },
      teams: [
        { teamId: ids.sales, name: 'Sales', firstResponse: n(0, 1, 0), nextResponse: none, resolution: n(1, 0, 100) },
        { teamId: ids.support, name: 'Support', firstResponse: n(1, 0, 100), nextResponse: n(1, 2, 33.3), resolution: none },
      ],
      agents: [
        { agentId: ids.alice, displayName: 'Agent 0', firstResponse: n(1, 0, 100), nextResponse: none, resolution: n(1, 0, 100) },
        { agentId: ids.bob, displayName: 'Agent 1', firstResponse: n(0, 1, 0), nextResponse: n(1, 1, 50), resolution: none },
        { agentId: null, displayName: null, firstResponse: none, nextResponse: n(0, 1, 0), resolution: none },
      ],
    });
  });

  it('narrows to one agent, and counts nothing in a period without clocks', async () => {
    const bob = (await report(`&agent=${ids.bob}`)).body.sla;
    expect(bob.overall).toEqual({ firstResponse: n(0, 1, 0), nextResponse: n(1, 1, 50), resolution: none });
    expect(bob.agents.map((r) => r.agentId)).toEqual([ids.bob]);
    const earlier = await api<ReportResponse>(ctx.stack, ctx.a.agents[0]!.token, '/api/reports?from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z&timeZone=UTC');
    expect(earlier.body.sla).toMatchObject({ overall: { firstResponse: none, nextResponse: none, resolution: none }, teams: [], agents: [] });
  });

  it('downloads the SLA table as CSV: a row per scope and kind, the same numbers as the report, names formula-safe', async () => {
    // A display name is its agent's to choose: one a spreadsheet would run stays text.
    await ctx.stack.db.query("update agents set display_name = '=1+1' where id = $1", [ids.bob]);
    const { body } = await report();
    const res = await fetch(`${ctx.stack.serverUrl}/api/reports/csv?table=sla&${period}`, { headers: { authorization: `Bearer ${ctx.a.agents[0]!.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="switchboard-sla-2026-11-01-2026-11-02.csv"');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(new TextDecoder().decode(bytes), { columns: true, bom: true }) as Array<Record<string, string>>;
    const period0 = { from: '2026-11-01T00:00:00+00:00', to: '2026-11-02T00:00:00+00:00', time_zone: 'UTC' };
    const text = (v: string | number | null) => (v === null ? '' : String(v));
    const scope = (kind: 'organisation' | 'team' | 'agent', teamId: string | null, agentId: string | null, name: string | null, k: typeof body.sla.overall) =>
      (['firstResponse', 'nextResponse', 'resolution'] as const).map((f) => ({
        ...period0,
        scope: kind,
        team_id: text(teamId),
        agent_id: text(agentId),
        name: text(name?.startsWith('=') ? `'${name}` : name),
        kind: f,
        met: text(k[f].met),
        missed: text(k[f].missed),
        met_percent: text(k[f].metPercent),
      }));
    expect(rows).toEqual([
      ...scope('organisation', null, null, null, body.sla.overall),
      ...body.sla.teams.flatMap((t) => scope('team', t.teamId, null, t.name, t)),
      ...body.sla.agents.flatMap((a) => scope('agent', null, a.agentId, a.displayName, a)),
    ]);
    // By hand, a few of them: Bob's next responses, the organisation's and Sales' first responses.
    expect(rows).toHaveLength(3 * (1 + 2 + 3));
    const row = (name: string, kind: string) => rows.find((r) => r.name === name && r.kind === kind);
    expect(row("'=1+1", 'nextResponse')).toMatchObject({ scope: 'agent', agent_id: ids.bob, met: '1', missed: '1', met_percent: '50' });
    expect(row('Sales', 'firstResponse')).toMatchObject({ scope: 'team', team_id: ids.sales, met: '0', missed: '1', met_percent: '0' });
    expect(rows[0]).toMatchObject({ scope: 'organisation', kind: 'firstResponse', met: '1', missed: '1', met_percent: '50' });
    expect(rows.find((r) => r.scope === 'organisation' && r.kind === 'nextResponse')!.met_percent).toBe('33.3');
  });
});
