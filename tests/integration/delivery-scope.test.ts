import { describe, expect, it } from 'vitest';
import type { AssignResponse } from '../../lib/contract/api';
import type { ServerToClientEvents } from '../../lib/contract/events';
import { agentScopeKey, organisationQueueKey, scopeKeys, teamQueueKey } from '../../lib/contract/scope';
import { RealtimeLink, type DeliveryScope } from '../../lib/background/links/realtime';
import { api, conversationWith as newConversation, nextEvent, type TestOrg, type TestSocket } from '../support/stack';
import { useClients, useTestStack } from '../support/fixture';
import { setUpTeam } from '../support/routing';
import { scopeRoom } from '../../server/sockets/scope';
import { until } from '../support/wait';

type Row = Record<string, unknown>;

/**
 * Issue 34 (docs/delivery-scope.md): an agent's client receives the conversations of its scope —
 * its own, its teams' queues, those it has open or shows, everything only while it asks — by
 * Socket.IO rooms and by Realtime filters alike, and a conversation moving between scopes tells
 * both sides once.
 */
describe('Delivery scope', () => {
  const ctx = useTestStack({ orgs: { a: 3, b: 1, c: 1 } });
  const clients = useClients(ctx);
  const agent = (i: number) => ctx.a.agents[i]!;

  const conversationWith = (org: TestOrg, body?: string, from?: string) => newConversation(ctx.stack, org, body, from);
  const assign = async (id: string, to: string | null, by = agent(0)) => {
    const res = await api<AssignResponse>(ctx.stack, by.token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: to });
    expect(res.status).toBe(200);
    return res.body.conversation;
  };
  const keysOf = async (id: string) =>
    (await ctx.stack.db.query<{ scope_key: string; left_scope_key: string | null }>('select scope_key, left_scope_key from conversations where id = $1', [id]))
      .rows[0]!;

  /** What one socket hears of conversations: ids of every message and change, in order. */
  const hearing = (s: TestSocket) => {
    const heard: string[] = [];
    const on = <E extends 'message:new' | 'conversation:updated' | 'message:status'>(event: E) =>
      s.on(event, ((p: Parameters<ServerToClientEvents[E]>[0]) => {
        heard.push(`${event} ${'message' in p ? p.message.conversationId : p.conversation.id}`);
      }) as never);
    on('message:new');
    on('conversation:updated');
    on('message:status');
    return heard;
  };

  it('keeps each conversation’s and message’s scope key as it is assigned, unassigned and its channel moves to a team', async () => {
    const { id } = await conversationWith(ctx.a);
    expect(await keysOf(id)).toEqual({ scope_key: organisationQueueKey(ctx.a.id), left_scope_key: null });
    const assigned = await assign(id, agent(1).id);
    expect(assigned).toMatchObject({ scopeKey: agentScopeKey(agent(1).id), leftScopeKey: organisationQueueKey(ctx.a.id) });
    expect(await keysOf(id)).toEqual({ scope_key: agentScopeKey(agent(1).id), left_scope_key: organisationQueueKey(ctx.a.id) });
    // The next change that moves nothing clears `left_scope_key`: the move is told once.
    await ctx.stack.inbound({
      from: (
        await ctx.stack.db.query<{ phone_e164: string }>('select ct.phone_e164 from conversations c join contacts ct on ct.id = c.contact_id where c.id = $1', [
          id,
        ])
      ).rows[0]!.phone_e164,
      to: ctx.a.number,
      body: 'again',
    });
    await until(async () => (await keysOf(id)).left_scope_key === null, { what: 'the next message’s update clears left_scope_key' });
    const { rows: messages } = await ctx.stack.db.query<{ direction: string; body: string; scope_key: string }>(
      'select direction, body, scope_key from messages where conversation_id = $1 order by created_at',
      [id],
    );
    expect(messages).toEqual([
      { direction: 'inbound', body: 'hello', scope_key: organisationQueueKey(ctx.a.id) },
      // The assignment's activity line, written after the move: the new scope's.
      { direction: 'activity', body: '', scope_key: agentScopeKey(agent(1).id) },
      { direction: 'inbound', body: 'again', scope_key: agentScopeKey(agent(1).id) },
    ]);

    // Another organisation's channel given to a team: its unassigned conversations move to the team's queue.
    const waiting = await conversationWith(ctx.b);
    const team = await setUpTeam(ctx.stack, ctx.b.agents[0]!.token, ctx.b, { assignment: 'off', defaultCapacity: 5 });
    expect(await keysOf(waiting.id)).toEqual({ scope_key: teamQueueKey(team), left_scope_key: organisationQueueKey(ctx.b.id) });
    expect((await api(ctx.stack, ctx.b.agents[0]!.token, `/api/admin/channels/${ctx.b.channelId}/team`, 'PUT', { teamId: null })).status).toBe(200);
    expect(await keysOf(waiting.id)).toEqual({ scope_key: organisationQueueKey(ctx.b.id), left_scope_key: teamQueueKey(team) });
  });

  it('Socket.IO: a colleague’s conversation reaches its assignee, the sockets showing it or the whole inbox, and no one else', async () => {
    const { id, from } = await conversationWith(ctx.a);
    await assign(id, agent(1).id);
    const [owner, colleague, watcher, whole] = await Promise.all([1, 2, 2, 2].map((i) => clients.connect(agent(i).token)));
    const heard = { owner: hearing(owner!), colleague: hearing(colleague!), watcher: hearing(watcher!), whole: hearing(whole!) };
    await watcher!.emitWithAck('conversations:watch', { conversationIds: [id] });
    whole!.emit('inbox:whole', { whole: true });
    // The colleague's own conversation afterwards: events arrive in order, so a leak would come first.
    const marker = await conversationWith(ctx.a);
    const markerHeard = nextEvent(colleague!, 'conversation:updated');
    await assign(marker.id, agent(2).id);
    await markerHeard;
    heard.colleague.length = 0;

    const ownerGot = nextEvent(owner!, 'message:new');
    await ctx.stack.inbound({ from, to: ctx.a.number, body: 'for the owner' });
    expect((await ownerGot).message.body).toBe('for the owner');
    await until(() => heard.watcher.includes(`message:new ${id}`) && heard.whole.includes(`message:new ${id}`), {
      what: 'the watcher and the whole inbox hear it',
    });
    const next = nextEvent(colleague!, 'message:new');
    await ctx.stack.inbound({ from: marker.from, to: ctx.a.number, body: 'for the colleague' });
    expect((await next).message.conversationId).toBe(marker.id);
    expect(heard.colleague).toEqual([`message:new ${marker.id}`]);

    // The whole inbox closed: back to the scope only.
    whole!.emit('inbox:whole', { whole: false });
    const after = await conversationWith(ctx.a); // unassigned: in everyone's scope, a marker for order
    await until(() => heard.whole.includes(`message:new ${after.id}`), { what: 'the marker reaches the closed whole inbox' });
    const count = heard.whole.length;
    await ctx.stack.inbound({ from, to: ctx.a.number, body: 'not for the whole inbox any more' });
    const last = await conversationWith(ctx.a);
    await until(() => heard.whole.includes(`message:new ${last.id}`), { what: 'the last marker' });
    expect(heard.whole.slice(count)).toEqual([`message:new ${last.id}`]);
  });

  it('one copy per message: a socket whose client has the rows over Realtime hears the ids only, gathered, until it says it has not', async () => {
    const { id, from } = await conversationWith(ctx.a);
    await assign(id, agent(1).id);
    // The assignee's two devices, and a colleague's, all three with Realtime but the second.
    const [byRealtime, bySocket, colleague] = await Promise.all([1, 1, 2].map((i) => clients.connect(agent(i).token)));
    const ids: string[] = [];
    byRealtime!.on('messages:stored', (p) => ids.push(...p.messages.map((m) => `${m.conversationId} ${m.id}`)));
    const rows = { realtime: hearing(byRealtime!), socket: hearing(bySocket!), colleague: hearing(colleague!) };
    const colleagueIds: string[] = [];
    colleague!.on('messages:stored', (p) => colleagueIds.push(...p.messages.map((m) => m.id)));
    // Junk first: ignored, so the rows still come.
    byRealtime!.emit('inbox:rows', { realtime: 'yes' } as never);
    await byRealtime!.emitWithAck('heartbeat'); // its events are handled in order
    const stillRows = nextEvent(byRealtime!, 'message:new');
    await ctx.stack.inbound({ from, to: ctx.a.number, body: 'junk changed nothing' });
    expect((await stillRows).message.body).toBe('junk changed nothing');
    rows.realtime.length = rows.socket.length = 0;
    for (const s of [byRealtime!, colleague!]) {
      s.emit('inbox:rows', { realtime: true });
      await s.emitWithAck('heartbeat');
    }

    // Two messages in the same second: one event with both ids.
    const events: number[] = [];
    byRealtime!.on('messages:stored', (p) => events.push(p.messages.length));
    const full: string[] = [];
    bySocket!.on('message:new', (p) => full.push(`${p.message.conversationId} ${p.message.id}`));
    await Promise.all(['an id for one, the rows for the other', 'and another'].map((body) => ctx.stack.inbound({ from, to: ctx.a.number, body })));
    await until(() => full.length === 2 && ids.length === 2, { what: 'the rows and the ids reach their sockets' });
    expect(ids.sort()).toEqual(full.sort());
    expect(events).toEqual([2]);
    expect(rows.socket).toEqual([`message:new ${id}`, `message:new ${id}`]);
    expect(rows.realtime).toEqual([]);
    // A colleague's conversation is not in the colleague's scope: no ids, no rows. Shown on its
    // screen (outside its Realtime channel, which has its scope), it comes with its rows.
    expect([colleagueIds, rows.colleague]).toEqual([[], []]);
    await colleague!.emitWithAck('conversations:watch', { conversationIds: [id] });
    const shown = nextEvent(colleague!, 'message:new');
    await ctx.stack.inbound({ from, to: ctx.a.number, body: 'shown to a colleague' });
    expect((await shown).message.body).toBe('shown to a colleague');
    await until(() => ids.length === 3, { what: "the assignee's id" });
    await new Promise((r) => setTimeout(r, 1200)); // an id to the colleague would have come within the second
    expect(colleagueIds).toEqual([]);

    // A new customer's first message comes with its rows to both: Realtime's row has no contact.
    const newcomer = nextEvent(byRealtime!, 'message:new');
    const started = await conversationWith(ctx.a, 'a new customer');
    expect((await newcomer).message.conversationId).toBe(started.id);
    expect((await newcomer).conversation.contact.phone).toBe(started.from);
    rows.realtime.length = 0;

    // Its Realtime went down: the rows again, and no id.
    byRealtime!.emit('inbox:rows', { realtime: false });
    await byRealtime!.emitWithAck('heartbeat');
    const again = nextEvent(byRealtime!, 'message:new');
    await ctx.stack.inbound({ from, to: ctx.a.number, body: 'the rows again' });
    expect((await again).message.body).toBe('the rows again');
    await new Promise((r) => setTimeout(r, 1200)); // an id would have come within the second
    expect(ids).toHaveLength(3);
    expect(rows.realtime).toEqual([`message:new ${id}`]);
  });

  it('an assignment moves a conversation: both hear the move, then only the new assignee hears it', async () => {
    const { id, from } = await conversationWith(ctx.a);
    await assign(id, agent(1).id);
    const [before, after] = await Promise.all([1, 2].map((i) => clients.connect(agent(i).token)));
    const heard = { before: hearing(before!), after: hearing(after!) };
    const moves = [nextEvent(before!, 'conversation:updated'), nextEvent(after!, 'conversation:updated')];
    await assign(id, agent(2).id, agent(1));
    for (const move of await Promise.all(moves)) expect(move.conversation).toMatchObject({ id, assigneeId: agent(2).id });
    const got = nextEvent(after!, 'message:new');
    await ctx.stack.inbound({ from, to: ctx.a.number, body: 'now for the new assignee' });
    expect((await got).message.body).toBe('now for the new assignee');
    // The old assignee's next event is a marker of its own, not the conversation it gave away.
    const marker = await conversationWith(ctx.a);
    await until(() => heard.before.includes(`message:new ${marker.id}`), { what: 'the old assignee hears its marker' });
    expect(heard.before.filter((e) => e.endsWith(id))).toEqual([`conversation:updated ${id}`]);
  });

  it('a socket moves to its new team’s queue when an admin puts its agent in a team', async () => {
    const admin = ctx.c.agents[0]!;
    const team = (await api<{ id: string }>(ctx.stack, admin.token, '/api/admin/teams', 'POST', { name: 'Sales', assignment: 'off', defaultCapacity: 5 })).body
      .id;
    expect((await api(ctx.stack, admin.token, `/api/admin/channels/${ctx.c.channelId}/team`, 'PUT', { teamId: team })).status).toBe(200);
    const socket = await clients.connect(admin.token);
    // Not in the team, but in no team at all: every team's queue is the agent's (the list narrows nothing either).
    const first = nextEvent(socket, 'message:new');
    await conversationWith(ctx.c, 'while in no team');
    expect((await first).message.body).toBe('while in no team');
    // In another team only: Sales's queue is no longer this agent's.
    const salesQueue = scopeRoom(teamQueueKey(team));
    const inSalesQueue = async () => (await ctx.stack.app.io.in(salesQueue).fetchSockets()).length;
    const other = (await api<{ id: string }>(ctx.stack, admin.token, '/api/admin/teams', 'POST', { name: 'Billing', assignment: 'off', defaultCapacity: 5 }))
      .body.id;
    expect((await api(ctx.stack, admin.token, `/api/admin/teams/${other}/members/${admin.id}`, 'PUT', {})).status).toBe(200);
    await until(async () => (await inSalesQueue()) === 0, { what: 'the socket leaves Sales’s queue' });
    const heard = hearing(socket);
    await conversationWith(ctx.c, 'Sales queue');
    const marker = await conversationWith(ctx.c, 'marker');
    const markerHeard = nextEvent(socket, 'conversation:updated');
    await assign(marker.id, admin.id, admin);
    await markerHeard;
    expect(heard).toEqual([`conversation:updated ${marker.id}`]);
    // Back in Sales: its queue again.
    expect((await api(ctx.stack, admin.token, `/api/admin/teams/${team}/members/${admin.id}`, 'PUT', {})).status).toBe(200);
    await until(async () => (await inSalesQueue()) === 1, { what: 'the socket back in Sales’s queue' });
    const again = nextEvent(socket, 'message:new');
    await conversationWith(ctx.c, 'Sales queue again');
    expect((await again).message.body).toBe('Sales queue again');
  });

  it('Realtime with the extension’s own filters: the scope, the move out told once, and the whole organisation while asked', async () => {
    const { id, from } = await conversationWith(ctx.a);
    await assign(id, agent(1).id);
    const supabase = await clients.realtime.client(agent(2).token);
    const rows: string[] = [];
    let subscriptions = 0;
    const link = new RealtimeLink({
      supabase,
      onMessageRow: (r: Row) => rows.push(`message ${String(r.conversation_id)} ${String(r.body)}`),
      onConversationRow: (r: Row) => rows.push(`conversation ${String(r.id)} ${String(r.assignee_id)}`),
      onReadStateRow: () => {},
      onState: () => {},
      onSubscribed: () => void subscriptions++,
    });
    const scope = (s: Partial<DeliveryScope> = {}): DeliveryScope => ({ keys: scopeKeys(agent(2).id, ctx.a.id, []), whole: false, extra: [], ...s });
    link.subscribe({ id: agent(2).id, organisationId: ctx.a.id, displayName: 'Agent 2', role: 'agent' } as never, scope());
    try {
      await until(() => subscriptions === 1, { what: 'subscribed' });
      // A colleague's conversation: nothing.
      await ctx.stack.inbound({ from, to: ctx.a.number, body: 'colleague’s' });
      // Assigned to this agent: the move arrives, then its messages.
      await assign(id, agent(2).id, agent(1));
      await ctx.stack.inbound({ from, to: ctx.a.number, body: 'mine now' });
      await until(() => rows.includes(`message ${id} mine now`), { what: 'its message in the new scope' });
      // Given back to the colleague: the move out is told once, then nothing more.
      await assign(id, agent(1).id, agent(1));
      await until(() => rows.includes(`conversation ${id} ${agent(1).id}`), { what: 'the move out' });
      await ctx.stack.inbound({ from, to: ctx.a.number, body: 'the colleague’s again' });
      // A marker in the scope (unassigned): rows arrive in commit order, so a leak would come first.
      const marker = await conversationWith(ctx.a, 'queued');
      await until(() => rows.includes(`message ${marker.id} queued`), { what: 'the marker' });
      expect(rows.filter((r) => r.includes(id))).toEqual([
        `conversation ${id} ${agent(2).id}`,
        `message ${id} `, // the assignment's activity line
        `message ${id} mine now`,
        `conversation ${id} ${agent(2).id}`,
        `conversation ${id} ${agent(1).id}`,
      ]);
      // Shown on a CRM page (an extra conversation), then the whole organisation.
      link.setScope(scope({ extra: [id] }));
      await until(() => subscriptions === 2, { what: 'the scope with the extra conversation subscribed' });
      await ctx.stack.inbound({ from, to: ctx.a.number, body: 'shown' });
      await until(() => rows.includes(`message ${id} shown`), { what: 'the shown conversation’s message' });
      link.setScope(scope({ whole: true }));
      await until(() => subscriptions === 3, { what: 'the whole organisation subscribed' });
      const other = await conversationWith(ctx.a, 'anyone’s');
      await assign(other.id, agent(0).id);
      await ctx.stack.inbound({ from: other.from, to: ctx.a.number, body: 'the whole organisation' });
      await until(() => rows.includes(`message ${other.id} the whole organisation`), { what: 'the whole organisation’s message' });
      expect(rows.filter((r) => r.includes(id) && r.startsWith('message'))).toEqual([`message ${id} `, `message ${id} mine now`, `message ${id} shown`]);
    } finally {
      link.stop();
    }
  });
});
