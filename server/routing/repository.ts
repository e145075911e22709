import type pg from 'pg';
import type { z } from 'zod';
import type { AgentProfile } from '../../lib/contract/models';
import type { AgentRoutingView, Availability, RoutingOverview, TeamView } from '../../lib/contract/routing';
import type { businessHoursRequest, slaPolicyRequest, teamPatchRequest, teamRequest } from '../../lib/contract/schemas';
import { audit } from '../audit';
import { ConflictError, HttpError, NotFoundError, UnprocessableError } from '../errors';
import { inTransaction } from '../inbox/repository';

/** Routing's data as admins and agents read and change it; every change is tenant-checked and audited. */

const CONNECTED = 'coalesce(ap.connected_until > now(), false)';

/** Every agent's routing state in the organisation (or one agent's). */
export async function agentRouting(db: pg.Pool | pg.PoolClient, organisationId: string, agentId?: string): Promise<AgentRoutingView[]> {
  const { rows } = await db.query<{ agent_id: string; availability: Availability; connected: boolean; open_load: number }>(
    `select ar.agent_id, ar.availability, ${CONNECTED} as connected, ar.open_load
       from agent_routing ar join agent_presence ap on ap.agent_id = ar.agent_id
      where ar.organisation_id = $1 and ($2::uuid is null or ar.agent_id = $2) order by ar.agent_id`,
    [organisationId, agentId ?? null],
  );
  return rows.map((r) => ({ agentId: r.agent_id, availability: r.availability, connected: r.connected, openLoad: r.open_load }));
}

/** `GET /api/routing`: the organisation's teams with their members, channels, hours, SLA and queue length. */
export async function routingOverview(db: pg.Pool, organisationId: string): Promise<RoutingOverview> {
  const { rows } = await db.query<{ team: TeamView }>(
    `select jsonb_build_object(
       'id', t.id, 'name', t.name, 'assignment', t.assignment, 'defaultCapacity', t.default_capacity,
       'handBackAfterMinutes', t.hand_back_after_minutes,
       'members', coalesce((select jsonb_agg(jsonb_build_object('agentId', m.agent_id, 'capacity', m.capacity) order by m.created_at, m.agent_id)
                              from team_members m where m.team_id = t.id), '[]'),
       'channelIds', coalesce((select jsonb_agg(ch.id order by ch.created_at) from channels ch where ch.team_id = t.id), '[]'),
       'hours', jsonb_build_object('enabled', t.hours_enabled, 'timeZone', t.time_zone, 'autoReply', t.auto_reply,
          'intervals', coalesce((select jsonb_agg(jsonb_build_object('weekday', h.weekday, 'opensMinute', h.opens_minute, 'closesMinute', h.closes_minute)
                                   order by h.weekday, h.opens_minute) from team_hours h where h.team_id = t.id), '[]'),
          'holidays', coalesce((select jsonb_agg(jsonb_build_object('day', to_char(d.day, 'YYYY-MM-DD'), 'name', d.name) order by d.day)
                                  from team_holidays d where d.team_id = t.id), '[]')),
       'sla', (select jsonb_build_object('firstResponseMinutes', p.first_response_minutes, 'nextResponseMinutes', p.next_response_minutes,
                 'resolutionMinutes', p.resolution_minutes, 'warnBeforeMinutes', p.warn_before_minutes, 'notifyAdmins', p.notify_admins)
                 from sla_policies p where p.team_id = t.id),
       'queued', (select count(*) from routing_queue q where q.team_id = t.id)) as team
       from teams t where t.organisation_id = $1 order by t.name`,
    [organisationId],
  );
  return { teams: rows.map((r) => r.team), agents: await agentRouting(db, organisationId) };
}

const uniqueName = (err: unknown) => {
  if ((err as { code?: string }).code === '23505') throw new ConflictError('A team with this name exists already.', 'team_exists');
  throw err;
};

/** Creates a team; its id. */
export async function createTeam(db: pg.Pool, admin: AgentProfile, t: z.infer<typeof teamRequest>): Promise<string> {
  return inTransaction(db, 'begin', async (c) => {
    const { rows } = await c
      .query<{ id: string }>(
        'insert into teams (organisation_id, name, assignment, default_capacity, hand_back_after_minutes) values ($1, $2, $3, $4, $5) returning id',
        [admin.organisationId, t.name, t.assignment, t.defaultCapacity, t.handBackAfterMinutes],
      )
      .catch(uniqueName);
    await audit(c, admin, admin.organisationId, 'team.create', { teamId: rows[0]!.id, ...t });
    return rows[0]!.id;
  });
}

