import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboundParams, postSignedWebhook } from '../../server/dev/twilio-stand-in/inbound';
import { startInstance, type ServerInstance } from '../support/instance';
import { startRedis } from '../support/redis';
import { assignedLines, setUpTeam, waitConnected } from '../support/routing';
import { connectSocket, createTestOrg, customer, startTestStack, type TestOrg, type TestSocket, type TestStack } from '../support/stack';
import { until } from '../support/wait';

/**
 * Two server instances (this process and a child process) on one PostgreSQL and one Redis, both
 * routing: every instance is woken for every event, and the database lets one decide.
 */
describe('Routing with several server instances', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let stack: TestStack;
  let second: ServerInstance;
  let org: TestOrg;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    // A short presence TTL: an instance that dies is noticed in seconds, not a minute.
    const env = { REDIS_URL: redis.url, ROUTING_SWEEP_MS: '100', ROUTING_PRESENCE_TTL_SECONDS: '3' };
    stack = await startTestStack(env);
    second = await startInstance(stack, env);
    org = await createTestOrg(stack, 6);
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await second?.stop();
    await stack?.stop();
    await redis?.stop();
  });

  it('never assigns a conversation twice, and no agent ends above capacity', async () => {
    const capacity = 4;
    const teamId = await setUpTeam(stack, org.agents[0]!.token, org, { assignment: 'least_busy', defaultCapacity: capacity });
    // Half the agents on each instance.
    for (const [i, a] of org.agents.entries()) sockets.push(await connectSocket(i % 2 ? { serverUrl: second.url } : stack, a.token));
    await waitConnected(stack, org.agents[0]!.token, org.agents.length);

    // 60 customers write at once, half through each instance.
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const params = inboundParams({ accountSid: stack.config.twilio.accountSid, from: customer(), to: org.number, body: `Hi ${i}` });
        const base = i % 2 ? second.url : stack.serverUrl;
        return postSignedWebhook(`${base}/api/webhooks/twilio`, stack.config.twilio.authToken, params, `${stack.config.publicUrl}/api/webhooks/twilio`);
      }),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const total = capacity * org.agents.length;
    const count = async () =>
      (await stack.db.query<{ n: number }>('select count(*)::int as n from conversations where organisation_id = $1 and assignee_id is not null', [org.id]))
        .rows[0]!.n;
    await until(async () => (await count()) === total, { what: `${total} assigned` });

    // Agents free up on both instances at once: each resolves two; the queue moves by as many.
    const resolved = await stack.db.query<{ id: string; assignee_id: string }>(
      `select id, assignee_id from (select id, assignee_id, row_number() over (partition by assignee_id order by id) as n
                                      from conversations where organisation_id = $1 and assignee_id is not null) x where n <= 2`,
      [org.id],
    );
    await Promise.all(
      resolved.rows.map((r, i) => {
        const token = org.agents.find((a) => a.id === r.assignee_id)!.token;
        const base = i % 2 ? second.url : stack.serverUrl;
        return fetch(`${base}/api/conversations/${r.id}/status`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ status: 'resolved' }),
        });
      }),
    );
    const openAssigned = async () =>
      (
        await stack.db.query<{ assignee_id: string; n: number }>(
          "select assignee_id, count(*)::int as n from conversations where organisation_id = $1 and status = 'open' and assignee_id is not null group by assignee_id",
          [org.id],
        )
      ).rows;
    await until(async () => (await openAssigned()).reduce((a, r) => a + r.n, 0) === total, { what: 'the freed room filled again' });

    // Never above capacity, counters equal to the conversations, one assignment line per assignment.
    expect((await openAssigned()).every((r) => r.n === capacity)).toBe(true);
    const { rows: loads } = await stack.db.query<{ agent_id: string; open_load: number }>(
      'select agent_id, open_load from agent_routing where organisation_id = $1',
      [org.id],
    );
    expect(loads.every((l) => l.open_load === capacity)).toBe(true);
    const lines = await assignedLines(stack, org.id);
    expect(lines).toHaveLength(total + resolved.rows.length);
    expect(new Set(lines.map((l) => l.conversation_id)).size).toBe(lines.length);
    const { rows: queued } = await stack.db.query<{ n: number }>('select count(*)::int as n from routing_queue where team_id = $1', [teamId]);
    expect(queued[0]!.n).toBe(60 - total - resolved.rows.length);
  });

  it('an SLA breach is notified once, though both instances sweep for it', async () => {
    const admin = org.agents[0]!;
    const teamId = (await stack.db.query<{ id: string }>('select id from teams where organisation_id = $1', [org.id])).rows[0]!.id;
    const res = await fetch(`${second.url}/api/admin/teams/${teamId}/sla`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ resolutionMinutes: 60, warnBeforeMinutes: 0 }),
    });
    expect(res.status).toBe(200);
    const heard: Array<{ conversationId: string }> = [];
    for (const s of sockets) s.on('sla:breached', (p) => heard.push(p));
    // Two conversations already assigned get a customer message: their resolution clocks start.
    const { rows: targets } = await stack.db.query<{ id: string; phone: string }>(
      `select c.id, ct.phone_e164 as phone from conversations c join contacts ct on ct.id = c.contact_id
        where c.organisation_id = $1 and c.status = 'open' and c.assignee_id is not null order by c.id limit 2`,
      [org.id],
    );
    const due = async (id: string) => {
      await stack.inbound({ from: targets.find((t) => t.id === id)!.phone, to: org.number, body: 'Still waiting' });
      await until(async () => (await stack.db.query('select 1 from sla_clocks where conversation_id = $1 and due_at is not null', [id])).rowCount === 1);
      // The hour passes (tests do not wait an hour).
      await stack.db.query("update sla_clocks set due_at = now() - interval '1 second' where conversation_id = $1", [id]);
      await until(() => heard.some((h) => h.conversationId === id), { what: 'the breach notified' });
    };
    await due(targets[0]!.id);
    // The second breach is the marker: by the time it is heard, a duplicate of the first would have been too.
    await due(targets[1]!.id);
    expect(heard.filter((h) => h.conversationId === targets[0]!.id)).toHaveLength(1);
    expect((await stack.db.query('select 1 from sla_breaches where conversation_id = $1', [targets[0]!.id])).rowCount).toBe(1);
  });

  it('agents whose instance dies without a word stop receiving once its word runs out', async () => {
    // Half the agents hold their only socket on the second instance; it is killed (no shutdown, no disconnects).
    const onSecond = org.agents.filter((_, i) => i % 2 === 1).map((a) => a.id);
    await second.kill();
    await waitConnected(stack, org.agents[0]!.token, org.agents.length - onSecond.length);
    const { rows } = await stack.db.query<{ agent_id: string }>(
      'select agent_id from agent_presence where organisation_id = $1 and not coalesce(connected_until > now(), false)',
      [org.id],
    );
    expect(rows.map((r) => r.agent_id).sort()).toEqual([...onSecond].sort());
    // Room is made for everyone: only the agents still connected receive.
    await stack.db.query('update teams set default_capacity = 100 where organisation_id = $1', [org.id]);
    const phone = customer();
    await stack.inbound({ from: phone, to: org.number, body: 'After the crash' });
    await until(
      async () =>
        (
          await stack.db.query(
            `select 1 from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 = $1 and c.assignee_id is not null`,
            [phone],
          )
        ).rowCount === 1,
      { what: 'the new conversation assigned' },
    );
    const { rows: got } = await stack.db.query<{ assignee_id: string }>(
      'select c.assignee_id from conversations c join contacts ct on ct.id = c.contact_id where ct.phone_e164 = $1',
      [phone],
    );
    expect(onSecond).not.toContain(got[0]!.assignee_id);
  });
});
