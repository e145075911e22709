import { afterAll, describe, expect, it } from 'vitest';
import type { AssignResponse } from '../../lib/contract/api';
import type { RoutingOverview } from '../../lib/contract/routing';
import { api, connectSocket, customer, type TestOrg, type TestSocket } from '../support/stack';
import { useTestStack } from '../support/fixture';
import { until } from '../support/wait';
import { assignedLines, conversationOf, setUpTeam, waitConnected } from '../support/routing';

/**
 * Automatic assignment (issue 33): a team's conversations go to its available, connected agents
 * under capacity, oldest first, exactly once; the queue moves the moment someone frees up.
 */
describe('Routing: automatic assignment', () => {
  const ctx = useTestStack({ orgs: { big: 10, small: 3, late: 1 }, env: { ROUTING_SWEEP_MS: '200' } });
  // Sockets stay open across the tests of a block (an agent's browser stays connected); closed at the end.
  const open: TestSocket[] = [];
  const clients = {
    connect: async (token: string) => {
      const s = await connectSocket(ctx.stack, token);
      open.push(s);
      return s;
    },
  };
  afterAll(() => open.forEach((s) => s.close()));

  const loads = async (org: TestOrg) => {
    const { rows } = await ctx.stack.db.query<{ assignee_id: string; n: number }>(
      "select assignee_id, count(*)::int as n from conversations where organisation_id = $1 and status = 'open' and assignee_id is not null group by assignee_id",
      [org.id],
    );
    return new Map(rows.map((r) => [r.assignee_id, r.n]));
  };
  const queue = async (teamId: string) =>
    (
      await ctx.stack.db.query<{ conversation_id: string; first_at: Date }>(
        `select q.conversation_id, (select min(created_at) from messages m where m.conversation_id = q.conversation_id and m.direction = 'inbound') as first_at
           from routing_queue q where q.team_id = $1 order by q.waiting_since, q.conversation_id`,
        [teamId],
      )
    ).rows;

  describe('a team of 10 agents with capacity 3', () => {
    let teamId = '';
    it('100 conversations arriving at once: 30 assigned, 3 each, 70 queued in arrival order', async () => {
      const admin = ctx.big.agents[0]!;
      teamId = await setUpTeam(ctx.stack, admin.token, ctx.big, { assignment: 'round_robin', defaultCapacity: 3 });
      for (const a of ctx.big.agents) await clients.connect(a.token);
      await waitConnected(ctx.stack, admin.token, ctx.big.agents.length);

      const sent = await Promise.all(Array.from({ length: 100 }, (_, i) => ctx.stack.inbound({ from: customer(), to: ctx.big.number, body: `Hello ${i}` })));
      expect(sent.every((r) => r.status === 200)).toBe(true);
      await until(async () => (await queue(teamId)).length === 70 && [...(await loads(ctx.big)).values()].reduce((a, b) => a + b, 0) === 30, {
        what: '30 assigned and 70 queued',
      });
      const byAgent = await loads(ctx.big);
      expect([...byAgent.keys()].sort()).toEqual(ctx.big.agents.map((a) => a.id).sort());
      expect([...byAgent.values()]).toEqual(Array(10).fill(3));
      // The counters the engine decides by agree with the conversations themselves.
      const overview = await api<RoutingOverview>(ctx.stack, admin.token, '/api/routing');
      expect(overview.body.agents.map((a) => a.openLoad)).toEqual(Array(10).fill(3));
      expect(overview.body.teams[0]!.queued).toBe(70);
      // Waiting in the order the customers wrote.
      const waiting = await queue(teamId);
      const times = waiting.map((w) => w.first_at.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
      // Each conversation was assigned once, by the rule, with its activity line.
      const lines = await assignedLines(ctx.stack, ctx.big.id);
      expect(lines).toHaveLength(30);
      expect(new Set(lines.map((l) => l.conversation_id)).size).toBe(30);
      expect(lines.every((l) => l.activity.rule === 'round_robin' && l.sent_by === null)).toBe(true);
    });

    it('an agent who resolves one gets the oldest waiting conversation', async () => {
      const agent = ctx.big.agents[4]!;
      const head = (await queue(teamId))[0]!.conversation_id;
      const mine = (await ctx.stack.db.query<{ id: string }>("select id from conversations where assignee_id = $1 and status = 'open' limit 1", [agent.id]))
        .rows[0]!;
      const res = await api(ctx.stack, agent.token, `/api/conversations/${mine.id}/status`, 'POST', { status: 'resolved' });
      expect(res.status).toBe(200);
      await until(async () => (await conversationOf(ctx.stack, head)).assignee_id === agent.id, { what: 'the oldest waiting one assigned to the agent' });
      expect((await loads(ctx.big)).get(agent.id)).toBe(3);
      expect(await queue(teamId)).toHaveLength(69);
    });

    it('manual assignment may exceed capacity: it is made, with a warning', async () => {
      const admin = ctx.big.agents[0]!;
      const target = ctx.big.agents[1]!;
      const waitingOne = (await queue(teamId))[0]!.conversation_id;
      const res = await api<AssignResponse>(ctx.stack, admin.token, `/api/conversations/${waitingOne}/assign`, 'POST', { assigneeId: target.id });
      expect(res.status).toBe(200);
      expect(res.body.conversation.assigneeId).toBe(target.id);
      expect(res.body.warning).toMatchObject({ code: 'over_capacity', openLoad: 4, capacity: 3 });
      expect((await queue(teamId)).map((w) => w.conversation_id)).not.toContain(waitingOne);
    });

    it('a load counter that disagrees with the conversations is re-derived from them', async () => {
      const agent = ctx.big.agents[2]!;
      // Drift (a counter someone changed by hand): the agent looks full beyond their real load.
      await ctx.stack.db.query('update agent_routing set open_load = 9 where agent_id = $1', [agent.id]);
      await ctx.stack.app.routing.rederiveLoads();
      const { rows } = await ctx.stack.db.query<{ open_load: number }>('select open_load from agent_routing where agent_id = $1', [agent.id]);
      expect(rows[0]!.open_load).toBe((await loads(ctx.big)).get(agent.id));
    });
  });

  describe('who receives', () => {
    let teamId = '';
    let sockets: TestSocket[] = [];
    const [first, second, third] = [0, 1, 2];
    const agent = (i: number) => ctx.small.agents[i]!;
    const newConversation = async () => {
      const res = await ctx.stack.inbound({ from: customer(), to: ctx.small.number, body: 'Hi' });
      const id = (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
        .rows[0]!.conversation_id;
      await until(async () => (await conversationOf(ctx.stack, id)).assignee_id !== null, { what: 'the conversation assigned' });
      return (await conversationOf(ctx.stack, id)).assignee_id!;
    };

    it('only agents who are available and connected: away, disconnected or idle agents get nothing new', async () => {
      teamId = await setUpTeam(ctx.stack, agent(first).token, ctx.small, { assignment: 'round_robin', defaultCapacity: 10 });
      sockets = [await clients.connect(agent(first).token), await clients.connect(agent(second).token), await clients.connect(agent(third).token)];
      await waitConnected(ctx.stack, agent(first).token, 3);
      // First sets themselves away; second closes the browser.
      expect((await api(ctx.stack, agent(first).token, '/api/routing/availability', 'PUT', { availability: 'away' })).status).toBe(200);
      sockets[second]!.close();
      await waitConnected(ctx.stack, agent(first).token, 2);
      for (let i = 0; i < 3; i++) expect(await newConversation()).toBe(agent(third).id);

      // First is back: round robin alternates between first and third.
      await api(ctx.stack, agent(first).token, '/api/routing/availability', 'PUT', { availability: 'available' });
      const got = [await newConversation(), await newConversation(), await newConversation(), await newConversation()];
      expect(got.filter((id) => id === agent(first).id)).toHaveLength(2);
      expect(got.filter((id) => id === agent(third).id)).toHaveLength(2);

      // Third's browser goes idle: only first receives.
      sockets[third]!.emit('presence:set', { state: 'away' });
      await waitConnected(ctx.stack, agent(first).token, 1);
      for (let i = 0; i < 2; i++) expect(await newConversation()).toBe(agent(first).id);
    });

    it('a reopened conversation goes back to its previous assignee, or to someone available when they are away', async () => {
      // Third comes back from idle; first holds a conversation, resolves it; the customer writes again.
      sockets[third]!.emit('presence:set', { state: 'online' });
      await waitConnected(ctx.stack, agent(first).token, 2);
      const phone = customer();
      const opened = await ctx.stack.inbound({ from: phone, to: ctx.small.number, body: 'Question' });
      const id = (
        await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [opened.params.MessageSid])
      ).rows[0]!.conversation_id;
      await until(async () => (await conversationOf(ctx.stack, id)).assignee_id !== null);
      const owner = (await conversationOf(ctx.stack, id)).assignee_id!;
      const other = owner === agent(first).id ? agent(third) : agent(first);
      const ownerToken = ctx.small.agents.find((a) => a.id === owner)!.token;
      await api(ctx.stack, ownerToken, `/api/conversations/${id}/status`, 'POST', { status: 'resolved' });

      // Available: it comes back to them, by that rule.
      await ctx.stack.inbound({ from: phone, to: ctx.small.number, body: 'One more thing' });
      await until(async () => (await conversationOf(ctx.stack, id)).status === 'open' && (await conversationOf(ctx.stack, id)).assignee_id !== null);
      expect((await conversationOf(ctx.stack, id)).assignee_id).toBe(owner);
      expect((await assignedLines(ctx.stack, ctx.small.id, id)).at(-1)!.activity.rule).toBe('previous_assignee');

      // Away: it goes to the colleague who is available.
      await api(ctx.stack, ownerToken, `/api/conversations/${id}/status`, 'POST', { status: 'resolved' });
      await api(ctx.stack, ownerToken, '/api/routing/availability', 'PUT', { availability: 'away' });
      await ctx.stack.inbound({ from: phone, to: ctx.small.number, body: 'And another' });
      await until(async () => (await conversationOf(ctx.stack, id)).assignee_id === other.id, {
        what: 'the reopened conversation given to the available colleague',
      });
      const last = (await assignedLines(ctx.stack, ctx.small.id, id)).at(-1)!;
      expect(last.activity).toMatchObject({ to: other.id, rule: 'round_robin' });
      await api(ctx.stack, ownerToken, '/api/routing/availability', 'PUT', { availability: 'available' });
      expect(teamId).not.toBe('');
    });

    it('with a hand-back time, the conversations of an agent away that long go back to the team', async () => {
      const admin = agent(first);
      expect((await api(ctx.stack, admin.token, `/api/admin/teams/${teamId}`, 'PATCH', { handBackAfterMinutes: 1 })).status).toBe(200);
      const held = (
        await ctx.stack.db.query<{ id: string }>("select id from conversations where assignee_id = $1 and status = 'open' order by id", [agent(first).id])
      ).rows.map((r) => r.id);
      expect(held.length).toBeGreaterThan(0);
      await api(ctx.stack, agent(first).token, '/api/routing/availability', 'PUT', { availability: 'away' });
      // A minute passes (tests do not wait a minute).
      await ctx.stack.db.query("update agent_routing set availability_changed_at = now() - interval '2 minutes' where agent_id = $1", [agent(first).id]);
      await until(
        async () => {
          const owners = await Promise.all(held.map(async (id) => (await conversationOf(ctx.stack, id)).assignee_id));
          return owners.every((o) => o === agent(third).id);
        },
        { what: 'the away agent’s conversations given to the available colleague' },
      );
      const lines = await assignedLines(ctx.stack, ctx.small.id, held[0]);
      expect(lines.at(-2)!.activity).toMatchObject({ from: agent(first).id, to: null, rule: 'hand_back' });
      expect(lines.at(-1)!.activity).toMatchObject({ to: agent(third).id, rule: 'round_robin' });
      await api(ctx.stack, admin.token, `/api/admin/teams/${teamId}`, 'PATCH', { handBackAfterMinutes: null });
      await api(ctx.stack, agent(first).token, '/api/routing/availability', 'PUT', { availability: 'available' });
    });

    it('loads stay right when the customer reopens a snoozed or resolved conversation that keeps its agent', async () => {
      const phone = customer();
      const opened = await ctx.stack.inbound({ from: phone, to: ctx.small.number, body: 'Hi' });
      const id = (
        await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [opened.params.MessageSid])
      ).rows[0]!.conversation_id;
      await until(async () => (await conversationOf(ctx.stack, id)).assignee_id !== null);
      const ownerId = (await conversationOf(ctx.stack, id)).assignee_id;
      const ownerToken = ctx.small.agents.find((a) => a.id === ownerId)!.token;
      // Snoozed (frees a place), then the customer writes: it is open and theirs again, counted again.
      await api(ctx.stack, ownerToken, `/api/conversations/${id}/status`, 'POST', {
        status: 'snoozed',
        snoozedUntil: new Date(Date.now() + 3_600_000).toISOString(),
      });
      await ctx.stack.inbound({ from: phone, to: ctx.small.number, body: 'Still there?' });
      await until(async () => (await conversationOf(ctx.stack, id)).status === 'open');
      const drift = async () =>
        (await ctx.stack.db.query('select * from routing_load_mismatches() m join agents a on a.id = m.agent_id where a.organisation_id = $1', [ctx.small.id]))
          .rows;
      expect(await drift()).toEqual([]);
      // A channel that no team routes: a resolved conversation the customer reopens keeps its agent, and their load follows.
      expect((await api(ctx.stack, agent(first).token, `/api/admin/channels/${ctx.small.channelId}/team`, 'PUT', { teamId: null })).status).toBe(200);
      await api(ctx.stack, agent(first).token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: agent(first).id });
      await api(ctx.stack, agent(first).token, `/api/conversations/${id}/status`, 'POST', { status: 'resolved' });
      await ctx.stack.inbound({ from: phone, to: ctx.small.number, body: 'One more' });
      await until(async () => (await conversationOf(ctx.stack, id)).status === 'open');
      expect((await conversationOf(ctx.stack, id)).assignee_id).toBe(agent(first).id);
      expect(await drift()).toEqual([]);
      expect((await api(ctx.stack, agent(first).token, `/api/admin/channels/${ctx.small.channelId}/team`, 'PUT', { teamId })).status).toBe(200);
    });

    it('only admins change teams; bad input is a 400 with the reason', async () => {
      const agentOnly = agent(second);
      expect((await api(ctx.stack, agentOnly.token, '/api/admin/teams', 'POST', { name: 'Mine' })).status).toBe(403);
      const bad = await api<{ message: string }>(ctx.stack, agent(first).token, `/api/admin/teams/${teamId}/hours`, 'PUT', {
        enabled: true,
        timeZone: 'Mars/Olympus',
        intervals: [],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('IANA time zone');
      // Another organisation's team is not found.
      const foreign = await api(ctx.stack, ctx.big.agents[0]!.token, `/api/admin/teams/${teamId}`, 'PATCH', { defaultCapacity: 1 });
      expect(foreign.status).toBe(404);
    });
  });

  it('conversations already waiting when a channel is given to a routing team are routed too', async () => {
    const [admin] = ctx.late.agents;
    const res = await ctx.stack.inbound({ from: customer(), to: ctx.late.number, body: 'Before any team' });
    const id = (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
    await clients.connect(admin!.token);
    await waitConnected(ctx.stack, admin!.token, 1);
    expect((await conversationOf(ctx.stack, id)).assignee_id).toBeNull();
    await setUpTeam(ctx.stack, admin!.token, ctx.late, { assignment: 'least_busy', defaultCapacity: 2 });
    await until(async () => (await conversationOf(ctx.stack, id)).assignee_id === admin!.id, { what: 'the waiting conversation routed' });
    expect((await assignedLines(ctx.stack, ctx.late.id, id)).at(-1)!.activity.rule).toBe('least_busy');
  });
});
