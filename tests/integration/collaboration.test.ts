import { io as ioClient } from 'socket.io-client';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentPresence, TypingPayload } from '../../lib/contract/events';
import { connectSocket, createTestOrg, customer, nextEvent, type TestOrg, type TestSocket } from '../support/stack';
import { until } from '../support/wait';
import { useTestStack } from '../support/fixture';

describe('Typing, presence and viewing over Socket.IO', () => {
  const ctx = useTestStack({ orgs: { a: 3, b: 1 } });
  let convA: string;
  let convB: string;
  const open: TestSocket[] = [];
  const connect = async (token: string) => {
    const s = await connectSocket(ctx.stack, token);
    open.push(s);
    return s;
  };
  const conversationOf = async (org: TestOrg) => {
    const res = await ctx.stack.inbound({ from: customer(), to: org.number, body: 'hi' });
    return (await ctx.stack.db.query<{ conversation_id: string }>('select conversation_id from messages where twilio_sid = $1', [res.params.MessageSid]))
      .rows[0]!.conversation_id;
  };
  // Presence has no acknowledgement to wait for: the presence test lets the server act between steps.
  const settle = () => new Promise((r) => setTimeout(r, 300));
  /** Sends a customer message to each organisation and waits until its socket has it. */
  const markers = async (...pairs: Array<[TestSocket, TestOrg]>) => {
    for (const [socket, org] of pairs) {
      const heard = nextEvent(socket, 'message:new');
      await ctx.stack.inbound({ from: customer(), to: org.number, body: 'marker' });
      await heard;
    }
  };

  beforeAll(async () => {
    convA = await conversationOf(ctx.a);
    convB = await conversationOf(ctx.b);
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  /** The socket shows these conversations (rows on screen, CRM badges): it hears their typing and viewing. */
  const watch = (socket: TestSocket, ...conversationIds: string[]) => socket.emitWithAck('conversations:watch', { conversationIds });

  it('relays typing to colleagues, never back to the sender and never to another organisation', async () => {
    const bob = await connect(ctx.a.agents[1]!.token);
    const alice = await connect(ctx.a.agents[0]!.token);
    const stranger = await connect(ctx.b.agents[0]!.token);
    const seen: Record<string, TypingPayload[]> = { alice: [], bob: [], stranger: [] };
    alice.on('typing:update', (p) => seen.alice!.push(p));
    bob.on('typing:update', (p) => seen.bob!.push(p));
    stranger.on('typing:update', (p) => seen.stranger!.push(p));
    expect(await watch(alice, convA)).toEqual({ data: { watching: 1 } });
    // Another organisation's conversation cannot be watched.
    expect(await watch(stranger, convA)).toEqual({ data: { watching: 0 } });
    expect(await bob.emitWithAck('conversation:join', { conversationId: convA })).toHaveProperty('data');
    const started = nextEvent(alice, 'typing:update');
    bob.emit('typing:start', { conversationId: convA });
    await started;
    const stopped = nextEvent(alice, 'typing:update');
    bob.emit('typing:stop', { conversationId: convA });
    await stopped;
    // Markers: a message to each organisation. Events reach a socket in order, so an echo to Bob
    // or a leak to the stranger would have arrived before them.
    await markers([bob, ctx.a], [stranger, ctx.b]);
    expect(seen.alice!.map((p) => [p.agentId, p.typing])).toEqual([
      [ctx.a.agents[1]!.id, true],
      [ctx.a.agents[1]!.id, false],
    ]);
    expect(seen.alice![0]!.displayName).toBe('Agent 1');
    expect(seen.bob).toEqual([]);
    expect(seen.stranger).toEqual([]);
  });

  it('refuses to join another organisation’s conversation, and ignores typing there', async () => {
    const bob = await connect(ctx.a.agents[1]!.token);
    const stranger = await connect(ctx.b.agents[0]!.token);
    const leaked: TypingPayload[] = [];
    stranger.on('typing:update', (p) => leaked.push(p));
    expect(await bob.emitWithAck('conversation:join', { conversationId: convB })).toEqual({ error: 'conversation not found' });
    expect(await bob.emitWithAck('conversation:join', { conversationId: 'not-a-uuid' } as never)).toEqual({ error: 'conversationId must be a UUID' });
    bob.emit('typing:start', { conversationId: convB });
    await markers([stranger, ctx.b]);
    expect(leaked).toEqual([]);
  });

  it('sends typing and viewing only to the sockets that show the conversation', async () => {
    const alice = await connect(ctx.a.agents[0]!.token);
    const carol = await connect(ctx.a.agents[2]!.token);
    const bob = await connect(ctx.a.agents[1]!.token);
    const heard: string[] = [];
    alice.on('typing:update', () => heard.push('alice typing'));
    alice.on('viewing:update', () => heard.push('alice viewing'));
    carol.on('typing:update', () => heard.push('carol typing'));
    carol.on('viewing:update', () => heard.push('carol viewing'));
    await watch(carol, convA);
    await bob.emitWithAck('conversation:join', { conversationId: convA });
    bob.emit('typing:start', { conversationId: convA });
    bob.emit('typing:stop', { conversationId: convA });
    await markers([alice, ctx.a], [carol, ctx.a]);
    expect(heard.filter((h) => h.startsWith('alice'))).toEqual([]);
    expect(heard).toContain('carol typing');
    expect(heard).toContain('carol viewing');
    // No longer shown (scrolled away): nothing more.
    await watch(carol);
    heard.length = 0;
    bob.emit('typing:start', { conversationId: convA });
    await markers([carol, ctx.a]);
    expect(heard).toEqual([]);
  });

  it('expires a typing indicator 3 s after the last start of a silent client', async () => {
    const alice = await connect(ctx.a.agents[0]!.token);
    const bob = await connect(ctx.a.agents[1]!.token);
    await watch(alice, convA);
    await bob.emitWithAck('conversation:join', { conversationId: convA });
    const started = nextEvent(alice, 'typing:update');
    bob.emit('typing:start', { conversationId: convA });
    expect((await started).typing).toBe(true);
    const t0 = Date.now();
    const stopped = await nextEvent(alice, 'typing:update', 6000);
    expect(stopped).toMatchObject({ agentId: ctx.a.agents[1]!.id, typing: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2900);
  });

  it('keeps an agent online while any of its sockets is connected, away when all are idle', async () => {
    const watcher = await connect(ctx.a.agents[0]!.token);
    const updates: AgentPresence[] = [];
    watcher.on('presence:changes', (changes) => updates.push(...changes));
    const carolId = ctx.a.agents[2]!.id;
    const laptop = await connect(ctx.a.agents[2]!.token);
    const phone = await connect(ctx.a.agents[2]!.token);
    await settle();
    laptop.emit('presence:set', { state: 'away' });
    await settle();
    phone.emit('presence:set', { state: 'away' });
    await settle();
    phone.emit('presence:set', { state: 'online' });
    await settle();
    laptop.close();
    await settle();
    phone.close();
    await settle();
    expect(updates.filter((u) => u.agentId === carolId).map((u) => u.state)).toEqual(['online', 'away', 'online', 'offline']);
  });

  it('gives a new socket the organisation’s current presence, then changes', async () => {
    const colleague = await connect(ctx.a.agents[1]!.token);
    const newcomer: TestSocket = ioClient(ctx.stack.serverUrl, {
      transports: ['websocket'],
      auth: { token: ctx.a.agents[0]!.token },
      autoConnect: false,
      forceNew: true,
    });
    open.push(newcomer);
    const state = new Promise<AgentPresence[]>((resolve) => newcomer.once('presence:state', resolve));
    newcomer.connect();
    const online = (await state).filter((p) => p.state === 'online').map((p) => p.agentId);
    expect(online).toContain(ctx.a.agents[1]!.id);
    expect(online).toContain(ctx.a.agents[0]!.id);
    const offline = new Promise<AgentPresence>((resolve) =>
      newcomer.on('presence:changes', (changes) => changes.forEach((c) => c.agentId === ctx.a.agents[1]!.id && resolve(c))),
    );
    colleague.close();
    expect(await offline).toMatchObject({ agentId: ctx.a.agents[1]!.id, state: 'offline' });
  });

  it('twenty agents connecting at once: each gets one state from memory, then batched changes, and all agree', async () => {
    const big = await createTestOrg(ctx.stack, 20);
    const sockets: TestSocket[] = [];
    const seen = new Map<TestSocket, { states: number; presence: Map<string, string> }>();
    await Promise.all(
      big.agents.map(async (a) => {
        const s: TestSocket = ioClient(ctx.stack.serverUrl, { transports: ['websocket'], auth: { token: a.token }, forceNew: true, autoConnect: false });
        const view = { states: 0, presence: new Map<string, string>() };
        seen.set(s, view);
        s.on('presence:state', (list) => {
          view.states++;
          view.presence = new Map(list.map((p) => [p.agentId, p.state]));
        });
        s.on('presence:changes', (list) => {
          for (const p of list) view.presence.set(p.agentId, p.state);
        });
        open.push(s);
        sockets.push(s);
        s.connect();
        await new Promise<void>((resolve) => s.once('connect', () => resolve()));
      }),
    );
    const everyone = big.agents.map((a) => a.id).sort();
    const allOnline = () =>
      [...seen.values()].every(
        (v) =>
          [...v.presence]
            .filter(([, st]) => st === 'online')
            .map(([id]) => id)
            .sort()
            .join() === everyone.join(),
      );
    await until(allOnline, { what: 'every agent seeing all twenty online' });
    for (const v of seen.values()) expect(v.states).toBe(1);
    // Leaving: everyone else hears it, and agrees.
    sockets[0]!.close();
    await until(() => [...seen].filter(([s]) => s !== sockets[0]).every(([, v]) => v.presence.get(big.agents[0]!.id) === 'offline'), {
      what: 'the first agent offline everywhere',
    });
  });

  it('tells the organisation who is viewing a conversation', async () => {
    const alice = await connect(ctx.a.agents[0]!.token);
    const bob = await connect(ctx.a.agents[1]!.token);
    await watch(alice, convA);
    const viewing = nextEvent(alice, 'viewing:update');
    await bob.emitWithAck('conversation:join', { conversationId: convA });
    expect(await viewing).toEqual({ conversationId: convA, agents: [{ agentId: ctx.a.agents[1]!.id, displayName: 'Agent 1' }] });
    const left = nextEvent(alice, 'viewing:update');
    bob.emit('conversation:leave', { conversationId: convA });
    expect((await left).agents).toEqual([]);
  });

  it('rate limits a flood of typing events', async () => {
    const alice = await connect(ctx.a.agents[0]!.token);
    const bob = await connect(ctx.a.agents[1]!.token);
    await watch(alice, convA);
    await bob.emitWithAck('conversation:join', { conversationId: convA });
    let relayed = 0;
    alice.on('typing:update', (p) => p.typing && relayed++);
    for (let i = 0; i < 100; i++) bob.emit('typing:start', { conversationId: convA });
    // Bob's events are handled in order, and a message to the organisation reaches Alice after
    // every typing event relayed before it (typing is volatile: the marker is not).
    await bob.emitWithAck('conversation:join', { conversationId: convA });
    await markers([alice, ctx.a]);
    expect(relayed).toBeGreaterThan(0);
    expect(relayed).toBeLessThanOrEqual(10);
  });
});
