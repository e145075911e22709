import type { AgentRoutingView, Availability, RoutingOverview } from '../contract/routing';

/** The overview with one agent's routing state replaced (or added): a `routing:agent` event applied. */
export function withAgentRouting(overview: RoutingOverview, agent: AgentRoutingView): RoutingOverview {
  const others = overview.agents.filter((a) => a.agentId !== agent.agentId);
  return { ...overview, agents: [...others, agent] };
}

/** An agent's availability as the overview says (agents never set are available, as the server assumes). */
export function availabilityOf(overview: RoutingOverview | null | undefined, agentId: string): Availability | null {
  return availabilityIndex(overview)(agentId);
}

/** `availabilityOf` for many agents: the overview indexed once (a thousand colleagues, one pass). */
export function availabilityIndex(overview: RoutingOverview | null | undefined): (agentId: string) => Availability | null {
  if (!overview) return () => null;
  const byAgent = new Map(overview.agents.map((a) => [a.agentId, a.availability]));
  return (agentId) => byAgent.get(agentId) ?? 'available';
}
