import type pg from 'pg';
import type { CapacityWarning } from '../../lib/contract/routing';

/**
 * Manual assignment may take an agent above their capacity (an admin or colleague decides so):
 * it is made, and the answer carries this warning. Null when the conversation's team does not
 * route, the assignee is not a member, or they are within capacity.
 */
export async function capacityWarning(db: pg.Pool, conversationId: string, agentId: string): Promise<CapacityWarning | null> {
  const { rows } = await db.query<{ open_load: number; capacity: number }>(
    `select ar.open_load, coalesce(m.capacity, t.default_capacity) as capacity
       from conversations c
       join channels ch on ch.id = c.channel_id
       join teams t on t.id = ch.team_id
       join team_members m on m.team_id = t.id and m.agent_id = $2
       join agent_routing ar on ar.agent_id = $2
      where c.id = $1 and t.assignment <> 'off'`,
    [conversationId, agentId],
  );
  const r = rows[0];
  if (!r || r.open_load <= r.capacity) return null;
  return {
    code: 'over_capacity',
    message: `Assigned above capacity: this agent now has ${r.open_load} open conversations for a capacity of ${r.capacity}.`,
    openLoad: r.open_load,
    capacity: r.capacity,
  };
}
