import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ReportResponse } from '../../lib/contract/reports';
import { useTestStack } from '../support/fixture';
import { api, customer } from '../support/stack';

/**
 * Who sees reports (admins and leads, never agents; a lead administers nothing), that a report
 * reads only its organisation, that bad queries are refused with the reason, and that live traffic
 * (webhook, reply route, status route) reaches the figures as it happens.
 */
describe('Reports: access, tenancy and live traffic', () => {
  const ctx = useTestStack({ orgs: { a: 3, b: 1 } });
  const admin = () => ctx.a.agents[0]!;
  const lead = () => ctx.a.agents[1]!;
  const agent = () => ctx.a.agents[2]!;
  const QUARTER = 15 * 60_000;
  /** A period of quarter hours around now, as a query. */
  const aroundNow = (extra = '') => {
    const from = new Date(Math.floor(Date.now() / QUARTER) * QUARTER - QUARTER).toISOString();
    const to = new Date(Date.parse(from) + 8 * QUARTER).toISOString();
    return `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&timeZone=UTC${extra}`;
  };
  const report = (token: string, query = aroundNow()) => api<ReportResponse & { error?: string; message?: string }>(ctx.stack, token, `/api/reports?${query}`);

  it('lets an admin make a lead, who sees reports and CSV but is refused every admin write', async () => {
    const made = await api(ctx.stack, admin().token, `/api/admin/agents/${lead().id}/role`, 'POST', { role: 'lead' });
    expect(made.status).toBe(200);
    expect((await api<{ role: string }>(ctx.stack, lead().token, '/api/me')).body.role).toBe('lead');
    expect((await report(lead().token)).status).toBe(200);
    const csv = await fetch(`${ctx.stack.serverUrl}/api/reports/csv?table=agents&${aroundNow()}`, { headers: { authorization: `Bearer ${lead().token}` } });
    expect(csv.status).toBe(200);
    const refused: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/overview'],
      ['POST', '/api/admin/invites', { email: 'x@test.dev' }],
      ['POST', `/api/admin/agents/${agent().id}/role`, { role: 'lead' }],
      ['DELETE', `/api/admin/agents/${agent().id}`],
      ['POST', '/api/admin/canned-replies', { shortcut: 'x', body: 'y' }],
    ];
    for (const [method, path, body] of refused) {
      const res = await api<{ error: string }>(ctx.stack, lead().token, path, method, body);
      expect([path, res.status, res.body.error]).toEqual([path, 403, 'admin_only']);
    }
    expect((await api<{ role: string }>(ctx.stack, agent().token, '/api/me')).body.role).toBe('agent');
  });

  it('refuses reports and their CSV to an agent (403 reports_only)', async () => {
    const res = await report(agent().token);
    expect([res.status, res.body.error]).toEqual([403, 'reports_only']);
    const csv = await fetch(`${ctx.stack.serverUrl}/api/reports/csv?table=summary&${aroundNow()}`, { headers: { authorization: `Bearer ${agent().token}` } });
    expect(csv.status).toBe(403);
  });

  it('counts live traffic as it is stored: a webhook, a reply through the API, a resolve through the API', async () => {
    const from = customer();
    expect((await ctx.stack.inbound({ from, to: ctx.a.number, body: 'Hello' })).status).toBe(200);
    const db = ctx.stack.db;
    const conv = (await db.query<{ id: string }>('select id from conversations c where organisation_id = $1 order by created_at desc limit 1', [ctx.a.id]))
      .rows[0]!.id;
    const reply = await api(ctx.stack, agent().token, `/api/conversations/${conv}/messages`, 'POST', { id: randomUUID(), body: 'Hi!' });
    expect(reply.status).toBe(201);
    const resolved = await api(ctx.stack, agent().token, `/api/conversations/${conv}/status`, 'POST', { status: 'resolved' });
    expect(resolved.status).toBe(200);
    // The expected durations, from the rows the write paths stored.
    const { rows } = await db.query<{ first: number; resolution: number }>(
      `select round(extract(epoch from o.created_at - i.created_at), 3)::float8 as first,
              round(extract(epoch from r.created_at - i.created_at), 3)::float8 as resolution
         from messages i, messages o, messages r
        where i.conversation_id = $1 and i.direction = 'inbound' and o.conversation_id = $1 and o.direction = 'outbound'
          and r.conversation_id = $1 and r.direction = 'activity' and r.activity ->> 'status' = 'resolved'`,
      [conv],
    );
    const { body } = await report(admin().token);
    expect(body.figures.opened).toMatchObject({ events: 1, conversations: 1, customers: 1 });
    expect(body.figures.resolved).toMatchObject({ events: 1, conversations: 1, customers: 1 });
    expect(body.figures.firstResponse).toMatchObject({ count: 1, medianSeconds: rows[0]!.first, p90Seconds: rows[0]!.first });
    expect(body.figures.resolution).toMatchObject({ count: 1, medianSeconds: rows[0]!.resolution });
    expect([body.figures.messagesIn.value, body.figures.messagesOut.value]).toEqual([1, 1]);
    expect(body.agents.rows.find((r) => r.agentId === agent().id)).toMatchObject({
      replies: 1,
      conversations: 1,
      responses: 1,
      firstResponses: 1,
      resolved: 1,
    });
  });

  it('keeps whole facts while customers write and agents reply to the same conversations at once', async () => {
    const db = ctx.stack.db;
    const customers = Array.from({ length: 8 }, () => customer());
    for (const from of customers) expect((await ctx.stack.inbound({ from, to: ctx.a.number, body: 'first' })).status).toBe(200);
    const { rows } = await db.query<{ id: string }>(
      `select c.id from conversations c join contacts ct on ct.id = c.contact_id where c.organisation_id = $1 and ct.phone_e164 = any($2) order by c.id`,
      [ctx.a.id, customers],
    );
    const writes = customers.flatMap((from, i) => [
      ...[1, 2, 3].map(async (n) => (await ctx.stack.inbound({ from, to: ctx.a.number, body: `more ${n}` })).status),
      ...[admin(), agent()].map(
        async (who) => (await api(ctx.stack, who.token, `/api/conversations/${rows[i]!.id}/messages`, 'POST', { id: randomUUID(), body: 'On it' })).status,
      ),
    ]);
    const statuses = await Promise.all(writes);
    expect(statuses.filter((s) => s !== 200 && s !== 201)).toEqual([]);
    const { rows: facts } = await db.query(
      `select c.id,
              (select count(*)::int from report_cycles y where y.conversation_id = c.id) as cycles,
              (select count(*)::int from report_responses r where r.conversation_id = c.id) between 1 and 2 as responses_ok,
              (select count(*)::int from report_conversation_state s where s.conversation_id = c.id) as states
         from conversations c where c.id = any($1) order by c.id`,
      [rows.map((r) => r.id)],
    );
    expect(facts).toEqual(rows.map((r) => ({ id: r.id, cycles: 1, responses_ok: true, states: 1 })));
    const { rows: volume } = await db.query(
      `select (select coalesce(sum(inbound + outbound), 0)::int from report_volume where organisation_id = $1) as counted,
              (select count(*)::int from messages where organisation_id = $1 and direction in ('inbound', 'outbound')) as stored`,
      [ctx.a.id],
    );
    expect(volume[0].counted).toBe(volume[0].stored);
  });

  it('reads only the caller’s organisation: another’s channel or agent is 404, its figures never mixed in', async () => {
    const other = ctx.b.agents[0]!.token;
    expect((await report(other, aroundNow(`&channel=${ctx.a.channelId}`))).status).toBe(404);
    expect((await report(other, aroundNow(`&agent=${admin().id}`))).status).toBe(404);
    const { body } = await report(other);
    expect([body.figures.opened.events, body.figures.messagesIn.value, body.figures.messagesOut.value]).toEqual([0, 0, 0]);
    expect(body.agents.rows.map((r) => r.agentId)).toEqual([ctx.b.agents[0]!.id]);
  });

  it('refuses a bad period or time zone with the reason (400)', async () => {
    const bad: Array<[string, RegExp]> = [
      ['from=2026-10-24T00:00:00Z&to=2026-10-25T00:00:00Z', /timeZone/],
      ['from=2026-10-24T00:10:00Z&to=2026-10-25T00:00:00Z&timeZone=UTC', /from: must fall on a quarter hour/],
      ['from=2026-10-25T00:00:00Z&to=2026-10-24T00:00:00Z&timeZone=UTC', /to: must be after from/],
      ['from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&timeZone=UTC', /at most 400 days/],
      ['from=2026-10-24T00:00:00Z&to=2026-10-25T00:00:00Z&timeZone=Mars/Olympus', /IANA time zone/],
      ['from=yesterday&to=2026-10-25T00:00:00Z&timeZone=UTC', /from/],
    ];
    for (const [query, reason] of bad) {
      const res = await report(admin().token, query);
      expect([query, res.status, res.body.error]).toEqual([query, 400, 'bad_request']);
      expect(res.body.message).toMatch(reason);
    }
    const csv = await api<{ message: string }>(ctx.stack, admin().token, `/api/reports/csv?table=everything&${aroundNow()}`);
    expect(csv.status).toBe(400);
    expect(csv.body.message).toMatch(/table/);
  });
});