/** Changes a team's name or policy. */
export async function updateTeam(db: pg.Pool, admin: AgentProfile, teamId: string, t: z.infer<typeof teamPatchRequest>): Promise<void> {
  await inTransaction(db, 'begin', async (c) => {
    const { rowCount } = await c
      .query(
        `update teams set name = coalesce($3, name), assignment = coalesce($4, assignment), default_capacity = coalesce($5, default_capacity),
                hand_back_after_minutes = case when $6 then $7 else hand_back_after_minutes end
          where id = $1 and organisation_id = $2`,
        [
          teamId,
          admin.organisationId,
          t.name ?? null,
          t.assignment ?? null,
          t.defaultCapacity ?? null,
          t.handBackAfterMinutes !== undefined,
          t.handBackAfterMinutes ?? null,
        ],
      )
      .catch(uniqueName);
    if (!rowCount) throw new NotFoundError('team not found');
    if (t.assignment !== undefined) await requeue(c, admin.organisationId);
    await audit(c, admin, admin.organisationId, 'team.update', { teamId, ...t });
  });
}

/** Deletes a team (its channels answer to no team; its queue is dropped: those conversations stay unassigned). */
export async function deleteTeam(db: pg.Pool, admin: AgentProfile, teamId: string): Promise<void> {
  await inTransaction(db, 'begin', async (c) => {
    const { rowCount } = await c.query('delete from teams where id = $1 and organisation_id = $2', [teamId, admin.organisationId]);
    if (!rowCount) throw new NotFoundError('team not found');
    await audit(c, admin, admin.organisationId, 'team.delete', { teamId });
  });
}

/** Adds an agent of the organisation to a team, or changes their capacity there. */
export async function putMember(db: pg.Pool, admin: AgentProfile, teamId: string, agentId: string, capacity: number | null): Promise<void> {
  await inTransaction(db, 'begin', async (c) => {
    await teamOf(c, admin, teamId);
    const agent = await c.query('select 1 from agents where id = $1 and organisation_id = $2', [agentId, admin.organisationId]);
    if (!agent.rowCount) throw new UnprocessableError('unknown_agent', 'this agent is not of your organisation');
    await c.query(
      `insert into team_members (team_id, agent_id, organisation_id, capacity) values ($1, $2, $3, $4)
       on conflict (team_id, agent_id) do update set capacity = excluded.capacity`,
      [teamId, agentId, admin.organisationId, capacity],
    );
    await audit(c, admin, admin.organisationId, 'team.member.put', { teamId, agentId, capacity });
  });
}

export async function removeMember(db: pg.Pool, admin: AgentProfile, teamId: string, agentId: string): Promise<void> {
  await inTransaction(db, 'begin', async (c) => {
    const { rowCount } = await c.query('delete from team_members where team_id = $1 and agent_id = $2 and organisation_id = $3', [
      teamId,
      agentId,
      admin.organisationId,
    ]);
    if (!rowCount) throw new NotFoundError('this agent is not in this team');
    await audit(c, admin, admin.organisationId, 'team.member.remove', { teamId, agentId });
  });
}

/** Gives a channel of the organisation to a team (or to none); its waiting conversations follow. */
export async function setChannelTeam(db: pg.Pool, admin: AgentProfile, channelId: string, teamId: string | null): Promise<void> {
  await inTransaction(db, 'begin', async (c) => {
    if (teamId) await teamOf(c, admin, teamId);
    const { rowCount } = await c.query('update channels set team_id = $3 where id = $1 and organisation_id = $2', [channelId, admin.organisationId, teamId]);
    if (!rowCount) throw new NotFoundError('channel not found');
    await requeue(c, admin.organisationId);
    await audit(c, admin, admin.organisationId, 'channel.team', { channelId, teamId });
  });
}

/**
 * Puts the queue right after its teams or channels changed: conversations that wait for an agent
 * (open, unassigned, the customer wrote) in a channel whose team routes are queued there; rows of
 * teams that no longer route them go. (New conversations are queued by the database itself.)
 */
