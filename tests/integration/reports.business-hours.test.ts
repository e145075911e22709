import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportResponse } from '../../lib/contract/reports';
import { createChannel } from '../../server/admin/commands';
import { historyWriter } from '../../server/dev/history';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { STAND_IN_TEMPLATES } from '../../server/dev/twilio-stand-in/server';
import { findAgent } from '../../server/inbox/repository';
import { businessMillis } from '../../server/routing/business-hours';
import { loadHours } from '../../server/routing/team-hours';
import { useTestStack } from '../support/fixture';
import { api, customer } from '../support/stack';

/**
 * Reports in business hours and by team (docs/reports.md, "Business hours", "Filters"). The
 * database's `business_seconds` agrees with the server's arithmetic to the millisecond, and a
 * scripted history in Europe/Berlin, October 2026 (the clocks go back at 03:00 on Sunday the 25th,
 * CEST +02:00 → CET +01:00), gives figures computed by hand below. *Support* is open Monday to
 * Friday 09:00–17:00, closed on Wednesday the 28th (a holiday); *Night* has its hours off.
 */
describe('Reports: durations in business hours, figures by team', () => {
  const ctx = useTestStack({ orgs: { a: 2, b: 1 } });
  const T = (iso: string) => new Date(iso);
  const period = 'from=2026-10-12T00:00:00%2B02:00&to=2026-11-02T00:00:00%2B01:00&timeZone=Europe/Berlin';
  const ids = { support: '', night: '', other: '', A: '', B: '', C: '', D: '' };
  const admin = () => ctx.a.agents[0]!.token;
  const report = (query = '') => api<ReportResponse>(ctx.stack, admin(), `/api/reports?${period}${query}`);
  const weekdays = (opensMinute: number, closesMinute: number) => [1, 2, 3, 4, 5].map((weekday) => ({ weekday, opensMinute, closesMinute }));
  const newTeam = async (token: string, name: string) =>
    (await api<{ id: string }>(ctx.stack, token, '/api/admin/teams', 'POST', { name, assignment: 'off', defaultCapacity: 3 })).body.id;
  const putHours = async (team: string, body: object) =>
    expect((await api(ctx.stack, admin(), `/api/admin/teams/${team}/hours`, 'PUT', body)).status).toBe(200);

  beforeAll(async () => {
    const db = ctx.stack.db;
    const alice = (await findAgent(db, ctx.a.agents[0]!.id))!;
    ids.support = await newTeam(admin(), 'Support');
    ids.night = await newTeam(admin(), 'Night');
    ids.other = await newTeam(ctx.b.agents[0]!.token, 'Support');
    await putHours(ids.support, {
      enabled: true,
      timeZone: 'Europe/Berlin',
      intervals: weekdays(540, 1020),
      holidays: [{ day: '2026-10-28', name: 'Closed' }],
    });
    const second = `whatsapp:+1737556${String(Date.now() % 10_000).padStart(4, '0')}`;
    const channel2 = (await createChannel(db, { organisationId: ctx.a.id, name: 'Night line', whatsappNumber: second, messagingServiceSid: newSid('MG') })).id;
    const { rows } = await db.query<{ id: string }>('select id from channels where organisation_id = $1 and id <> $2', [ctx.a.id, channel2]);
    expect((await api(ctx.stack, admin(), `/api/admin/channels/${rows[0]!.id}/team`, 'PUT', { teamId: ids.support })).status).toBe(200);
    expect((await api(ctx.stack, admin(), `/api/admin/channels/${channel2}/team`, 'PUT', { teamId: ids.night })).status).toBe(200);

    const template = STAND_IN_TEMPLATES[0]!;
    const byTemplate = { templateSid: template.sid, renderedBody: template.body }; // answers past the 24-hour window
    const h = historyWriter(db);
    try {
      // A: Friday 16:50 CEST, answered Monday 09:05: 10 + 5 business minutes (900 s); wall-clock
      // 64 h 15 min (231300 s). Resolved 09:35: 10 + 35 min (2700 s); wall-clock 233100 s.
      ids.A = (await h.inbound(T('2026-10-16T14:50:00Z'), { from: customer(), to: ctx.a.number, body: 'Friday question' })).conversationId;
      await h.reply(T('2026-10-19T07:05:00Z'), alice, ids.A, byTemplate);
      await h.status(T('2026-10-19T07:35:00Z'), alice, ids.A, { status: 'resolved' });
      // B: Friday 23rd 16:00 CEST, answered Monday 26th 10:00 CET, across the clock change: 1 h
      // Friday + 1 h Monday (7200 s); wall-clock 67 h, the 25-hour Sunday included (241200 s).
      const customerB = customer();
      ids.B = (await h.inbound(T('2026-10-23T14:00:00Z'), { from: customerB, to: ctx.a.number, body: 'Before the weekend' })).conversationId;
      await h.reply(T('2026-10-26T09:00:00Z'), alice, ids.B, byTemplate);
      // Next response: Monday 16:30 CET to Tuesday 09:30: 30 + 30 min (3600 s); wall-clock 17 h (61200 s).
      await h.inbound(T('2026-10-26T15:30:00Z'), { from: customerB, to: ctx.a.number, body: 'And the invoice?' });
      await h.reply(T('2026-10-27T08:30:00Z'), alice, ids.B, { body: 'Attached' });
      // Resolved Tuesday 09:40 CET: Friday 1 h + Monday 8 h + Tuesday 40 min (34800 s); wall-clock 90 h 40 min (326400 s).
      await h.status(T('2026-10-27T08:40:00Z'), alice, ids.B, { status: 'resolved' });
      // C: Tuesday 27th 16:45 CET, answered Thursday 09:15 over the Wednesday holiday: 15 + 15 min
      // (1800 s); wall-clock 40 h 30 min (145800 s). Not resolved.
      ids.C = (await h.inbound(T('2026-10-27T15:45:00Z'), { from: customer(), to: ctx.a.number, body: 'Holiday?' })).conversationId;
      await h.reply(T('2026-10-29T08:15:00Z'), alice, ids.C, byTemplate);
      // D: Night (hours off), Monday 26th 20:00 CET, answered 20:10: 600 s both ways.
      ids.D = (await h.inbound(T('2026-10-26T19:00:00Z'), { from: customer(), to: second, body: 'Late' })).conversationId;
      await h.reply(T('2026-10-26T19:10:00Z'), alice, ids.D, { body: 'Here' });
    } finally {
      await h.close();
    }
  });

  it('counts business time in SQL exactly as the server does, across midnight, weekends, holidays and clock changes', async () => {
    const db = ctx.stack.db;
    // Hours meant to meet the clock changes: weekdays 09–17, all Saturday, and on Sunday 00:30–01:40
    // (New York's and Lord Howe's repeated times end it in autumn) with 01:00–01:20 inside it,
    // 02:15–03:20 (Berlin skips 02:15 in March and shows it twice in October), 23:00–24:00.
    const intervals = [
      ...weekdays(540, 1020),
      { weekday: 6, opensMinute: 0, closesMinute: 1440 },
      { weekday: 7, opensMinute: 30, closesMinute: 100 },
      { weekday: 7, opensMinute: 60, closesMinute: 80 },
      { weekday: 7, opensMinute: 135, closesMinute: 200 },
      { weekday: 7, opensMinute: 1380, closesMinute: 1440 },
    ];
    // Berlin (01:00 UTC, both ways), New York (02:00 local), Santiago (at midnight: the day starts
    // at 01:00 in September, 23:00–24:00 twice in April), Lord Howe (half an hour, at 02:00).
    const zones = ['Europe/Berlin', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe'];
    const changes = ['2026-03-06', '2026-03-27', '2026-04-03', '2026-09-04', '2026-10-02', '2026-10-23', '2026-10-30'];
    let compared = 0;
    for (const zone of zones) {
      const team = await newTeam(admin(), `Hours ${zone}`);
      await putHours(team, { enabled: true, timeZone: zone, intervals, holidays: [{ day: '2026-04-06' }, { day: '2026-10-26' }] });
      const hours = (await loadHours(db, [team])).get(team)!;
      const spans: Array<[Date, Date]> = [];
      for (const day of changes)
        for (let k = 0; k < 24; k++) {
          // Starts every 3 h 7 min 13.457 s over four days; lengths from 0 to about 3 days.
          const from = new Date(Date.parse(`${day}T12:00:00Z`) + k * 11_233_457);
          spans.push([from, new Date(from.getTime() + ((k * 7_919_101) % (3 * 86_400_000)))]);
        }
      spans.push([T('2026-10-25T00:30:00Z'), T('2026-10-25T02:00:00Z')], [T('2026-10-25T00:00:00Z'), T('2026-10-24T00:00:00Z')]);
      const { rows } = await db.query<{ ms: number }>(
        `select round((public.business_seconds($1, f, t) * 1000)::numeric)::float8 as ms
           from unnest($2::timestamptz[], $3::timestamptz[]) with ordinality u(f, t, n) order by n`,
        [team, spans.map((s) => s[0]), spans.map((s) => s[1])],
      );
      expect(rows.map((r) => r.ms)).toEqual(spans.map(([f, t]) => businessMillis(hours, f, t)));
      compared += rows.filter((r) => r.ms > 0).length;
    }
    expect(compared).toBeGreaterThan(500);
    // Berlin shows 02:00–03:00 twice on 25 October: 02:15 is its first time (00:15 UTC, where
    // PostgreSQL alone would take the second). 00:30–01:40 CEST is 22:30–23:40 UTC; 02:15 CEST to
    // 03:20 CET is 00:15–02:20 UTC: 1 h 10 min + 2 h 05 min.
    const { rows } = await db.query<{ s: number }>(
      `select public.business_seconds(t.id, '2026-10-24T22:00:00Z', '2026-10-25T03:00:00Z') as s from teams t where t.name = 'Hours Europe/Berlin'`,
    );
    expect(rows[0]!.s).toBe(3 * 3600 + 15 * 60);
    // No team: the wall-clock span.
    expect((await db.query('select public.business_seconds(null, $1, $2) as s', [T('2026-10-24T22:00:00Z'), T('2026-10-25T03:00:00.25Z')])).rows[0].s).toBe(
      5 * 3600 + 0.25,
    );
  });

  it('keeps each response and resolve with its business duration (SQL)', async () => {
    const { rows: responses } = await ctx.stack.db.query(
      'select conversation_id, first, seconds, business_seconds from report_responses where organisation_id = $1 order by answered_at',
      [ctx.a.id],
    );
    expect(responses).toEqual([
      { conversation_id: ids.A, first: true, seconds: 231300, business_seconds: 900 },
      { conversation_id: ids.B, first: true, seconds: 241200, business_seconds: 7200 },
      { conversation_id: ids.D, first: true, seconds: 600, business_seconds: 600 },
      { conversation_id: ids.B, first: false, seconds: 61200, business_seconds: 3600 },
      { conversation_id: ids.C, first: true, seconds: 145800, business_seconds: 1800 },
    ]);
    const { rows: cycles } = await ctx.stack.db.query(
      'select conversation_id, business_seconds from report_cycles where organisation_id = $1 order by opened_at',
      [ctx.a.id],
    );
    expect(cycles).toEqual([
      { conversation_id: ids.A, business_seconds: 2700 },
      { conversation_id: ids.B, business_seconds: 34800 },
      { conversation_id: ids.D, business_seconds: null },
      { conversation_id: ids.C, business_seconds: null },
    ]);
  });

  it('answers median and p90 in business hours beside the wall-clock ones (API and CSV)', async () => {
    const { status, body } = await report();
    expect(status).toBe(200);
    const f = body.figures;
    const d = (count: number, medianSeconds: number | null, p90Seconds: number | null) => ({ count, medianSeconds, p90Seconds });
    // First, wall-clock: 600, 145800, 231300, 241200: median (145800 + 231300) / 2; p90 at 2.7: 231300 + 0.7 × 9900.
    // In business hours: 600, 900, 1800, 7200: median 1350; p90 1800 + 0.7 × 5400.
    expect(f.firstResponse).toMatchObject({ ...d(4, 188550, 238230), businessHours: d(4, 1350, 5580) });
    expect(f.nextResponse).toMatchObject({ ...d(1, 61200, 61200), businessHours: d(1, 3600, 3600) });
    // Resolution, wall-clock: 233100, 326400: median 279750; p90 233100 + 0.9 × 93300. Business: 2700, 34800: 18750; 2700 + 0.9 × 32100.
    expect(f.resolution).toMatchObject({ ...d(2, 279750, 317070), businessHours: d(2, 18750, 31590) });
    expect(f.firstResponse.explanation).toMatch(/business hours/);

    const res = await fetch(`${ctx.stack.serverUrl}/api/reports/csv?table=summary&${period}`, { headers: { authorization: `Bearer ${admin()}` } });
    expect(res.status).toBe(200);
    const rows = parse(await res.text(), { columns: true, bom: true }) as Array<Record<string, string>>;
    const row = (figure: string) => rows.find((r) => r.figure === figure)!;
    expect(row('firstResponse')).toMatchObject({
      count: '4',
      median_seconds: '188550',
      p90_seconds: '238230',
      business_median_seconds: '1350',
      business_p90_seconds: '5580',
    });
    expect(row('nextResponse')).toMatchObject({ business_median_seconds: '3600', business_p90_seconds: '3600' });
    expect(row('resolution')).toMatchObject({ median_seconds: '279750', business_median_seconds: '18750', business_p90_seconds: '31590' });
    expect(row('opened')).toMatchObject({ events: '4', business_median_seconds: '' });
  });

  it('narrows every figure to the conversations of one team’s channels', async () => {
    const support = (await report(`&team=${ids.support}`)).body;
    expect(support.filters).toEqual({ channelId: null, agentId: null, teamId: ids.support });
    expect([support.figures.opened.events, support.figures.resolved.events]).toEqual([3, 2]);
    // First: 145800, 231300, 241200 (business 900, 1800, 7200): p90 at 1.8, 231300 + 0.8 × 9900 and 1800 + 0.8 × 5400.
    expect(support.figures.firstResponse).toMatchObject({
      ...{ count: 3, medianSeconds: 231300, p90Seconds: 239220 },
      businessHours: { count: 3, medianSeconds: 1800, p90Seconds: 6120 },
    });
    expect(support.figures.resolution).toMatchObject({ count: 2, businessHours: { count: 2, medianSeconds: 18750, p90Seconds: 31590 } });
    // Customers' messages: A 1, B 2, C 1; replies: A, B twice, C.
    expect([support.figures.messagesIn.value, support.figures.messagesOut.value]).toEqual([4, 4]);

    const night = (await report(`&team=${ids.night}`)).body.figures;
    expect([night.opened.events, night.resolved.events, night.messagesIn.value, night.messagesOut.value]).toEqual([1, 0, 1, 1]);
    expect(night.firstResponse).toMatchObject({ count: 1, medianSeconds: 600, businessHours: { count: 1, medianSeconds: 600, p90Seconds: 600 } });
    expect(night.resolution).toMatchObject({ count: 0, medianSeconds: null, businessHours: { count: 0, medianSeconds: null, p90Seconds: null } });

    // SLA: a clock of A's (Support's channel) met, one of D's (Night's) missed; each team sees its own.
    const clock = (conversation: string, team: string, stopped: string) =>
      ctx.stack.db.query(
        `insert into sla_clocks (conversation_id, kind, cycle, organisation_id, team_id, target_minutes, started_at, due_at, stopped_at)
         values ($1, 'first_response', 0, $2, $3, 60, '2026-10-20T08:00:00Z', '2026-10-20T09:00:00Z', $4)`,
        [conversation, ctx.a.id, team, stopped],
      );
    await clock(ids.A, ids.support, '2026-10-20T08:30:00Z');
    await clock(ids.D, ids.night, '2026-10-20T09:30:00Z');
    const sla = async (team: string) => (await report(`&team=${team}`)).body.sla.overall.firstResponse;
    expect(await sla(ids.support)).toEqual({ met: 1, missed: 0, metPercent: 100 });
    expect(await sla(ids.night)).toEqual({ met: 0, missed: 1, metPercent: 0 });
    expect((await report()).body.sla.overall.firstResponse).toEqual({ met: 1, missed: 1, metPercent: 50 });

    const foreign = await report(`&team=${ids.other}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ error: 'not_found' });
    expect((await report('&team=nope')).status).toBe(400);
  });
});
