import type { FloorTeam } from '../contract/reports';

/** One team's line in the side panel's compact floor. */
export interface CompactFloorTeam extends Omit<FloorTeam, 'agents'> {
  /** The agent looking is a member (never of *No team*). */
  mine: boolean;
  /** Members who set themselves available and whom routing counts connected: who can take a conversation now. */
  available: number;
  agentCount: number;
}

/**
 * The floor's teams for the side panel (docs/reports.md, "Floor"): the looking agent's own teams
 * first, then the others, each in the server's order (by name, *No team* last), with the agents
 * reduced to how many can take a conversation now.
 */
export function compactFloor(teams: FloorTeam[], me: string): CompactFloorTeam[] {
  const lines = teams.map(({ agents, ...team }) => ({
    ...team,
    mine: team.teamId !== null && agents.some((a) => a.agentId === me),
    available: agents.filter((a) => a.availability === 'available' && a.connected).length,
    agentCount: agents.length,
  }));
  return [...lines.filter((l) => l.mine), ...lines.filter((l) => !l.mine)];
}
