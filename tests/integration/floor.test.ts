import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { FloorAgent, FloorResponse, FloorTeam } from '../../lib/contract/reports';
import { createChannel } from '../../server/admin/commands';
import { useTestStack } from '../support/fixture';
import { conversationOf, waitConnected } from '../support/routing';
import { api, connectSocket, customer, type TestSocket } from '../support/stack';
import { until } from '../support/wait';

/**
 * The live floor (`GET /api/floor`, docs/reports.md "Floor"): a scripted state of two
 * organisations, built through the same routes agents and admins use, and every number of the
 * floor compared with what that script makes, exactly; nothing of the other organisation shows.
 */
describe('Reports: the floor now', () => {
  const ctx = useTestStack({ orgs: { a: 4, b: 1 }, env: { ROUTING_SWEEP_MS: '200' } });
  const open: TestSocket[] = [];
  afterAll(() => open.forEach((s) => s.close()));
  const person = (i: number) => () => ctx.a.agents[i]!;
  const [admin, lead, ann, bob] = [person(0), person(1), person(2), person(3)];
  const floor = (token: string) => api<FloorResponse & { error?: string }>(ctx.stack, token, '/api/floor');
  const ok = async (res: Promise<{ status: number }>, status = 200) => expect((await res).status).toBe(status);
  /** A customer writes to a number; the conversation's id and the message's time as stored. */
  const write = async (to: string, body = 'Hello', from = customer()) => {
    const sid = (await ctx.stack.inbound({ from, to, body })).params.MessageSid!;
    const { rows } = await ctx.stack.db.query<{ conversation_id: string; at: Date }>(
      'select conversation_id, created_at as at from messages where twilio_sid = $1',
      [sid],
    );
    return { id: rows[0]!.conversation_id, at: rows[0]!.at.toISOString(), from };
  };
  const clockDue = (conversationId: string, sql: string) =>
    ctx.stack.db.query(`update sla_clocks set due_at = ${sql} where conversation_id = $1 and stopped_at is null`, [conversationId]);

  it('answers admins and leads, and refuses an agent (403 reports_only)', async () => {
    await ok(api(ctx.stack, admin().token, `/api/admin/agents/${lead().id}/role`, 'POST', { role: 'lead' }));
    expect((await floor(admin().token)).status).toBe(200);
    expect((await floor(lead().token)).status).toBe(200);
    const refused = await floor(ann().token);
    expect([refused.status, refused.body.error]).toEqual([403, 'reports_only']);
  });

  it('counts every figure of a scripted state exactly, per team and for "No team", in its organisation only', async () => {
    const t = admin().token;
    // Support answers the organisation's number, round robin; Ann has room for 5, Bob the default 3. Empty has nobody and nothing.
    const support = await api<{ id: string }>(ctx.stack, t, '/api/admin/teams', 'POST', { name: 'Support', assignment: 'round_robin', defaultCapacity: 3 });
    await ok(api(ctx.stack, t, '/api/admin/teams', 'POST', { name: 'Empty', assignment: 'off', defaultCapacity: 2 }), 201);
    const empty = (await ctx.stack.db.query<{ id: string }>("select id from teams where organisation_id = $1 and name = 'Empty'", [ctx.a.id])).rows[0]!.id;
    const supportId = support.body.id;
    await ok(api(ctx.stack, t, `/api/admin/teams/${supportId}/members/${ann().id}`, 'PUT', { capacity: 5 }));
    await ok(api(ctx.stack, t, `/api/admin/teams/${supportId}/members/${bob().id}`, 'PUT', {}));
    await ok(api(ctx.stack, t, `/api/admin/channels/${ctx.a.channelId}/team`, 'PUT', { teamId: supportId }));
    await ok(api(ctx.stack, t, `/api/admin/teams/${supportId}/sla`, 'PUT', { firstResponseMinutes: 60, nextResponseMinutes: 60, warnBeforeMinutes: 0 }));
    // A second number of the organisation that answers to no team.
    const other = 'whatsapp:+14155559871';
    await createChannel(ctx.stack.db, { organisationId: ctx.a.id, name: 'Other', whatsappNumber: other, messagingServiceSid: null });
    // Ann is busy (so round robin passes her by), Bob away; Ann's browser is open.
    await ok(api(ctx.stack, ann().token, '/api/routing/availability', 'PUT', { availability: 'busy' }));
    await ok(api(ctx.stack, bob().token, '/api/routing/availability', 'PUT', { availability: 'away' }));
    const socket = await connectSocket(ctx.stack, ann().token);
    open.push(socket);
    await waitConnected(ctx.stack, t, 1);

    // Three customers write to Support: nobody available, all three wait in the queue.
    const [answered, snoozed, waiting] = [await write(ctx.a.number), await write(ctx.a.number), await write(ctx.a.number)];
    // One is assigned to Ann by hand, who answers it; one is snoozed; one waits, and its customer writes again.
    await ok(api(ctx.stack, t, `/api/conversations/${answered.id}/assign`, 'POST', { assigneeId: ann().id }));
    await ok(api(ctx.stack, ann().token, `/api/conversations/${answered.id}/messages`, 'POST', { id: randomUUID(), body: 'Hi!' }), 201);
    const until1h = new Date(Date.now() + 3_600_000).toISOString();
    await ok(api(ctx.stack, t, `/api/conversations/${snoozed.id}/status`, 'POST', { status: 'snoozed', snoozedUntil: until1h }));
    await write(ctx.a.number, 'Still there?', waiting.from);
    // A customer writes to the number without a team; another organisation's customer writes too.
    const unrouted = await write(other);
    await write(ctx.b.number);

    // SLA: the waiting conversation's clock has run out, the snoozed one's falls due in 10 minutes.
    for (const c of [snoozed, waiting]) await until(async () => (await conversationOf(ctx.stack, c.id)).sla_due_at !== null, { what: 'a due time' });
    await clockDue(waiting.id, "now() - interval '1 second'");
    await clockDue(snoozed.id, "now() + interval '10 minutes'");

    const { status, body } = await floor(lead().token);
    expect(status).toBe(200);
    const wait = (since: string) => Math.round(Date.parse(body.at) - Date.parse(since)) / 1000;
    const agent = (i: number, availability: FloorAgent['availability'], connected: boolean, openLoad: number, capacity: number | null) => ({
      agentId: ctx.a.agents[i]!.id,
      name: `Agent ${i}`,
      availability,
      connected,
      openLoad,
      capacity,
    });
    const expected: FloorTeam[] = [
      {
        teamId: empty,
        name: 'Empty',
        open: 0,
        unassigned: 0,
        queued: 0,
        snoozed: 0,
        longestWaitSince: null,
        longestWaitSeconds: null,
        slaBreached: 0,
        slaDueSoon: 0,
        agents: [],
      },
      {
        teamId: supportId,
        name: 'Support',
        open: 2,
        unassigned: 1,
        queued: 1,
        snoozed: 1,
        longestWaitSince: waiting.at,
        longestWaitSeconds: wait(waiting.at),
        slaBreached: 1,
        slaDueSoon: 1,
        agents: [agent(2, 'busy', true, 1, 5), agent(3, 'away', false, 0, 3)],
      },
      {
        teamId: null,
        name: null,
        open: 1,
        unassigned: 1,
        queued: 0,
        snoozed: 0,
        longestWaitSince: unrouted.at,
        longestWaitSeconds: wait(unrouted.at),
        slaBreached: 0,
        slaDueSoon: 0,
        agents: [agent(0, 'available', false, 0, null), agent(1, 'available', false, 0, null)],
      },
    ];
    expect(body.teams).toEqual(expected);
    expect(body.teams.find((x) => x.name === 'Support')!.longestWaitSeconds).toBeGreaterThan(0);

    // The other organisation: its one conversation, on a number without a team, and its one agent.
    const b = await floor(ctx.b.agents[0]!.token);
    expect(b.body.teams.map((x) => [x.teamId, x.open, x.unassigned, x.queued, x.agents.map((a) => a.agentId)])).toEqual([
      [null, 1, 1, 0, [ctx.b.agents[0]!.id]],
    ]);
  });
});
