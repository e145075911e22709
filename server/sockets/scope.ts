import type pg from 'pg';
import { scopeKeys } from '../../lib/contract/scope';
import { inboxRowsRequest, wholeInboxRequest } from '../../lib/contract/schemas';
import { conversationRoom, watchRoom } from './collaboration';
import { orgRoom, ROWS_BY_REALTIME, ROWS_BY_SOCKET, type SwitchboardIo } from './rooms';

/**
 * Delivery scope on Socket.IO (docs/delivery-scope.md): a socket joins one room per key of its
 * agent's scope (lib/contract/scope.ts), and the organisation's whole stream only while it asks for
 * it (`inbox:whole`: the side panel's All view). The rooms are decided here, from the database,
 * never from what a client says it belongs to.
 */
const SCOPE_PREFIX = 'scope:';
export const scopeRoom = (key: string) => `${SCOPE_PREFIX}${key}`;
export const wholeRoom = (organisationId: string) => `whole:${organisationId}`;
/**
 * Rooms whose conversations a client's Realtime channel has too (its scope's keys, or the whole
 * organisation): there an id is enough (docs/delivery-scope.md, "One copy per message"). A
 * conversation a socket only shows (`conversation:`, `watch:`) may be outside its channel.
 */
export const realtimeCovers = (room: string) => room.startsWith(SCOPE_PREFIX) || room.startsWith('whole:');

type TeamRow = { id: string; members: string[] };

async function teamsOf(db: pg.Pool, organisationId: string): Promise<TeamRow[]> {
  const { rows } = await db.query<TeamRow>(
    `select t.id, coalesce(array_agg(m.agent_id::text) filter (where m.agent_id is not null), '{}') as members
       from teams t left join team_members m on m.team_id = t.id
      where t.organisation_id = $1 group by t.id`,
    [organisationId],
  );
  return rows;
}

const keysFor = (agentId: string, organisationId: string, teams: TeamRow[]) =>
  scopeKeys(
    agentId,
    organisationId,
    teams.map((t) => ({ id: t.id, member: t.members.includes(agentId) })),
  );

/** The rooms of an agent's scope, read now (at every handshake: the organisation's teams, and which are the agent's). */
export async function scopeRoomsOf(db: pg.Pool, agentId: string, organisationId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string; member: boolean }>(
    `select t.id, exists (select 1 from team_members m where m.team_id = t.id and m.agent_id = $2) as member
       from teams t where t.organisation_id = $1`,
    [organisationId, agentId],
  );
  return scopeKeys(agentId, organisationId, rows).map(scopeRoom);
}

/**
 * Where a change of one conversation goes: its scope now, the scope it just left, whoever has it
 * open or shown, and the sockets watching the whole organisation. A row without a key (none
 * should be) goes to the whole organisation rather than nowhere.
 */
export function roomsOfConversation(organisationId: string, conversationId: string, keys: Array<string | null | undefined>): string[] {
  const scoped = keys.filter((k): k is string => typeof k === 'string');
  if (scoped.length === 0) return [orgRoom(organisationId)];
  return [wholeRoom(organisationId), conversationRoom(conversationId), watchRoom(conversationId), ...new Set(scoped.map(scopeRoom))];
}

/**
 * Moves this instance's sockets of one organisation to their scopes, from one read of its teams and
 * agents made now. Each socket leaves every scope room that is no longer its own, whatever made it
 * so (a team left or deleted; the organisation's queue once its agent is in a team), found in the
 * socket's own rooms; one whose agent is no longer of the organisation (moved: cut at the next
 * re-check) keeps none of its scope, nor the whole organisation.
 */
async function rescopeHere(io: SwitchboardIo, db: pg.Pool, organisationId: string): Promise<void> {
  const here = () => [...io.of('/').sockets.values()].filter((s) => s.data.organisationId === organisationId);
  if (here().length === 0) return;
  const [teams, { rows: agents }] = await Promise.all([
    teamsOf(db, organisationId),
    db.query<{ id: string }>('select id from agents where organisation_id = $1', [organisationId]),
  ]);
  const current = new Set(agents.map((a) => a.id));
  for (const socket of here()) {
    const { agentId } = socket.data;
    const rooms = current.has(agentId) ? keysFor(agentId, organisationId, teams).map(scopeRoom) : [];
    const stale = [...socket.rooms].filter(
      (r) => (r.startsWith(SCOPE_PREFIX) && !rooms.includes(r)) || (!current.has(agentId) && r === wholeRoom(organisationId)),
    );
    for (const room of stale) void socket.leave(room);
    if (rooms.length) void socket.join(rooms);
  }
}

/**
 * Teams or their members changed: every socket of the organisation moves to its scope's rooms. Each
 * instance moves its own sockets (told through the adapter, `scope:changed`) from its own read,
 * made after it was told: one read at a time per organisation, and one more if told again
 * meanwhile, so the rooms a socket ends in come from a read newer than the last change. (Moving
 * every instance's sockets from the one instance that made the change would apply two changes'
 * reads in whichever order they reached Redis, and could not see which rooms a socket is in.)
 * Returns what to call on a change.
 */
export function followScopes(io: SwitchboardIo, db: pg.Pool, o: { clustered: boolean; onError(err: unknown, organisationId: string): void }) {
  const running = new Map<string, { again: boolean }>();
  const here = (organisationId: string) => {
    const run = running.get(organisationId);
    if (run) return void (run.again = true);
    const state = { again: false };
    running.set(organisationId, state);
    void (async () => {
      do {
        state.again = false;
        await rescopeHere(io, db, organisationId).catch((err: unknown) => o.onError(err, organisationId));
      } while (state.again);
      running.delete(organisationId);
    })();
  };
  io.on('scope:changed', here);
  return (organisationId: string): void => {
    here(organisationId);
    if (o.clustered) io.serverSideEmit('scope:changed', organisationId);
  };
}

/**
 * `inbox:whole`: the socket's agent shows (or stops showing) more than its scope. `inbox:rows`:
 * its client receives the rows over Realtime (or no longer does), so new messages come to it as
 * ids (./rooms.ts, `ROWS_BY_REALTIME`). Junk is ignored.
 */
export function attachWholeInbox(io: SwitchboardIo): void {
  io.on('connection', (socket) => {
    socket.on('inbox:rows', (payload) => {
      const request = inboxRowsRequest.safeParse(payload);
      if (!request.success) return;
      const [join, leave] = request.data.realtime ? [ROWS_BY_REALTIME, ROWS_BY_SOCKET] : [ROWS_BY_SOCKET, ROWS_BY_REALTIME];
      void socket.join(join);
      void socket.leave(leave);
    });
    socket.on('inbox:whole', (payload) => {
      const request = wholeInboxRequest.safeParse(payload);
      if (!request.success) return;
      const room = wholeRoom(socket.data.organisationId);
      if (request.data.whole) void socket.join(room);
      else void socket.leave(room);
    });
  });
}
