import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AgentProfile } from '../../lib/contract/models';
import type { ReportResponse } from '../../lib/contract/reports';
import { createChannel } from '../../server/admin/commands';
import { historyWriter } from '../../server/dev/history';
import { newSid } from '../../server/dev/twilio-stand-in/inbound';
import { STAND_IN_TEMPLATES } from '../../server/dev/twilio-stand-in/server';
import { WindowClosedError } from '../../server/errors';
import { findAgent } from '../../server/inbox/repository';
import { useTestStack } from '../support/fixture';
import { api, customer } from '../support/stack';

/**
 * Reports over a scripted history (docs/reports.md), every figure computed by hand below and
 * compared exactly: in the facts (SQL), through the API and in the CSV. Europe/Berlin, 24–26
 * October 2026: the clocks go back at 03:00 on Sunday the 25th (CEST +02:00 → CET +01:00).
 */
describe('Reports: a scripted history, figure by figure', () => {
  // The live snooze sweeper must not wake the scripted snooze at today's time.
  const ctx = useTestStack({ env: { SNOOZE_SWEEP_MS: '3600000' }, orgs: { a: 3 } });
  const T = (iso: string) => new Date(iso);
  const period = 'from=2026-10-24T00:00:00%2B02:00&to=2026-10-27T00:00:00%2B01:00&timeZone=Europe/Berlin';
  const s = { channel2: '', X: '', Y: '', Z: '', W: '' };
  let alice: AgentProfile, bob: AgentProfile;
  const report = (query = '') => api<ReportResponse>(ctx.stack, ctx.a.agents[0]!.token, `/api/reports?${period}${query}`);

  beforeAll(async () => {
    const db = ctx.stack.db;
    alice = (await findAgent(db, ctx.a.agents[0]!.id))!; // "Agent 0"
    bob = (await findAgent(db, ctx.a.agents[1]!.id))!; // "Agent 1"
    const second = `whatsapp:+1737555${String(Date.now() % 10_000).padStart(4, '0')}`;
    s.channel2 = (await createChannel(db, { organisationId: ctx.a.id, name: 'Second', whatsappNumber: second, messagingServiceSid: newSid('MG') })).id;
    const [p1, p2, p3] = [customer(), customer(), customer()];
    const h = historyWriter(db);
    try {
      // W: opened before the period; its first response (20 min) falls inside it.
      s.W = (await h.inbound(T('2026-10-23T21:50:00Z'), { from: p3, to: ctx.a.number, body: 'Late question' })).conversationId;
      await h.reply(T('2026-10-23T22:10:00Z'), alice, s.W, { body: 'Here is the answer' });
      // X: two messages, a note, reassignment, two agents answering, a resolve.
      s.X = (await h.inbound(T('2026-10-24T07:00:00Z'), { from: p1, to: ctx.a.number, body: 'Hi' })).conversationId;
      await h.inbound(T('2026-10-24T07:01:00Z'), { from: p1, to: ctx.a.number, body: 'Anyone?' });
      await h.assign(T('2026-10-24T07:02:00Z'), alice, s.X, alice.id);
      await h.note(T('2026-10-24T07:03:00Z'), alice, s.X, 'Checking the order'); // not a response
      await h.reply(T('2026-10-24T07:05:00Z'), alice, s.X, { body: 'Hello!' }); // first response: 300 s
      await h.inbound(T('2026-10-24T07:20:00Z'), { from: p1, to: ctx.a.number, body: 'Where is it?' });
      await h.assign(T('2026-10-24T07:25:00Z'), alice, s.X, bob.id);
      await h.reply(T('2026-10-24T07:30:00Z'), bob, s.X, { body: 'On its way' }); // next response: 600 s
      await h.status(T('2026-10-24T08:00:00Z'), bob, s.X, { status: 'resolved' }); // resolution: 3600 s
      // X reopens at 23:30 local; snoozed over midnight and the clock change; answered and resolved on Sunday.
      await h.inbound(T('2026-10-24T21:30:00Z'), { from: p1, to: ctx.a.number, body: 'It did not come' });
      await h.status(T('2026-10-24T21:40:00Z'), alice, s.X, { status: 'snoozed', snoozedUntil: '2026-10-25T08:00:00Z' });
      await h.wakeSnoozed(T('2026-10-25T08:00:00Z'));
      await h.reply(T('2026-10-25T08:10:00Z'), alice, s.X, { body: 'Resent today' }); // first response: 10 h 40 min
      await h.status(T('2026-10-25T08:15:00Z'), alice, s.X, { status: 'resolved' }); // resolution: 10 h 45 min
      // Y: answered 25 hours later, by a template (free text is refused outside the window).
      s.Y = (await h.inbound(T('2026-10-24T10:00:00Z'), { from: p2, to: ctx.a.number, body: 'Order status?' })).conversationId;
      await expect(h.reply(T('2026-10-25T11:00:00Z'), bob, s.Y, { body: 'Sorry' })).rejects.toBeInstanceOf(WindowClosedError);
      const template = STAND_IN_TEMPLATES[0]!;
      await h.reply(T('2026-10-25T11:00:00Z'), bob, s.Y, { templateSid: template.sid, renderedBody: template.body }); // first response: 90000 s
      await h.status(T('2026-10-25T11:05:00Z'), bob, s.Y, { status: 'resolved' }); // resolution: 90300 s
      await h.status(T('2026-10-26T09:00:00Z'), alice, s.Y, { status: 'open' }); // reopened by an agent
      await h.status(T('2026-10-26T09:30:00Z'), alice, s.Y, { status: 'resolved' }); // resolution: 1800 s
      await h.inbound(T('2026-10-26T23:00:00Z'), { from: p2, to: ctx.a.number, body: 'One more thing' }); // at `to`: outside
      // Z: the same customer as X on the second channel; an automatic reply does not answer.
      s.Z = (await h.inbound(T('2026-10-26T14:00:00Z'), { from: p1, to: second, body: 'Other number' })).conversationId;
      await h.automatic(T('2026-10-26T14:02:00Z'), ctx.a.id, s.Z, 'We will be with you shortly');
      await h.reply(T('2026-10-26T14:10:00Z'), bob, s.Z, { body: 'Hi again' }); // first response: 600 s
    } finally {
      await h.close();
    }
  });

  it('keeps one fact per cycle and per response, at the times the history happened (SQL)', async () => {
    const { rows: cycles } = await ctx.stack.db.query(
      `select conversation_id, seq, opened_at, opened_by, resolved_at, resolved_by from report_cycles where organisation_id = $1 order by opened_at`,
      [ctx.a.id],
    );
    const c = (conv: string, seq: number, opened: string, by: string | null, resolved: string | null, resolver: string | null) => ({
      conversation_id: conv,
      seq,
      opened_at: T(opened),
      opened_by: by,
      resolved_at: resolved && T(resolved),
      resolved_by: resolver,
    });
    expect(cycles).toEqual([
      c(s.W, 1, '2026-10-23T21:50:00Z', null, null, null),
      c(s.X, 1, '2026-10-24T07:00:00Z', null, '2026-10-24T08:00:00Z', bob.id),
      c(s.Y, 1, '2026-10-24T10:00:00Z', null, '2026-10-25T11:05:00Z', bob.id),
      c(s.X, 2, '2026-10-24T21:30:00Z', null, '2026-10-25T08:15:00Z', alice.id),
      c(s.Y, 2, '2026-10-26T09:00:00Z', alice.id, '2026-10-26T09:30:00Z', alice.id),
      c(s.Z, 1, '2026-10-26T14:00:00Z', null, null, null),
      c(s.Y, 3, '2026-10-26T23:00:00Z', null, null, null),
    ]);
    const { rows: responses } = await ctx.stack.db.query(
      `select conversation_id, agent_id, first, extract(epoch from answered_at - waited_from)::int as seconds
         from report_responses where organisation_id = $1 order by answered_at`,
      [ctx.a.id],
    );
    expect(responses).toEqual([
      { conversation_id: s.W, agent_id: alice.id, first: true, seconds: 1200 },
      { conversation_id: s.X, agent_id: alice.id, first: true, seconds: 300 },
      { conversation_id: s.X, agent_id: bob.id, first: false, seconds: 600 },
      { conversation_id: s.X, agent_id: alice.id, first: true, seconds: 38400 },
      { conversation_id: s.Y, agent_id: bob.id, first: true, seconds: 90000 },
      { conversation_id: s.Z, agent_id: bob.id, first: true, seconds: 600 },
    ]);
    const { rows: volume } = await ctx.stack.db.query(
      `select sum(inbound)::int as inbound, sum(outbound)::int as outbound from report_volume
        where organisation_id = $1 and slot >= '2026-10-23T22:00:00Z' and slot < '2026-10-26T23:00:00Z'`,
      [ctx.a.id],
    );
    expect(volume).toEqual([{ inbound: 6, outbound: 7 }]);
  });

  it('answers every figure of the period through the API, with its explanation', async () => {
    const res = await report();
    expect(res.status).toBe(200);
    const { figures, period } = res.body;
    expect(period).toEqual({ from: '2026-10-24T00:00:00+02:00', to: '2026-10-27T00:00:00+01:00', timeZone: 'Europe/Berlin' });
    const strip = <T extends { explanation: string }>(f: T) => (expect(f.explanation.length).toBeGreaterThan(20), { ...f, explanation: undefined });
    expect(strip(figures.opened)).toEqual({ events: 3, conversations: 3, customers: 2, explanation: undefined });
    expect(strip(figures.reopened)).toEqual({ events: 2, conversations: 2, customers: 2, explanation: undefined });
    expect(strip(figures.resolved)).toEqual({ events: 4, conversations: 2, customers: 2, explanation: undefined });
    // No channel here answers to a team: business hours are the wall-clock durations.
    const both = (count: number, medianSeconds: number, p90Seconds: number) => ({
      count,
      medianSeconds,
      p90Seconds,
      businessHours: { count, medianSeconds, p90Seconds },
      explanation: undefined,
    });
    // First: 300, 600, 1200, 38400, 90000. p90 = 38400 + 0.6 × (90000 − 38400).
    expect(strip(figures.firstResponse)).toEqual(both(5, 1200, 69360));
    expect(strip(figures.nextResponse)).toEqual(both(1, 600, 600));
    // Resolution: 1800, 3600, 38700, 90300. Median (3600 + 38700) / 2; p90 = 38700 + 0.7 × (90300 − 38700).
    expect(strip(figures.resolution)).toEqual(both(4, 21150, 74820));
    expect([figures.messagesIn.value, figures.messagesOut.value]).toEqual([6, 7]);
  });

  it('gives each agent their replies, conversations, responses and resolves, whoever was assigned', async () => {
    const { body } = await report();
    expect(body.agents.rows).toEqual([
      {
        agentId: alice.id,
        displayName: 'Agent 0',
        replies: 3,
        conversations: 2,
        responses: 3,
        firstResponses: 3,
        firstResponseMedianSeconds: 1200,
        resolved: 2,
        availableSeconds: 0, // nobody connected in this history
        busySeconds: 0,
        awaySeconds: 0,
      },
      {
        agentId: bob.id,
        displayName: 'Agent 1',
        replies: 3,
        conversations: 3,
        responses: 3,
        firstResponses: 2,
        firstResponseMedianSeconds: 45300,
        resolved: 2,
        availableSeconds: 0,
        busySeconds: 0,
        awaySeconds: 0,
      },
      {
        agentId: ctx.a.agents[2]!.id,
        displayName: 'Agent 2',
        replies: 0,
        conversations: 0,
        responses: 0,
        firstResponses: 0,
        firstResponseMedianSeconds: null,
        resolved: 0,
        availableSeconds: 0,
        busySeconds: 0,
        awaySeconds: 0,
      },
    ]);
  });

  it('counts local days and hours of the time zone, the 25-hour Sunday included', async () => {
    const { body } = await report();
    const day = (d: string, from: string, to: string, counts: number[], firsts: number, median: number | null) => ({
      day: d,
      from,
      to,
      opened: counts[0],
      reopened: counts[1],
      resolved: counts[2],
      messagesIn: counts[3],
      messagesOut: counts[4],
      firstResponses: firsts,
      firstResponseMedianSeconds: median,
    });
    expect(body.daily.rows).toEqual([
      day('2026-10-24', '2026-10-24T00:00:00+02:00', '2026-10-25T00:00:00+02:00', [2, 1, 1, 5, 3], 2, 750),
      day('2026-10-25', '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00', [0, 0, 2, 0, 2], 2, 64200),
      day('2026-10-26', '2026-10-26T00:00:00+01:00', '2026-10-27T00:00:00+01:00', [1, 1, 1, 1, 2], 1, 600),
    ]);
    const busy = body.heatmap.rows.filter((c) => c.messagesIn || c.messagesOut);
    expect(body.heatmap.rows).toHaveLength(168);
    expect(busy).toEqual([
      { dayOfWeek: 1, hour: 15, messagesIn: 1, messagesOut: 2 },
      { dayOfWeek: 6, hour: 0, messagesIn: 0, messagesOut: 1 },
      { dayOfWeek: 6, hour: 9, messagesIn: 3, messagesOut: 2 },
      { dayOfWeek: 6, hour: 12, messagesIn: 1, messagesOut: 0 },
      { dayOfWeek: 6, hour: 23, messagesIn: 1, messagesOut: 0 },
      { dayOfWeek: 7, hour: 9, messagesIn: 0, messagesOut: 1 },
      { dayOfWeek: 7, hour: 12, messagesIn: 0, messagesOut: 1 },
    ]);
  });

  it('narrows to a channel, and to an agent’s own figures', async () => {
    const channel = (await report(`&channel=${s.channel2}`)).body.figures;
    expect([channel.opened.events, channel.opened.customers, channel.reopened.events, channel.resolved.events]).toEqual([1, 1, 0, 0]);
    expect(channel.firstResponse).toMatchObject({ count: 1, medianSeconds: 600, p90Seconds: 600 });
    expect(channel.resolution).toMatchObject({ count: 0, medianSeconds: null, p90Seconds: null });
    expect([channel.messagesIn.value, channel.messagesOut.value]).toEqual([1, 2]);

    const byBob = (await report(`&agent=${bob.id}`)).body;
    expect(byBob.figures.opened.events).toBe(3); // belongs to no agent
    expect(byBob.figures.resolved).toMatchObject({ events: 2, conversations: 2, customers: 2 });
    expect(byBob.figures.firstResponse).toMatchObject({ count: 2, medianSeconds: 45300, p90Seconds: 81060 });
    expect(byBob.figures.nextResponse).toMatchObject({ count: 1, medianSeconds: 600 });
    expect(byBob.figures.resolution).toMatchObject({ count: 2, medianSeconds: 46950, p90Seconds: 81630 });
    expect([byBob.figures.messagesIn.value, byBob.figures.messagesOut.value]).toEqual([6, 3]);
    expect(byBob.agents.rows.map((r) => r.agentId)).toEqual([bob.id]);
  });

  it('downloads each table as UTF-8 CSV, one row per entity and period, times with their offset', async () => {
    const csv = async (table: string) => {
      const res = await fetch(`${ctx.stack.serverUrl}/api/reports/csv?table=${table}&${period}`, {
        headers: { authorization: `Bearer ${ctx.a.agents[0]!.token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="switchboard-${table}-2026-10-24-2026-10-27.csv"`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      return parse(new TextDecoder().decode(bytes), { columns: true, bom: true }) as Array<Record<string, string>>;
    };
    const summary = await csv('summary');
    const f = (name: string) => summary.find((r) => r.figure === name)!;
    expect(f('firstResponse')).toMatchObject({
      from: '2026-10-24T00:00:00+02:00',
      to: '2026-10-27T00:00:00+01:00',
      time_zone: 'Europe/Berlin',
      count: '5',
      median_seconds: '1200',
      p90_seconds: '69360',
    });
    expect(f('resolved')).toMatchObject({ events: '4', conversations: '2', customers: '2' });
    expect(f('resolution')).toMatchObject({ median_seconds: '21150', p90_seconds: '74820' });
    expect(f('messagesOut')).toMatchObject({ events: '7' });
    expect(f('opened').explanation).toMatch(/first cycle began in the period/);

    const agents = await csv('agents');
    expect(agents.map((a) => [a.agent, a.replies, a.conversations, a.responses, a.first_responses, a.first_response_median_seconds, a.resolved])).toEqual([
      ['Agent 0', '3', '2', '3', '3', '1200', '2'],
      ['Agent 1', '3', '3', '3', '2', '45300', '2'],
      ['Agent 2', '0', '0', '0', '0', '', '0'],
    ]);
    const days = await csv('daily');
    expect(days.map((d) => [d.day, d.from, d.to, d.resolved, d.messages_in])).toEqual([
      ['2026-10-24', '2026-10-24T00:00:00+02:00', '2026-10-25T00:00:00+02:00', '1', '5'],
      ['2026-10-25', '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00', '2', '0'],
      ['2026-10-26', '2026-10-26T00:00:00+01:00', '2026-10-27T00:00:00+01:00', '1', '1'],
    ]);
    const heat = await csv('heatmap');
    expect(heat).toHaveLength(168);
    expect(heat.find((c) => c.day_of_week === '6' && c.hour === '9')).toMatchObject({ messages_in: '3', messages_out: '2' });
  });

  it('rebuilds the same facts from the stored messages (what the migration does for older history)', async () => {
    const db = ctx.stack.db;
    const facts = async () => ({
      cycles: (
        await db.query(
          'select conversation_id, seq, opened_at, opened_by, resolved_at, resolved_by, business_seconds from report_cycles order by conversation_id, seq',
        )
      ).rows,
      responses: (
        await db.query(
          'select conversation_id, agent_id, first, waited_from, answered_at, seconds, business_seconds from report_responses order by answered_at',
        )
      ).rows,
      // Summed over writers (each database connection counts in its own row; the replay is one).
      volume: (
        await db.query(
          'select organisation_id, slot, channel_id, sum(inbound)::int as inbound, sum(outbound)::int as outbound from report_volume group by 1, 2, 3 order by 1, 2, 3',
        )
      ).rows,
      replies: (
        await db.query(
          'select organisation_id, slot, agent_id, channel_id, sum(replies)::int as replies from report_agent_replies group by 1, 2, 3, 4 order by 1, 2, 3, 4',
        )
      ).rows,
    });
    const live = await facts();
    expect(live.responses).toHaveLength(6);
    await db.query('truncate report_responses, report_cycles, report_volume, report_agent_replies, report_conversation_state');
    await db.query('select public.report_replay()');
    expect(await facts()).toEqual(live);
  });
});
