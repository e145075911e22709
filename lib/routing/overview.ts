import type { AgentRoutingView, Availability, RoutingOverview } from '../contract/routing';

/** The overview with one agent's routing state replaced (or added): a `routing:agent` event applied. */
export function withAgentRouting(overview: RoutingOverview, agent: AgentRoutingView): RoutingOverview {
  const others = overview.agents.filter((a) => a.agentId !== agent.agentId);
  return { ...overview, agents: [...others, agent] };
}

/** An agent's availability as the overview says (agents never set are available, as the server assumes). */
export function availabilityOf(overview: RoutingOverview | null | undefined, agentId: string): Availability | null {
  if (!overview) return null;
  return overview.agents.find((a) => a.agentId === agentId)?.availability ?? 'available';
}