async function requeue(c: pg.PoolClient, organisationId: string): Promise<void> {
  await c.query(
    `delete from routing_queue q
      where q.organisation_id = $1
        and not exists (select 1 from conversations cv join channels ch on ch.id = cv.channel_id join teams t on t.id = ch.team_id
                         where cv.id = q.conversation_id and t.id = q.team_id and t.assignment <> 'off')`,
    [organisationId],
  );
  await c.query(
    `insert into routing_queue (conversation_id, organisation_id, team_id, waiting_since)
     select cv.id, cv.organisation_id, t.id, coalesce(cv.last_inbound_at, cv.created_at)
       from conversations cv join channels ch on ch.id = cv.channel_id join teams t on t.id = ch.team_id
      where cv.organisation_id = $1 and t.assignment <> 'off' and cv.status = 'open' and cv.assignee_id is null and cv.inbound_count > 0
     on conflict (conversation_id) do nothing`,
    [organisationId],
  );
}

/** Replaces a team's business hours, holidays and auto-reply. */
export async function putHours(db: pg.Pool, admin: AgentProfile, teamId: string, h: z.infer<typeof businessHoursRequest>): Promise<void> {
  await inTransaction(db, 'begin', async (c) => {
    await teamOf(c, admin, teamId);
    // The runtime's zones (the schema's check) and PostgreSQL's (the reports' business hours,
    // …041_report_business_hours.sql) are two lists: a zone must be in both.
    await c.query('select now() at time zone $1', [h.timeZone]).catch((err: { code?: string }) => {
      if (err.code === '22023') throw new HttpError(400, 'bad_request', `timeZone: the database does not know ${h.timeZone}`);
      throw err;
    });
    await c.query('update teams set hours_enabled = $2, time_zone = $3, auto_reply = $4 where id = $1', [teamId, h.enabled, h.timeZone, h.autoReply]);
    await c.query('delete from team_hours where team_id = $1', [teamId]);
    await c.query('delete from team_holidays where team_id = $1', [teamId]);
    await c
      .query(
        `insert into team_hours (team_id, organisation_id, weekday, opens_minute, closes_minute)
         select $1, $2, i.weekday, i."opensMinute", i."closesMinute" from jsonb_to_recordset($3) as i(weekday int, "opensMinute" int, "closesMinute" int)`,
        [teamId, admin.organisationId, JSON.stringify(h.intervals)],
      )
      .catch((err: { code?: string }) => {
        if (err.code === '23505') throw new UnprocessableError('overlapping_hours', 'two intervals open at the same time on the same day');
        throw err;
      });
    await c.query(
      `insert into team_holidays (team_id, organisation_id, day, name)
       select $1, $2, d.day, d.name from jsonb_to_recordset($3) as d(day date, name text) on conflict do nothing`,
      [teamId, admin.organisationId, JSON.stringify(h.holidays)],
    );
    await audit(c, admin, admin.organisationId, 'team.hours', { teamId, enabled: h.enabled, timeZone: h.timeZone });
  });
}

/** Sets (or with null, removes) a team's SLA policy. Clocks already running keep their due times. */
export async function putSla(db: pg.Pool, admin: AgentProfile, teamId: string, p: z.infer<typeof slaPolicyRequest> | null): Promise<void> {
  await inTransaction(db, 'begin', async (c) => {
    await teamOf(c, admin, teamId);
    if (p === null) await c.query('delete from sla_policies where team_id = $1', [teamId]);
    else
      await c.query(
        `insert into sla_policies (team_id, organisation_id, first_response_minutes, next_response_minutes, resolution_minutes, warn_before_minutes, notify_admins)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (team_id) do update set first_response_minutes = excluded.first_response_minutes, next_response_minutes = excluded.next_response_minutes,
           resolution_minutes = excluded.resolution_minutes, warn_before_minutes = excluded.warn_before_minutes, notify_admins = excluded.notify_admins, updated_at = now()`,
        [teamId, admin.organisationId, p.firstResponseMinutes, p.nextResponseMinutes, p.resolutionMinutes, p.warnBeforeMinutes, p.notifyAdmins],
      );
    await audit(c, admin, admin.organisationId, 'team.sla', { teamId, policy: p });
  });
}

/** The agent's own availability (the agent's row locked first: …_presence_lock_order.sql). */
export async function setAvailability(db: pg.Pool, agent: AgentProfile, availability: Availability): Promise<AgentRoutingView> {
  await db.query('select routing_set_availability($1, $2, $3)', [agent.id, agent.organisationId, availability]);
  return (await agentRouting(db, agent.organisationId, agent.id))[0]!;
}

async function teamOf(c: pg.PoolClient, admin: AgentProfile, teamId: string): Promise<void> {
  const { rowCount } = await c.query('select 1 from teams where id = $1 and organisation_id = $2 for update', [teamId, admin.organisationId]);
  if (!rowCount) throw new NotFoundError('team not found');
}
