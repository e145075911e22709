import { describe, expect, it } from 'vitest';
import type { RoutingOverview } from '../../lib/contract/routing';
import { availabilityOf, withAgentRouting } from '../../lib/routing/overview';

describe('routing overview in the extension', () => {
  const overview: RoutingOverview = {
    teams: [],
    agents: [
      { agentId: 'alice', availability: 'available', connected: true, openLoad: 2 },
      { agentId: 'bob', availability: 'busy', connected: false, openLoad: 0 },
    ],
  };
  it('a routing:agent event replaces that agent’s state and leaves the others', () => {
    const next = withAgentRouting(overview, { agentId: 'alice', availability: 'away', connected: true, openLoad: 2 });
    expect(availabilityOf(next, 'alice')).toBe('away');
    expect(availabilityOf(next, 'bob')).toBe('busy');
    expect(next.agents).toHaveLength(2);
  });
  it('an agent the overview does not list yet is available (the server’s default); nothing read yet is unknown', () => {
    expect(availabilityOf(overview, 'carol')).toBe('available');
    expect(availabilityOf(null, 'alice')).toBeNull();
  });
});
