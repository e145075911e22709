import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { SlaAlertPayload } from '../../lib/contract/routing';
import { autoReplyIfClosed } from '../../server/routing/auto-reply';
import { api, connectSocket, customer, type TestSocket } from '../support/stack';
import { useTestStack } from '../support/fixture';
import { until } from '../support/wait';
import { conversationOf, setUpTeam, waitConnected } from '../support/routing';

/** SLA clocks and breaches, and the auto-reply outside business hours (issue 33). */
describe('Routing: SLA and business hours', () => {
  const ctx = useTestStack({ orgs: { sla: 2, closed: 1 }, env: { ROUTING_SWEEP_MS: '200' } });
  const open: TestSocket[] = [];
  afterAll(() => open.forEach((s) => s.close()));
  const conversationOfMessage = async (sid: string) =>
    (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [sid])).rows[0]!.conversation_id;
  const write = async (to: string, body: string, from = customer()) => conversationOfMessage((await ctx.stack.inbound({ from, to, body })).params.MessageSid!);
  /** The time passes: the conversation's running clocks fall due now (SLA targets are minutes; tests do not wait minutes). */
  const fallDue = (conversationId: string) =>
    ctx.stack.db.query("update sla_clocks set due_at = now() - interval '1 second' where conversation_id = $1 and stopped_at is null", [conversationId]);

  describe('SLA', () => {
    const breached: SlaAlertPayload[] = [];
    it('a customer message starts the first-response clock; the conversation shows its due time', async () => {
      const [admin] = ctx.sla.agents;
      const teamId = await setUpTeam(ctx.stack, admin!.token, { ...ctx.sla, agents: [admin!] }, { assignment: 'round_robin', defaultCapacity: 10 });
      const sla = await api(ctx.stack, admin!.token, `/api/admin/teams/${teamId}/sla`, 'PUT', {
        firstResponseMinutes: 10,
        nextResponseMinutes: 5,
        warnBeforeMinutes: 0,
      });
      expect(sla.status).toBe(200);
      const socket = await connectSocket(ctx.stack, admin!.token);
      open.push(socket);
      socket.on('sla:breached', (p) => breached.push(p));
      await waitConnected(ctx.stack, admin!.token, 1);

      const id = await write(ctx.sla.number, 'Where is my order?');
      await until(async () => (await conversationOf(ctx.stack, id)).sla_due_at !== null, { what: 'a due time on the conversation' });
      const conv = await conversationOf(ctx.stack, id);
      const firstAt = (
        await ctx.stack.db.query<{ created_at: Date }>("select created_at from messages where conversation_id = $1 and direction = 'inbound'", [id])
      ).rows[0]!.created_at;
      expect(conv.sla_due_kind).toBe('first_response');
      // Hours off: open around the clock, so 10 business minutes are 10 minutes.
      expect(conv.sla_due_at!.getTime() - firstAt.getTime()).toBe(10 * 60_000);
    });

    it('a breach is recorded and notified to the assignee exactly once, whatever the number of sweeps', async () => {
      const [agent] = ctx.sla.agents;
      const id = await write(ctx.sla.number, 'Hello?');
      await until(async () => (await conversationOf(ctx.stack, id)).assignee_id === agent!.id && (await conversationOf(ctx.stack, id)).sla_due_at !== null);
      await fallDue(id);
      // Several sweeps at once on this instance, besides its timer: one breach, one notification.
      await Promise.all(Array.from({ length: 5 }, () => ctx.stack.app.routing.sweep()));
      await until(() => breached.some((b) => b.conversationId === id), { what: 'the breach notified' });
      await ctx.stack.app.routing.sweep();
      // A later breach of another conversation is the marker: nothing more came for the first before it.
      const marker = await write(ctx.sla.number, 'Anyone?');
      await until(async () => (await conversationOf(ctx.stack, marker)).sla_due_at !== null);
      await fallDue(marker);
      await until(() => breached.some((b) => b.conversationId === marker), { what: 'the marker’s breach' });
      expect(breached.filter((b) => b.conversationId === id)).toEqual([
        { conversationId: id, kind: 'first_response', dueAt: expect.any(String), assigneeId: agent!.id },
      ]);
      const rows = await ctx.stack.db.query('select kind, cycle, assignee_id from sla_breaches where conversation_id = $1', [id]);
      expect(rows.rows).toEqual([{ kind: 'first_response', cycle: 0, assignee_id: agent!.id }]);
    });

    it('the assignee is warned once shortly before the due time', async () => {
      const [agent] = ctx.sla.agents;
      const teamId = (await ctx.stack.db.query<{ id: string }>('select id from teams where organisation_id = $1', [ctx.sla.id])).rows[0]!.id;
      await api(ctx.stack, agent!.token, `/api/admin/teams/${teamId}/sla`, 'PUT', { firstResponseMinutes: 10, nextResponseMinutes: 5, warnBeforeMinutes: 5 });
      const warned: SlaAlertPayload[] = [];
      open[0]!.on('sla:warning', (p) => warned.push(p));
      const id = await write(ctx.sla.number, 'Soon?');
      await until(async () => (await conversationOf(ctx.stack, id)).assignee_id === agent!.id && (await conversationOf(ctx.stack, id)).sla_due_at !== null);
      expect(warned).toEqual([]); // ten minutes away: not yet
      // Eight minutes pass: two to go.
      await ctx.stack.db.query("update sla_clocks set due_at = now() + interval '2 minutes' where conversation_id = $1", [id]);
      await until(() => warned.some((w) => w.conversationId === id), { what: 'the warning' });
      await Promise.all([ctx.stack.app.routing.sweep(), ctx.stack.app.routing.sweep()]);
      await fallDue(id);
      await until(() => breached.some((b) => b.conversationId === id), { what: 'the breach after the warning' });
      expect(warned.filter((w) => w.conversationId === id)).toEqual([
        { conversationId: id, kind: 'first_response', dueAt: expect.any(String), assigneeId: agent!.id },
      ]);
    });

    it('an agent’s reply stops the response clock; the customer writing again starts the next-response clock', async () => {
      const [agent] = ctx.sla.agents;
      const phone = customer();
      const id = await write(ctx.sla.number, 'Hi', phone);
      await until(async () => (await conversationOf(ctx.stack, id)).sla_due_kind === 'first_response');
      const reply = await api(ctx.stack, agent!.token, `/api/conversations/${id}/messages`, 'POST', { id: randomUUID(), body: 'Hello! Looking now.' });
      expect(reply.status).toBe(201);
      expect((await conversationOf(ctx.stack, id)).sla_due_at).toBeNull();
      // Each customer message after a reply starts a next-response clock of its own.
      for (const round of [0, 1]) {
        await write(ctx.sla.number, `Thanks, and also… (${round})`, phone);
        await until(async () => (await conversationOf(ctx.stack, id)).sla_due_kind === 'next_response', { what: 'the next-response clock' });
        await api(ctx.stack, agent!.token, `/api/conversations/${id}/messages`, 'POST', { id: randomUUID(), body: 'Done.' });
        expect((await conversationOf(ctx.stack, id)).sla_due_at).toBeNull();
      }
      const { rows } = await ctx.stack.db.query(
        "select kind, cycle, stopped_at is not null as stopped from sla_clocks where conversation_id = $1 and kind <> 'resolution' order by started_at",
        [id],
      );
      expect(rows).toEqual([
        { kind: 'first_response', cycle: 0, stopped: true },
        { kind: 'next_response', cycle: 0, stopped: true },
        { kind: 'next_response', cycle: 1, stopped: true },
      ]);
    });
  });

  it('deleting a team keeps its breaches for reports', async () => {
    const [admin] = ctx.sla.agents;
    const breaches = async () =>
      (await ctx.stack.db.query<{ team_id: string | null }>('select team_id from sla_breaches where organisation_id = $1', [ctx.sla.id])).rows;
    const before = await breaches();
    expect(before.length).toBeGreaterThan(0);
    const teamId = before[0]!.team_id!;
    expect((await api(ctx.stack, admin!.token, `/api/admin/teams/${teamId}`, 'DELETE')).status).toBe(200);
    expect(await breaches()).toEqual(before.map(() => ({ team_id: null })));
  });

  describe('auto-reply outside business hours', () => {
    let teamId = '';
    const sentTo = (phone: string) => ctx.stack.twilioStandIn!.created.filter((c) => c.To === `whatsapp:${phone}`);
    const outbound = async (id: string) =>
      (await ctx.stack.db.query<{ body: string }>("select body from messages where conversation_id = $1 and direction = 'outbound'", [id])).rows;
    const closedEvery = async (hours: unknown) =>
      expect((await api(ctx.stack, ctx.closed.agents[0]!.token, `/api/admin/teams/${teamId}/hours`, 'PUT', hours)).status).toBe(200);

    it('goes out once per conversation per closed period', async () => {
      const admin = ctx.closed.agents[0]!;
      teamId = await setUpTeam(ctx.stack, admin.token, ctx.closed, { assignment: 'off', defaultCapacity: 5 });
      // Open one minute a day, six hours from now: closed now, and a new closed period seven hours from now.
      const now = new Date();
      const opens = (now.getUTCHours() * 60 + now.getUTCMinutes() + 360) % 1440;
      await closedEvery({
        enabled: true,
        timeZone: 'UTC',
        intervals: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, opensMinute: opens, closesMinute: opens + 1 })),
        autoReply: 'We are closed; we answer from 9:00.',
      });
      const phone = customer();
      const id = await write(ctx.closed.number, 'Hello?', phone);
      await until(() => sentTo(phone).length === 1, { what: 'the auto-reply reached Twilio' });
      expect(sentTo(phone)[0]!.Body).toBe('We are closed; we answer from 9:00.');
      // The customer writes again in the same closed period: no second auto-reply.
      await write(ctx.closed.number, 'Hello??', phone);
      expect(await autoReplyIfClosed(ctx.stack.db, id)).toBeNull();
      // In the next closed period (after the day's opening), it goes out again.
      const next = await autoReplyIfClosed(ctx.stack.db, id, new Date(now.getTime() + 7 * 3_600_000));
      expect(next?.message.body).toBe('We are closed; we answer from 9:00.');
      expect(await outbound(id)).toHaveLength(2);
    });

    it('never outside WhatsApp’s 24-hour window, and never to a customer who opted out', async () => {
      const phone = customer();
      const stop = await write(ctx.closed.number, 'STOP', phone);
      expect(await autoReplyIfClosed(ctx.stack.db, stop)).toBeNull();
      // A marker customer's auto-reply is sent after the STOP's webhook was answered.
      const marker = customer();
      await write(ctx.closed.number, 'Hi', marker);
      await until(() => sentTo(marker).length === 1);
      expect(sentTo(phone)).toEqual([]);
      expect(await outbound(stop)).toEqual([]);

      // The customer last wrote 25 hours ago: free text may not go out.
      const late = customer();
      const id = await write(ctx.closed.number, 'Hi', late);
      await until(() => sentTo(late).length === 1);
      await ctx.stack.db.query("update conversations set last_inbound_at = now() - interval '25 hours' where id = $1", [id]);
      expect(await autoReplyIfClosed(ctx.stack.db, id, new Date(Date.now() + 7 * 3_600_000))).toBeNull();
      expect(await outbound(id)).toHaveLength(1);
    });
  });
});
