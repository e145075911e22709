import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AgentRoutingView, RoutingOverview } from '../../lib/contract/routing';
import {
  availabilityRequest,
  businessHoursRequest,
  channelTeamRequest,
  slaPolicyRequest,
  teamMemberRequest,
  teamPatchRequest,
  teamRequest,
} from '../../lib/contract/schemas';
import { adminOnly } from '../auth/agent';
import { guard, HttpError, parseOr400 } from '../errors';
import type { Broadcast } from '../sockets/broadcast';
import { orgRoom, type SwitchboardIo } from '../sockets/rooms';
import * as repo from './repository';
import type { RoutingWorker } from './worker';

const uuid = z.uuid();
const param = (req: FastifyRequest, name: string) => {
  const id = uuid.safeParse((req.params as Record<string, string>)[name]);
  if (!id.success) throw new HttpError(400, 'bad_request', `${name} must be a UUID`);
  return id.data;
};

export interface RoutingRouteDeps {
  db: import('pg').Pool;
  io: SwitchboardIo;
  broadcast: Broadcast;
  worker: RoutingWorker;
}

/**
 * Routing's API (docs/routing.md), behind the agent's authentication: every agent reads the
 * organisation's teams and routing state and sets their own availability; only admins change
 * teams, members, channels' teams, hours and SLA policies (403 `admin_only`). Each change is
 * audited, tells the organisation (`team:changed` { area: 'routing' } or `routing:agent`) and
 * wakes the engine where it may free room.
 */
export function registerRoutingRoutes(api: FastifyInstance, deps: RoutingRouteDeps): void {
  const { db, broadcast, worker } = deps;
  const changed = (req: FastifyRequest) => broadcast.teamChanged(req.agent.organisationId, 'routing');

  api.get('/api/routing', async (req): Promise<RoutingOverview> => repo.routingOverview(db, req.agent.organisationId));

  api.put('/api/routing/availability', async (req): Promise<{ agent: AgentRoutingView }> => {
    const { availability } = parseOr400(availabilityRequest, req.body);
    const agent = await repo.setAvailability(db, req.agent, availability);
    deps.io.to(orgRoom(req.agent.organisationId)).emit('routing:agent', agent);
    if (availability === 'available') await worker.wakeAgent(req.agent.id);
    return { agent };
  });

  api.post('/api/admin/teams', { preHandler: adminOnly }, async (req, reply) => {
    const input = parseOr400(teamRequest, req.body);
    const id = await guard(() => repo.createTeam(db, req.agent, input));
    changed(req);
    reply.code(201);
    return { id };
  });

  api.patch('/api/admin/teams/:id', { preHandler: adminOnly }, async (req) => {
    const input = parseOr400(teamPatchRequest, req.body);
    const id = param(req, 'id');
    await guard(() => repo.updateTeam(db, req.agent, id, input));
    changed(req);
    // Routing turned on, or more room for everyone: the queue may move now.
    await worker.routeTeam(id);
    return { ok: true };
  });

  api.delete('/api/admin/teams/:id', { preHandler: adminOnly }, async (req) => {
    await guard(() => repo.deleteTeam(db, req.agent, param(req, 'id')));
    worker.hoursChanged();
    changed(req);
    return { ok: true };
  });

  api.put('/api/admin/teams/:id/members/:agentId', { preHandler: adminOnly }, async (req) => {
    const { capacity } = parseOr400(teamMemberRequest, req.body ?? {});
    const teamId = param(req, 'id');
    await guard(() => repo.putMember(db, req.agent, teamId, param(req, 'agentId'), capacity));
    changed(req);
    await worker.routeTeam(teamId);
    return { ok: true };
  });

  api.delete('/api/admin/teams/:id/members/:agentId', { preHandler: adminOnly }, async (req) => {
    await guard(() => repo.removeMember(db, req.agent, param(req, 'id'), param(req, 'agentId')));
    changed(req);
    return { ok: true };
  });

  api.put('/api/admin/channels/:id/team', { preHandler: adminOnly }, async (req) => {
    const { teamId } = parseOr400(channelTeamRequest, req.body);
    await guard(() => repo.setChannelTeam(db, req.agent, param(req, 'id'), teamId));
    worker.hoursChanged();
    changed(req);
    // Conversations already waiting in the channel are the team's now.
    if (teamId) await worker.routeTeam(teamId);
    return { ok: true };
  });

  api.put('/api/admin/teams/:id/hours', { preHandler: adminOnly }, async (req) => {
    const input = parseOr400(businessHoursRequest, req.body);
    await guard(() => repo.putHours(db, req.agent, param(req, 'id'), input));
    worker.hoursChanged();
    changed(req);
    return { ok: true };
  });

  api.put('/api/admin/teams/:id/sla', { preHandler: adminOnly }, async (req) => {
    const input = parseOr400(slaPolicyRequest, req.body);
    await guard(() => repo.putSla(db, req.agent, param(req, 'id'), input));
    changed(req);
    return { ok: true };
  });

  api.delete('/api/admin/teams/:id/sla', { preHandler: adminOnly }, async (req) => {
    await guard(() => repo.putSla(db, req.agent, param(req, 'id'), null));
    changed(req);
    return { ok: true };
  });
}
