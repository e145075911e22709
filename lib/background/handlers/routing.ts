import type { ApiClient } from '../../api/client';
import { applyAgentRouting, refreshRouting } from '../routing';
import { done, type Current, type Handlers } from './types';

/**
 * Routing (docs/routing.md): an agent sets their own availability; admins change teams, members,
 * channels' teams, hours and SLA policies, each change followed by the overview read again (the
 * server tells the others with `team:changed` { area: 'routing' }).
 */
export function routingHandlers(current: Current<'api'>) {
  const admin = async <T>(action: (routing: ApiClient['routing']) => Promise<T>): Promise<T> => {
    const { api } = await current();
    try {
      return await action(api.routing);
    } finally {
      await refreshRouting(api);
    }
  };
  return {
    'routing:refresh': async () => done(await refreshRouting((await current()).api)),
    'routing:setAvailability': async ({ availability }) => {
      const { api } = await current();
      const { agent } = await api.routing.setAvailability(availability);
      return done(await applyAgentRouting(agent));
    },
    'admin:createTeam': (team) => admin((r) => r.createTeam(team)),
    'admin:updateTeam': async ({ teamId, patch }) => done(await admin((r) => r.updateTeam(teamId, patch))),
    'admin:deleteTeam': async ({ teamId }) => done(await admin((r) => r.deleteTeam(teamId))),
    'admin:setTeamMember': async ({ teamId, agentId, capacity }) => done(await admin((r) => r.setMember(teamId, agentId, capacity))),
    'admin:removeTeamMember': async ({ teamId, agentId }) => done(await admin((r) => r.removeMember(teamId, agentId))),
    'admin:setChannelTeam': async ({ channelId, teamId }) => done(await admin((r) => r.setChannelTeam(channelId, teamId))),
    'admin:setTeamHours': async ({ teamId, hours }) => done(await admin((r) => r.setHours(teamId, hours))),
    'admin:setTeamSla': async ({ teamId, sla }) => done(await admin((r) => r.setSla(teamId, sla))),
  } satisfies Partial<Handlers>;
}
