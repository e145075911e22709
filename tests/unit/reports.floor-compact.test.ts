import { describe, expect, it } from 'vitest';
import type { FloorAgent, FloorTeam } from '@/lib/contract/reports';
import { compactFloor } from '@/lib/reports/floor-compact';

const agent = (agentId: string, availability: FloorAgent['availability'], connected: boolean): FloorAgent => ({
  agentId,
  name: agentId,
  availability,
  connected,
  openLoad: 0,
  capacity: null,
});
const team = (teamId: string | null, agents: FloorAgent[]): FloorTeam => ({
  teamId,
  name: teamId,
  open: 3,
  unassigned: 1,
  queued: 1,
  snoozed: 0,
  longestWaitSeconds: null,
  longestWaitSince: null,
  slaBreached: 0,
  slaDueSoon: 0,
  agents,
});

describe('the side panel’s compact floor', () => {
  it('puts the lead’s own teams first, keeps the server’s order otherwise, and counts who can take a conversation now', () => {
    const lines = compactFloor(
      [
        team('billing', [agent('ana', 'available', true), agent('bo', 'available', false)]),
        team('sales', [agent('lead', 'busy', true), agent('cy', 'available', true), agent('di', 'away', true)]),
        team('support', [agent('lead', 'busy', true)]),
        team(null, [agent('lead', 'available', true)]),
      ],
      'lead',
    );
    expect(lines.map((l) => [l.teamId, l.mine, l.available, l.agentCount])).toEqual([
      ['sales', true, 1, 3],
      ['support', true, 0, 1],
      // Available but not connected does not count; "No team" is never the lead's own.
      ['billing', false, 1, 2],
      [null, false, 1, 1],
    ]);
  });
});
