import { io as ioClient } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentPresence, ViewingPayload } from '../../lib/contract/events';
import { inboundParams, postSignedWebhook } from '../../server/dev/twilio-stand-in/inbound';
import { startInstance, type ServerInstance } from '../support/instance';
import { startRedis } from '../support/redis';
import {
  api,
  connectSocket,
  createTestOrg,
  customer,
  freePort,
  nextEvent,
  startTestStack,
  type TestOrg,
  type TestSocket,
  type TestStack,
} from '../support/stack';
import { until } from '../support/wait';
import { teamQueueKey } from '../../lib/contract/scope';
import { scopeRoom } from '../../server/sockets/scope';

/**
 * Two server instances (this process and a child process, as production runs them) against one
 * PostgreSQL and one Redis (Debian's redis-server): Socket.IO joined by the Redis adapter.
 */
describe('Several server instances on Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let stack: TestStack; // instance 1, with the local Auth and Realtime
  let second: ServerInstance;
  let org: TestOrg;
  let other: TestOrg;
  const sockets: TestSocket[] = [];
  const connect = async (where: { serverUrl: string }, token: string) => {
    const s = await connectSocket(where, token);
    sockets.push(s);
    return s;
  };
  const conversationOf = async (sid: string) =>
    (await stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [sid])).rows[0]!.conversation_id;

  beforeAll(async () => {
    redis = await startRedis();
    stack = await startTestStack({ REDIS_URL: redis.url, PRESENCE_SWEEP_MS: '300', SNOOZE_SWEEP_MS: '100' });
    second = await startInstance(stack, {
      REDIS_URL: redis.url,
      PRESENCE_SWEEP_MS: '300',
      SNOOZE_SWEEP_MS: '100',
      OPERATOR_TOKEN: stack.config.operatorToken!,
    });
    org = await createTestOrg(stack, 2);
    other = await createTestOrg(stack, 1);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    // Both instances have seen them go before the next test counts presence.
    for (const url of [stack.serverUrl, second.url]) {
      await until(
        async () => (await (await fetch(`${url}/api/socket`, { headers: { authorization: `Bearer ${stack.config.operatorToken}` } })).json()).connections === 0,
        {
          what: `no sockets left on ${url}`,
        },
      );
    }
  });
  afterAll(async () => {
    await second?.stop();
    await stack?.stop();
    await redis?.stop();
  });

  it('a webhook on one instance reaches agents on the other; typing crosses instances; other organisations hear nothing', async () => {
    const alice = await connect(stack, org.agents[0]!.token); // instance 1
    const bob = await connect({ serverUrl: second.url }, org.agents[1]!.token); // instance 2
    const stranger = await connect({ serverUrl: second.url }, other.agents[0]!.token);
    const leaked: unknown[] = [];
    stranger.onAny((event, payload) => event !== 'presence:state' && event !== 'presence:changes' && leaked.push([event, payload]));
    stranger.emit('inbox:rows', { realtime: true }); // another organisation's socket with Realtime hears no ids either

    // Alice's second device has the rows over Realtime: only the message's id, through instance 1.
    const byRealtime = await connect(stack, org.agents[0]!.token);
    byRealtime.emit('inbox:rows', { realtime: true });
    await byRealtime.emitWithAck('heartbeat');

    const atAlice = nextEvent(alice, 'message:new');
    const atBob = nextEvent(bob, 'message:new');
    const firstAtRealtime = nextEvent(byRealtime, 'message:new'); // a customer's first message: its rows to all
    const from = customer();
    const params = inboundParams({ accountSid: stack.config.twilio.accountSid, from, to: org.number, body: 'Through instance 2' });
    const res = await postSignedWebhook(
      `${second.url}/api/webhooks/twilio`,
      stack.config.twilio.authToken,
      params,
      `${stack.config.publicUrl}/api/webhooks/twilio`,
    );
    expect(res.status).toBe(200);
    expect((await atAlice).message.body).toBe('Through instance 2');
    expect((await atBob).message.body).toBe('Through instance 2');
    expect((await firstAtRealtime).message.body).toBe('Through instance 2');
    // The customer's next message, through instance 2 again: only its id to the device with Realtime.
    const heardByRealtime: string[] = [];
    byRealtime.onAny((event) => heardByRealtime.push(event));
    const idAtAlice = nextEvent(byRealtime, 'messages:stored');
    const nextAtAlice = nextEvent(alice, 'message:new');
    const next = inboundParams({ accountSid: stack.config.twilio.accountSid, from, to: org.number, body: 'Again through instance 2' });
    expect(
      (await postSignedWebhook(`${second.url}/api/webhooks/twilio`, stack.config.twilio.authToken, next, `${stack.config.publicUrl}/api/webhooks/twilio`))
        .status,
    ).toBe(200);
    const { message } = await nextAtAlice;
    expect((await idAtAlice).messages).toEqual([{ id: message.id, conversationId: message.conversationId }]);
    expect(heardByRealtime).not.toContain('message:new');

    const conversationId = await conversationOf(params.MessageSid!);
    expect(await bob.emitWithAck('conversation:join', { conversationId })).toHaveProperty('data');
    expect(await alice.emitWithAck('conversations:watch', { conversationIds: [conversationId] })).toEqual({ data: { watching: 1 } });
    const typing = nextEvent(alice, 'typing:update');
    bob.emit('typing:start', { conversationId });
    expect(await typing).toMatchObject({ conversationId, agentId: org.agents[1]!.id, typing: true });
    bob.emit('conversation:leave', { conversationId });
    await new Promise((r) => setTimeout(r, 300));
    expect(leaked).toEqual([]);
  });

  it('an agent taken out of a team through one instance stops hearing its queue on the other, however quickly its teams change', async () => {
    const teams = await createTestOrg(stack, 2);
    const [admin, bob] = teams.agents as [TestOrg['agents'][number], TestOrg['agents'][number]];
    const call = async (path: string, method: string, body: unknown = {}) => {
      const res = await api<{ id?: string }>(stack, admin.token, path, method, body);
      expect([path, res.status]).toEqual([path, method === 'POST' ? 201 : 200]);
      return res.body;
    };
    const newTeam = async (name: string) => (await call('/api/admin/teams', 'POST', { name, assignment: 'off', defaultCapacity: 5 })).id!;
    const [answering, other] = [await newTeam('Answers the channel'), await newTeam('Other')];
    for (const team of [answering, other]) await call(`/api/admin/teams/${team}/members/${bob.id}`, 'PUT');
    await call(`/api/admin/channels/${teams.channelId}/team`, 'PUT', { teamId: answering });
    const socket = await connect({ serverUrl: second.url }, bob.token); // instance 2; the changes go through instance 1
    const member = `/api/admin/teams/${answering}/members/${bob.id}`;
    const inQueue = async () => (await stack.app.io.in(scopeRoom(teamQueueKey(answering))).fetchSockets()).length > 0;
    expect(await inQueue()).toBe(true);
    // Out, in, out again at once: each instance's rooms come from a read after the last change.
    await call(member, 'DELETE');
    await call(member, 'PUT');
    await call(member, 'DELETE');
    await until(async () => !(await inQueue()), { what: 'Bob’s socket out of the team’s queue' });

    const heard: string[] = [];
    socket.on('message:new', (p) => heard.push(p.conversation.id));
    socket.on('conversation:updated', (p) => heard.push(p.conversation.id));
    const inbound = async () => {
      const params = inboundParams({ accountSid: stack.config.twilio.accountSid, from: customer(), to: teams.number, body: 'queued' });
      await postSignedWebhook(`${stack.serverUrl}/api/webhooks/twilio`, stack.config.twilio.authToken, params, `${stack.config.publicUrl}/api/webhooks/twilio`);
      return conversationOf(params.MessageSid!);
    };
    await inbound(); // the queue's, no longer Bob's
    const marker = await inbound();
    expect((await api(stack, admin.token, `/api/conversations/${marker}/assign`, 'POST', { assigneeId: bob.id })).status).toBe(200);
    await until(() => heard.includes(marker), { what: 'Bob hears the conversation given to him' });
    expect(heard.filter((id) => id !== marker)).toEqual([]);
  });

  it('stores a webhook that Twilio delivers to both instances once', async () => {
    const params = inboundParams({ accountSid: stack.config.twilio.accountSid, from: customer(), to: org.number, body: 'Delivered twice' });
    const signed = `${stack.config.publicUrl}/api/webhooks/twilio`;
    const answers = await Promise.all([
      postSignedWebhook(`${stack.serverUrl}/api/webhooks/twilio`, stack.config.twilio.authToken, params, signed),
      postSignedWebhook(`${second.url}/api/webhooks/twilio`, stack.config.twilio.authToken, params, signed),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const rows = await stack.db.query('select count(*)::int as n from messages where twilio_sid = $1', [params.MessageSid]);
    expect(rows.rows[0].n).toBe(1);
    const conv = await stack.db.query('select inbound_count from conversations where id = $1', [await conversationOf(params.MessageSid!)]);
    expect(conv.rows[0].inbound_count).toBe('1');
  });

  it('two instances sweeping snoozes every 100 ms wake each exactly once; agents on both hear it once', async () => {
    const alice = await connect(stack, org.agents[0]!.token);
    const bob = await connect({ serverUrl: second.url }, org.agents[1]!.token);
    const woke = { alice: [] as string[], bob: [] as string[] };
    alice.on(
      'conversation:updated',
      (p) => p.conversation.statusReason === 'snooze_ended' && p.conversation.status === 'open' && woke.alice.push(p.conversation.id),
    );
    bob.on(
      'conversation:updated',
      (p) => p.conversation.statusReason === 'snooze_ended' && p.conversation.status === 'open' && woke.bob.push(p.conversation.id),
    );
    const snooze = async (inMs: number) => {
      const params = inboundParams({ accountSid: stack.config.twilio.accountSid, from: customer(), to: org.number, body: 'Snooze me' });
      await postSignedWebhook(`${stack.serverUrl}/api/webhooks/twilio`, stack.config.twilio.authToken, params, `${stack.config.publicUrl}/api/webhooks/twilio`);
      const id = await conversationOf(params.MessageSid!);
      const res = await fetch(`${second.url}/api/conversations/${id}/status`, {
        method: 'POST',
        headers: { authorization: `Bearer ${org.agents[0]!.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'snoozed', snoozedUntil: new Date(Date.now() + inMs).toISOString() }),
      });
      expect(res.status).toBe(200);
      return id;
    };
    const ids = [await snooze(600), await snooze(700), await snooze(800)];
    // A later one: once it has woken, both sweepers have passed the first three many times.
    const marker = await snooze(1500);
    await until(() => woke.alice.includes(marker) && woke.bob.includes(marker), { what: 'the marker snooze woken', timeout: 10_000 });
    for (const id of ids) {
      expect(woke.alice.filter((x) => x === id)).toHaveLength(1);
      expect(woke.bob.filter((x) => x === id)).toHaveLength(1);
    }
    const lines = await stack.db.query<{ n: number }>(
      "select count(*)::int as n from messages where conversation_id = any($1::uuid[]) and activity ->> 'reason' = 'snooze_ended'",
      [[...ids, marker]],
    );
    expect(lines.rows[0]!.n).toBe(4);
  });

  it('keeps presence and viewing right across instances, and when an instance dies without a word', async () => {
    const params = inboundParams({ accountSid: stack.config.twilio.accountSid, from: customer(), to: org.number, body: 'Watch me' });
    await postSignedWebhook(`${stack.serverUrl}/api/webhooks/twilio`, stack.config.twilio.authToken, params, `${stack.config.publicUrl}/api/webhooks/twilio`);
    const conversationId = await conversationOf(params.MessageSid!);
    const bobId = org.agents[1]!.id;

    const alice = await connect(stack, org.agents[0]!.token);
    const presence: AgentPresence[] = [];
    const viewing: ViewingPayload[] = [];
    alice.on('presence:changes', (changes) => presence.push(...changes.filter((p) => p.agentId === bobId)));
    alice.on('viewing:update', (v) => v.conversationId === conversationId && viewing.push(v));
    await alice.emitWithAck('conversations:watch', { conversationIds: [conversationId] });

    // A doomed instance: Bob's only socket is there.
    const doomed = await startInstance(stack, { REDIS_URL: redis.url, PRESENCE_SWEEP_MS: '300', OPERATOR_TOKEN: stack.config.operatorToken! });
    const bob = await connect({ serverUrl: doomed.url }, org.agents[1]!.token);
    bob.io.opts.reconnection = false;
    await expect.poll(() => presence.at(-1)?.state, { timeout: 10_000 }).toBe('online');
    // A new socket on instance 1 is told Bob is online, though his socket is elsewhere.
    const late: TestSocket = ioClient(stack.serverUrl, {
      transports: ['websocket'],
      auth: { token: org.agents[0]!.token },
      reconnection: false,
      forceNew: true,
      autoConnect: false,
    });
    sockets.push(late);
    const state = nextEvent(late, 'presence:state');
    late.connect();
    expect((await state).find((p) => p.agentId === bobId)?.state).toBe('online');
    expect(await bob.emitWithAck('conversation:join', { conversationId })).toHaveProperty('data');
    await expect.poll(() => viewing.at(-1)?.agents.map((a) => a.agentId)).toEqual([bobId]);

    await doomed.kill();
    // No disconnect handler ran anywhere: instance 1's sweep notices Bob's sockets are gone.
    await expect.poll(() => presence.at(-1)?.state, { timeout: 10_000 }).toBe('offline');
    await expect.poll(() => viewing.at(-1)?.agents, { timeout: 10_000 }).toEqual([]);
  });

  it('an instance restarted gracefully (SIGTERM, then a new process on the same port) gets its agents back by themselves', async () => {
    const port = String(await freePort());
    let instance = await startInstance(stack, { PORT: port, REDIS_URL: redis.url });
    // As the extension connects: the client's own reconnection, with backoff and jitter.
    const agent: TestSocket = ioClient(instance.url, {
      transports: ['websocket'],
      auth: { token: org.agents[0]!.token },
      forceNew: true,
      reconnectionDelay: 200,
      randomizationFactor: 0.5,
    });
    sockets.push(agent);
    await new Promise<void>((resolve) => agent.once('connect', () => resolve()));
    const reasons: string[] = [];
    agent.on('disconnect', (reason) => reasons.push(reason));
    // A clean stop: nothing in flight (a presence re-check asking the other instance) outlives the adapter's Redis clients.
    expect(await instance.stop()).toBe(0);
    // A stopping server closes the connection; it does not send the client away ("io server disconnect").
    expect(reasons).toEqual(['transport close']);
    instance = await startInstance(stack, { PORT: port, REDIS_URL: redis.url });
    try {
      await expect.poll(() => agent.connected, { timeout: 15_000 }).toBe(true);
      const atAgent = nextEvent(agent, 'message:new');
      const params = inboundParams({ accountSid: stack.config.twilio.accountSid, from: customer(), to: org.number, body: 'After the restart' });
      await postSignedWebhook(`${instance.url}/api/webhooks/twilio`, stack.config.twilio.authToken, params, `${stack.config.publicUrl}/api/webhooks/twilio`);
      expect((await atAgent).message.body).toBe('After the restart');
    } finally {
      await instance.stop();
    }
  });
});
