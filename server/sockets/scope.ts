import type pg from 'pg';
import { scopeKeys, teamQueueKey } from '../../lib/contract/scope';
import { wholeInboxRequest } from '../../lib/contract/schemas';
import { conversationRoom, watchRoom } from './collaboration';
import { agentRoom, orgRoom, type SwitchboardIo } from './rooms';

/**
 * Delivery scope on Socket.IO (docs/delivery-scope.md): a socket joins one room per key of its
 * agent's scope (lib/contract/scope.ts), and the organisation's whole stream only while it asks for
 * it (`inbox:whole`: the side panel's All view). The rooms are decided here, from the database,
 * never from what a client says it belongs to.
 */
export const scopeRoom = (key: string) => `scope:${key}`;
export const wholeRoom = (organisationId: string) => `whole:${organisationId}`;

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
 * Teams or their members changed: every agent of the organisation moves to its scope's rooms, on
 * every instance (the adapter's `socketsJoin`/`socketsLeave` by agent room: no round trip).
 */
export async function rescope(io: SwitchboardIo, db: pg.Pool, organisationId: string): Promise<void> {
  const [teams, { rows: agents }] = await Promise.all([
    teamsOf(db, organisationId),
    db.query<{ id: string }>('select id from agents where organisation_id = $1', [organisationId]),
  ]);
  const queues = teams.map((t) => scopeRoom(teamQueueKey(t.id)));
  for (const { id } of agents) {
    const rooms = keysFor(id, organisationId, teams).map(scopeRoom);
    const leave = queues.filter((r) => !rooms.includes(r));
    if (leave.length) io.in(agentRoom(id)).socketsLeave(leave);
    io.in(agentRoom(id)).socketsJoin(rooms);
  }
}

/** `inbox:whole`: the socket's agent shows (or stops showing) more than its scope. */
export function attachWholeInbox(io: SwitchboardIo): void {
  io.on('connection', (socket) => {
    socket.on('inbox:whole', (payload) => {
      const request = wholeInboxRequest.safeParse(payload);
      if (!request.success) return;
      const room = wholeRoom(socket.data.organisationId);
      if (request.data.whole) void socket.join(room);
      else void socket.leave(room);
    });
  });
}
