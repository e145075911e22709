import { describe, expect, it } from 'vitest';
import type { AssignResponse } from '../../lib/contract/api';
import type { ServerToClientEvents } from '../../lib/contract/events';
import { agentScopeKey, organisationQueueKey, teamQueueKey } from '../../lib/contract/scope';
import { scopeRoom, wholeRoom } from '../../server/sockets/scope';
import { ROWS_BY_REALTIME, ROWS_BY_SOCKET } from '../../server/sockets/rooms';
import { PublicationCatalog } from '../../server/dev/local-supabase/realtime/catalog';
import { filterSql, parseFilter, passesPrefilter, prefilterOf } from '../../server/dev/local-supabase/realtime/filters';
import { subscribed } from '../support/realtime';
import { api, conversationWith as newConversation, customer, type TestOrg, type TestSocket } from '../support/stack';
import { useClients, useTestStack } from '../support/fixture';
import { until } from '../support/wait';

type Row = Record<string, unknown>;

/**
 * Issue 34's delivery scope as an attacker meets it (docs/delivery-scope.md): Realtime filters
 * naming another organisation's keys and conversations, junk and floods of `inbox:whole`, sockets
 * that must leave a queue when their agent's teams change or a team goes, and a conversation
 * created while its channel changes team, and the local Realtime's prefilter held to its SQL check.
 * Sockets of several instances: tests/integration/cluster.test.ts.
 */
