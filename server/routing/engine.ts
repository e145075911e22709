import type pg from 'pg';
import type { RoutingRule } from '../../lib/contract/routing';
import { inTransaction } from '../inbox/repository';
import { activityOfThisTransaction, type ConversationChange } from '../inbox/status';
import { CONVERSATION_COLUMNS, conversationView, type ConversationRow } from '../inbox/views';

/**
 * The assignment engine: gives a team's waiting conversations, oldest first, to its agents who are
 * available, connected and under capacity. Exactly once across server instances:
 * - one pass per team at a time: a transaction-scoped advisory lock on the team (every instance
 *   may be woken for the same event; the others wait, then find nothing left to do);
 * - the conversation's row is locked and re-checked (still open, unassigned, queued) before it is
 *   given, so an agent assigning it by hand meanwhile wins and the engine moves on;
 * - the chosen agent's counter row (`agent_routing`) is locked with the check `open_load <
 *   capacity` re-evaluated on the locked row, and the assignment moves the counter in the same
 *   transaction (trigger `routing_track_load`): no agent goes above capacity by a race, and no
 *   count query is made per decision.
 * Both locks are taken with SKIP LOCKED: a row someone else is changing is left for the next pass
 * (which the change's own NOTIFY starts), so a pass never waits on an agent's transaction, nor on
 * another team's pass sharing an agent, and no lock cycle can form.
 */

/** Decisions per transaction: a long queue is drained in several short transactions. */
const DECISIONS_PER_PASS = 50;

/** One decision: the conversation, who got it and by which rule. */
export interface Decision {
  conversationId: string;
  agentId: string;
  rule: RoutingRule;
}

/**
 * One pass over a team's queue (`routing_route_team` in the migration 20261207000024, one round
 * trip): oldest first, until it is empty, nobody has room, or a pass's worth of decisions is made
 * (`more`: call again). Returns the changes to tell agents about.
 */
export async function routeTeam(db: pg.Pool, teamId: string): Promise<{ decisions: Decision[]; changes: ConversationChange[]; more: boolean }> {
  return inTransaction(db, 'begin', async (c) => {
    const { rows } = await c.query<{ conversation_id: string; agent_id: string; rule: RoutingRule }>(
      'select conversation_id, agent_id, rule from routing_route_team($1, $2)',
      [teamId, DECISIONS_PER_PASS],
    );
    const decisions = rows.map((r) => ({ conversationId: r.conversation_id, agentId: r.agent_id, rule: r.rule }));
    if (decisions.length === 0) return { decisions, changes: [], more: false };
    const ids = decisions.map((d) => d.conversationId);
    // One client, one query at a time.
    const conversations = await c.query<ConversationRow & { organisation_id: string }>(
      `select ${CONVERSATION_COLUMNS}, c.organisation_id from conversations c join contacts ct on ct.id = c.contact_id where c.id = any($1::uuid[])`,
      [ids],
    );
    const activity = await activityOfThisTransaction(c, ids);
    const byId = new Map(conversations.rows.map((r) => [r.id, r]));
    const changes = ids.map((id) => ({
      organisationId: byId.get(id)!.organisation_id,
      conversation: conversationView(byId.get(id)!),
      activity: activity.filter((a) => a.conversationId === id),
    }));
    return { decisions, changes, more: decisions.length === DECISIONS_PER_PASS };
  });
}

/** The teams with conversations waiting (one of whose members is `agentId`, when given). */
export async function teamsWaiting(db: pg.Pool, agentId?: string): Promise<string[]> {
  const { rows } = agentId
    ? await db.query<{ team_id: string }>('select distinct q.team_id from routing_queue q join team_members m on m.team_id = q.team_id where m.agent_id = $1', [
        agentId,
      ])
    : await db.query<{ team_id: string }>('select distinct team_id from routing_queue');
  return rows.map((r) => r.team_id);
}