describe('Delivery scope: no other organisation’s rows, no stale rooms, no stale keys', () => {
  // No periodic re-check of agents here: a moved agent's socket stays connected (what the rescope must handle).
  const ctx = useTestStack({ env: { AGENT_RECHECK_MS: '3600000' }, orgs: { a: 2, b: 1, c: 2, d: 2, e: 2 } });
  const clients = useClients(ctx);
  const io = () => ctx.stack.app.io;
  const admin = (org: TestOrg) => org.agents[0]!;

  const conversationWith = (org: TestOrg, body?: string, from?: string) => newConversation(ctx.stack, org, body, from);
  const assign = async (org: TestOrg, id: string, to: string | null) => {
    const res = await api<AssignResponse>(ctx.stack, admin(org).token, `/api/conversations/${id}/assign`, 'POST', { assigneeId: to });
    expect(res.status).toBe(200);
  };
  const adminCall = async (org: TestOrg, path: string, method: string, body: unknown = {}) => {
    const res = await api<{ id?: string }>(ctx.stack, admin(org).token, path, method, body);
    expect([path, res.status]).toEqual([path, method === 'POST' ? 201 : 200]);
    return res.body;
  };
  /**
   * An operator moves an agent by SQL (docs: routing_agent_moved) while the server keeps writing the
   * connected agent's presence: both take the agent's row first (…_presence_lock_order.sql), so
   * neither ends as a deadlock (tests/integration/routing.agent-moved.test.ts).
   */
  const operatorMoves = (agentId: string, organisationId: string) =>
    ctx.stack.db.query('update agents set organisation_id = $2 where id = $1', [agentId, organisationId]);
  const newTeam = async (org: TestOrg, name: string) => (await adminCall(org, '/api/admin/teams', 'POST', { name, assignment: 'off', defaultCapacity: 5 })).id!;
  const keyOf = async (id: string) =>
    (await ctx.stack.db.query<{ scope_key: string }>('select scope_key from conversations where id = $1', [id])).rows[0]!.scope_key;
  /** Whether one of this agent's sockets (on any instance) is in the room. */
  const inRoom = async (room: string, agentId: string) => (await io().in(room).fetchSockets()).some((s) => s.data.agentId === agentId);
  /** Ids of the conversations whose messages and changes a socket hears, in order. */
  const hearing = (s: TestSocket) => {
    const heard: string[] = [];
    s.on('message:new', (p: Parameters<ServerToClientEvents['message:new']>[0]) => heard.push(p.conversation.id));
    s.on('conversation:updated', (p: Parameters<ServerToClientEvents['conversation:updated']>[0]) => heard.push(p.conversation.id));
    return heard;
  };
  /** A conversation given to the agent: its events come after any leak sent before it (one socket's events keep their order). */
  const markerFor = async (org: TestOrg, agentId: string, heard: string[]) => {
    const marker = await conversationWith(org, 'marker');
    await assign(org, marker.id, agentId);
    await until(() => heard.includes(marker.id), { what: 'the marker reaches the agent' });
    return marker.id;
  };

  it('Realtime: an agent of another organisation naming A’s scope keys and conversation ids, in any spelling, hears nothing of A', async () => {
    const [a0, a1] = ctx.a.agents;
    const convA = await conversationWith(ctx.a, 'A’s customer');
    const b = await clients.realtime.client(ctx.b.agents[0]!.token);
    const heard: Row[] = [];
    const keys = `(${[agentScopeKey(a0!.id), agentScopeKey(a1!.id), organisationQueueKey(ctx.a.id)].join(',')})`;
    const upper = convA.id.toUpperCase();
    const braced = `{${convA.id}}`;
    let ch = b.channel('stolen-scope');
    for (const [table, filter] of [
      ['messages', `scope_key=in.${keys}`],
      ['conversations', `scope_key=in.${keys}`],
      ['conversations', `left_scope_key=in.${keys}`],
      ['messages', `conversation_id=in.(${convA.id},${upper})`],
      ['conversations', `id=in.(${braced})`],
      ['messages', `organisation_id=eq.${ctx.b.id}`], // its own: the marker
    ] as const)
      ch = ch.on('postgres_changes', { event: '*', schema: 'public', table, filter }, (p) => heard.push(p.new as Row));
    await subscribed(ch, true);

    // Everything A's keys see: a message, an assignment (the move out of the queue), another message, a new conversation.
    await assign(ctx.a, convA.id, a1!.id);
    await ctx.stack.inbound({ from: convA.from, to: ctx.a.number, body: 'again' });
    await conversationWith(ctx.a, 'another of A’s');
    // B's own message after them: Realtime sends in commit order, so a leak would come first.
    const marker = await conversationWith(ctx.b, 'B’s marker');
    await until(() => heard.some((r) => r.conversation_id === marker.id), { what: 'B’s own marker' });
    expect(heard.filter((r) => r.organisation_id !== ctx.b.id)).toEqual([]);
  });

  it('Realtime: A’s own agent naming its conversation in other spellings of the uuid misses none of its rows', async () => {
    const conv = await conversationWith(ctx.a);
    const a = await clients.realtime.client(ctx.a.agents[1]!.token);
    const heard: string[] = [];
    const noHyphens = conv.id.replace(/-/g, '');
    const ch = a
      .channel('spellings')
      .on('postgres_changes', { event: '*', schema: 'public', table: 'messages', filter: `conversation_id=in.(${conv.id.toUpperCase()})` }, (p) =>
        heard.push(`message ${String((p.new as Row).body)}`),
      )
      .on('postgres_changes', { event: '*', schema: 'public', table: 'conversations', filter: `id=eq.{${noHyphens}}` }, (p) =>
        heard.push(`conversation ${String((p.new as Row).id)}`),
      );
    await subscribed(ch, true);
    await ctx.stack.inbound({ from: conv.from, to: ctx.a.number, body: 'spelt otherwise' });
    await until(() => heard.includes('message spelt otherwise') && heard.includes(`conversation ${conv.id}`), { what: 'its message and its conversation' });
  });

  it('the local Realtime’s prefilter lets through every row its SQL check passes: uuid spellings, odd text, nulls', async () => {
    const catalog = new PublicationCatalog(ctx.stack.db, 'supabase_realtime');
    await catalog.refresh();
    const { types, plainText } = catalog.get('public', 'conversations')!;
    expect([types.get('id'), plainText.has('scope_key'), plainText.has('left_scope_key')]).toEqual(['uuid', true, true]); // both are prefiltered
    const id = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const spellings = [id, id.toUpperCase(), `{${id}}`, id.replace(/-/g, ''), `${id.replace(/-/g, '').replace(/(.{4})(?!$)/g, '$1-')}`, ` ${id} `];
    const texts = ['agent:x', 'Agent:x', 'queue:org:x ', 'a,b', 'a"b', 'caf\u00e9', 'cafe\u0301', '', 'null', '(x)'];
    const quoted = (v: string) => `"${v.replace(/(["\\])/g, '\\$1')}"`;
    const filters = [
      ...spellings.map((v) => `id=eq.${v}`),
      `id=in.(${spellings.join(',')})`,
      ...texts.map((v) => `scope_key=eq.${v}`),
      `scope_key=in.(${texts.map(quoted).join(',')})`,
      `left_scope_key=in.(${texts.map(quoted).join(',')})`,
    ];
    const records: Array<Record<string, string | null>> = [
      { id, scope_key: null, left_scope_key: null },
      { id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4e', scope_key: 'agent:x' },
      ...texts.map((t) => ({ id, scope_key: t, left_scope_key: t })),
    ];
    const missed: string[] = [];
    let passed = 0;
    for (const filter of filters) {
      let conditions: ReturnType<typeof parseFilter>;
      try {
        conditions = parseFilter(filter);
      } catch {
        continue; // refused as it is subscribed (`eq.a,b` is two conditions, the second malformed)
      }
      const sql = filterSql(conditions, types)!;
      const prefilter = prefilterOf(conditions, types, plainText);
      for (const record of records) {
        // A value that does not cast refuses the subscription itself: nothing to compare.
        const ok = await ctx.stack.db.query<{ ok: boolean }>(`select ${sql} as ok from (select $1::jsonb) as typed`, [JSON.stringify(record)]).then(
          (r) => r.rows[0]!.ok,
          () => null,
        );
        if (ok) passed++;
        if (ok && !passesPrefilter(prefilter, record)) missed.push(`${filter} ${JSON.stringify(record)}`);
      }
    }
    expect(missed).toEqual([]);
    // Every spelling of the id, and each text in its own filters and in both lists: a comparison, not a vacuous pass.
    expect(passed).toBeGreaterThanOrEqual(spellings.length - 1 + texts.length);
  });

  it('inbox:whole: junk is ignored, another organisation’s whole stream cannot be named, and a flood ends as the last request asked', async () => {
    const socket = await clients.connect(ctx.a.agents[1]!.token);
    const agentId = ctx.a.agents[1]!.id;
    for (const junk of [null, 'true', 1, {}, { whole: 'yes' }, { whole: 1 }, { whole: 'x'.repeat(10_000) }]) socket.emit('inbox:whole', junk as never);
    const answered = () => socket.emitWithAck('heartbeat');
    await answered(); // events are handled in order: the junk was handled before this answer
    expect(await inRoom(wholeRoom(ctx.a.id), agentId)).toBe(false);
    // Naming another organisation: the agent's own organisation's whole stream, never the one named.
    socket.emit('inbox:whole', { whole: true, organisationId: ctx.b.id } as never);
    await answered();
    expect(await inRoom(wholeRoom(ctx.a.id), agentId)).toBe(true);
    expect((await io().in(wholeRoom(ctx.b.id)).fetchSockets()).length).toBe(0);

    // 10,000 requests as fast as the client can send them: the socket ends as the last one asked.
    for (let i = 0; i < 10_000; i++) socket.emit('inbox:whole', { whole: i % 2 === 0 });
    await answered();
    expect(socket.connected).toBe(true);
    expect(await inRoom(wholeRoom(ctx.a.id), agentId)).toBe(false);
    socket.emit('inbox:whole', { whole: true });
    await answered();
    expect(await inRoom(wholeRoom(ctx.a.id), agentId)).toBe(true);
  });

  it('inbox:rows: junk is ignored, a flood ends as the last request asked, never in both rooms or neither', async () => {
    const socket = await clients.connect(ctx.a.agents[1]!.token);
    const answered = () => socket.emitWithAck('heartbeat');
    const has = async (room: string) => (await io().in(room).fetchSockets()).some((s) => s.id === socket.id);
    /** Which of the two rooms this socket is in: exactly one, always. */
    const rowsPath = async () => {
      const [bySocket, byRealtime] = [await has(ROWS_BY_SOCKET), await has(ROWS_BY_REALTIME)];
      expect(bySocket).not.toBe(byRealtime);
      return byRealtime ? 'realtime' : 'socket';
    };
    await answered();
    expect(await rowsPath()).toBe('socket'); // from the handshake: rows come by Socket.IO until the client says otherwise
    for (const junk of [null, 'true', 1, {}, { realtime: 'yes' }, { realtime: 1 }, { realtime: 'x'.repeat(10_000) }, [true]])
      socket.emit('inbox:rows', junk as never);
    await answered(); // events are handled in order: the junk was handled before this answer
    expect(await rowsPath()).toBe('socket');

    // 10,000 requests as fast as the client can send them: the socket ends as the last one asked.
    for (let i = 0; i < 10_000; i++) socket.emit('inbox:rows', { realtime: i % 2 === 1 });
    await answered();
    expect(socket.connected).toBe(true);
    expect(await rowsPath()).toBe('realtime');
    for (let i = 0; i < 10_000; i++) socket.emit('inbox:rows', { realtime: i % 2 === 0 });
    await answered();
    expect(await rowsPath()).toBe('socket');
  });

  it('an agent put in a team leaves the organisation’s queue: channels no team answers no longer reach it', async () => {
    const member = ctx.c.agents[1]!;
    const socket = await clients.connect(member.token);
    const orgQueue = scopeRoom(organisationQueueKey(ctx.c.id));
    expect(await inRoom(orgQueue, member.id)).toBe(true);
    // A team that answers no channel yet, with the agent in it: C's channel is answered by no team.
    const team = await newTeam(ctx.c, 'Night shift');
    await adminCall(ctx.c, `/api/admin/teams/${team}/members/${member.id}`, 'PUT');
    await until(async () => await inRoom(scopeRoom(teamQueueKey(team)), member.id), { what: 'the socket in its team’s queue' });
    await until(async () => !(await inRoom(orgQueue, member.id)), { what: 'the socket out of the organisation’s queue' });

    const heard = hearing(socket);
    const unanswered = await conversationWith(ctx.c, 'for a channel no team answers');
    expect(await keyOf(unanswered.id)).toBe(organisationQueueKey(ctx.c.id));
    const marker = await markerFor(ctx.c, member.id, heard);
    expect(heard.filter((id) => id !== marker)).toEqual([]);
  });

  it('a deleted team’s queue keeps none of its sockets; the member stays in its other team’s', async () => {
    const member = ctx.d.agents[1]!;
    const [kept, deleted] = [await newTeam(ctx.d, 'Kept'), await newTeam(ctx.d, 'Deleted')];
    for (const team of [kept, deleted]) await adminCall(ctx.d, `/api/admin/teams/${team}/members/${member.id}`, 'PUT');
    await clients.connect(member.token);
    expect(await inRoom(scopeRoom(teamQueueKey(deleted)), member.id)).toBe(true);
    await adminCall(ctx.d, `/api/admin/teams/${deleted}`, 'DELETE');
    await until(
      async () =>
        (
          await io()
            .in(scopeRoom(teamQueueKey(deleted)))
            .fetchSockets()
        ).length === 0,
      { what: 'the deleted team’s queue empty' },
    );
    expect(await inRoom(scopeRoom(teamQueueKey(kept)), member.id)).toBe(true);
  });

  it('an agent moved to another organisation keeps none of the old one’s scope when its teams change next', async () => {
    const moved = ctx.e.agents[1]!;
    const socket = await clients.connect(moved.token);
    socket.emit('inbox:whole', { whole: true });
    await socket.emitWithAck('heartbeat');
    expect(await inRoom(wholeRoom(ctx.e.id), moved.id)).toBe(true);
    // An operator's fix (docs: routing_agent_moved): the socket is cut at the next re-check; until then…
    await operatorMoves(moved.id, ctx.b.id);
    await newTeam(ctx.e, 'After the move');
    // This very socket, on the server: out of every scope room and of the old organisation's whole
    // stream (waited for together: an empty list of the agent's sockets would pass vacuously).
    const rooms = () => io().of('/').sockets.get(socket.id!)?.rooms;
    await until(() => Boolean(rooms()) && ![...rooms()!].some((r) => r.startsWith('scope:') || r === wholeRoom(ctx.e.id)), {
      what: 'the moved agent’s socket out of every scope room and the whole stream',
    });
    expect(socket.connected).toBe(true);
    await operatorMoves(moved.id, ctx.e.id);
  });

  it('a conversation created or unassigned while its channel changes team takes the new team’s queue, whichever commits first', async () => {
    const team = await newTeam(ctx.e, 'Takes the channel');
    const { rows: contacts } = await ctx.stack.db.query<{ id: string }>('insert into contacts (organisation_id, phone_e164) values ($1, $2) returning id', [
      ctx.e.id,
      customer(),
    ]);
    const assigned = await conversationWith(ctx.e, 'to be unassigned');
    await assign(ctx.e, assigned.id, ctx.e.agents[1]!.id);

    /** Runs `write` in an open transaction, moves the channel meanwhile (over the API), then commits; the conversation's id. */
    const racing = async (write: string, params: unknown[], teamId: string | null) => {
      const tx = await ctx.stack.db.connect();
      try {
        await tx.query('begin');
        const id = (await tx.query<{ id: string }>(write, params)).rows[0]!.id;
        let settled = false;
        const move = api(ctx.stack, admin(ctx.e).token, `/api/admin/channels/${ctx.e.channelId}/team`, 'PUT', { teamId }).finally(() => (settled = true));
        // The move either finished or waits for this transaction's row.
        await until(
          async () =>
            settled ||
            (await ctx.stack.db.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock'")).rows[0]!.n > 0,
          { what: 'the channel move done or waiting' },
        );
        await tx.query('commit');
        expect((await move).status).toBe(200);
        return id;
      } finally {
        await tx.query('rollback').catch(() => {});
        tx.release();
      }
    };

    const created = await racing(
      'insert into conversations (organisation_id, channel_id, contact_id) values ($1, $2, $3) returning id',
      [ctx.e.id, ctx.e.channelId, contacts[0]!.id],
      team,
    );
    expect(await keyOf(created)).toBe(teamQueueKey(team));
    const unassigned = await racing('update conversations set assignee_id = null where id = $1 returning id', [assigned.id], null);
    expect(await keyOf(unassigned)).toBe(organisationQueueKey(ctx.e.id));
  });

  it('the scope’s functions are not callable with a client’s token or the anon key', async () => {
    const calls = [
      `select public.conversation_scope_key(null, '${ctx.a.channelId}', '${ctx.a.id}')`,
      `select * from public.conversation_counts_of('${ctx.a.id}')`,
    ];
    for (const role of ['anon', 'authenticated']) {
      for (const sql of calls) {
        const c = await ctx.stack.db.connect();
        try {
          await c.query('begin');
          await c.query(`select set_config('request.jwt.claims', $1, true), set_config('role', $2, true)`, [
            JSON.stringify({ sub: ctx.b.agents[0]!.id, role }),
            role,
          ]);
          const code = await c.query(sql).then(
            () => 'allowed',
            (err: { code?: string }) => err.code,
          );
          expect([role, sql, code]).toEqual([role, sql, '42501']);
        } finally {
          await c.query('rollback').catch(() => {});
          c.release();
        }
      }
    }
  });
});
