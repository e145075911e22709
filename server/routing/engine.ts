import type pg from 'pg';
import type { AssignmentPolicy, RoutingRule } from '../../lib/contract/routing';
import { conversationOf, inTransaction } from '../inbox/repository';
import { activityOfThisTransaction, type ConversationChange } from '../inbox/status';

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

/** How long after its last sign of life a browser still counts as connected (an instance that died without a word). */
export const PRESENCE_TTL_SECONDS = 60;
/** Decisions per transaction: a long queue is drained in several short transactions. */
const DECISIONS_PER_PASS = 50;
/** Advisory lock namespace of team passes (`pg_advisory_xact_lock(ns, hashtext(team))`). */
const TEAM_LOCK = 0x5b0a_0033;

/** Candidates in the policy's order: the previous assignee first, then round robin's turn or the least loaded. */
const ORDER: Record<Exclude<AssignmentPolicy, 'off'>, string> = {
  round_robin: 'm.last_assigned_at asc nulls first, m.agent_id',
  least_busy: 'ar.open_load asc, m.last_assigned_at asc nulls first, m.agent_id',
};

interface Waiting {
  conversation_id: string;
  previous_assignee_id: string | null;
}

/** One decision: the conversation, who got it and by which rule. */
export interface Decision {
  conversationId: string;
  agentId: string;
  rule: RoutingRule;
}

/** The agent who may take a conversation of the team now, locked until the transaction ends (null: nobody has room). */
async function pickAgent(
  c: pg.PoolClient,
  team: { id: string; assignment: Exclude<AssignmentPolicy, 'off'>; default_capacity: number },
  preferred: string | null,
): Promise<string | null> {
  const { rows } = await c.query<{ agent_id: string }>(
    `select m.agent_id
       from team_members m
       join agent_routing ar on ar.agent_id = m.agent_id
       join agent_presence ap on ap.agent_id = m.agent_id
      where m.team_id = $1
        and ar.availability = 'available'
        and ap.connected and ap.last_seen_at > clock_timestamp() - make_interval(secs => $3)
        and ar.open_load < coalesce(m.capacity, $2)
      order by (m.agent_id = $4) desc nulls last, ${ORDER[team.assignment]}
      limit 1
      for update of ar skip locked`,
    [team.id, team.default_capacity, PRESENCE_TTL_SECONDS, preferred],
  );
  return rows[0]?.agent_id ?? null;
}

/** Gives one waiting conversation (locked, re-checked) to an agent; false when nobody has room. */
async function decideOne(
  c: pg.PoolClient,
  team: { id: string; assignment: Exclude<AssignmentPolicy, 'off'>; default_capacity: number },
  waiting: Waiting,
): Promise<Decision | 'skipped' | 'busy' | null> {
  const row = (
    await c.query<{ ok: boolean }>(
      `select (c.status = 'open' and c.assignee_id is null and q.team_id is not null) as ok
         from conversations c left join routing_queue q on q.conversation_id = c.id and q.team_id = $2
        where c.id = $1 for update of c skip locked`,
      [waiting.conversation_id, team.id],
    )
  ).rows[0];
  // Being changed right now (an agent taking it by hand): left for the next pass.
  if (!row) return 'busy';
  if (!row.ok) {
    // Taken by hand, resolved or moved meanwhile: it no longer waits here.
    await c.query('delete from routing_queue where conversation_id = $1 and team_id = $2', [waiting.conversation_id, team.id]);
    return 'skipped';
  }
  const agentId = await pickAgent(c, team, waiting.previous_assignee_id);
  if (!agentId) return null;
  const rule: RoutingRule = agentId === waiting.previous_assignee_id ? 'previous_assignee' : team.assignment;
  await c.query("select set_config('switchboard.routing_rule', $1, true)", [rule]);
  // The queue row goes with the assignment (trigger routing_enqueue), the load moves (routing_track_load).
  await c.query('update conversations set assignee_id = $2 where id = $1', [waiting.conversation_id, agentId]);
  await c.query('update team_members set last_assigned_at = clock_timestamp() where team_id = $1 and agent_id = $2', [team.id, agentId]);
  return { conversationId: waiting.conversation_id, agentId, rule };
}

/**
 * One pass over a team's queue: oldest first, until it is empty, nobody has room, or a pass's
 * worth of decisions is made (`more`: call again). Returns the changes to tell agents about.
 */
export async function routeTeam(db: pg.Pool, teamId: string): Promise<{ decisions: Decision[]; changes: ConversationChange[]; more: boolean }> {
  return inTransaction(db, 'begin', async (c) => {
    await c.query('select pg_advisory_xact_lock($1, hashtext($2))', [TEAM_LOCK, teamId]);
    const team = (
      await c.query<{ id: string; organisation_id: string; assignment: AssignmentPolicy; default_capacity: number }>(
        'select id, organisation_id, assignment, default_capacity from teams where id = $1',
        [teamId],
      )
    ).rows[0];
    if (!team || team.assignment === 'off') return { decisions: [], changes: [], more: false };
    const routed = { ...team, assignment: team.assignment };
    const decisions: Decision[] = [];
    const busy: string[] = [];
    let more = false;
    for (let n = 0; ; n++) {
      if (n === DECISIONS_PER_PASS) {
        more = true;
        break;
      }
      const waiting = (
        await c.query<Waiting>(
          `select conversation_id, previous_assignee_id from routing_queue
            where team_id = $1 and conversation_id <> all($2::uuid[]) order by waiting_since, conversation_id limit 1`,
          [teamId, busy],
        )
      ).rows[0];
      if (!waiting) break;
      const decided = await decideOne(c, routed, waiting);
      if (decided === null) break; // the oldest waits: nobody of the team has room now
      if (decided === 'busy') {
        busy.push(waiting.conversation_id); // the sweep looks again shortly
      } else if (decided !== 'skipped') decisions.push(decided);
    }
    if (decisions.length === 0) return { decisions, changes: [], more: false };
    const ids = decisions.map((d) => d.conversationId);
    const activity = await activityOfThisTransaction(c, ids);
    const changes: ConversationChange[] = [];
    for (const id of ids) {
      changes.push({
        organisationId: team.organisation_id,
        conversation: await conversationOf(c, id),
        activity: activity.filter((a) => a.conversationId === id),
      });
    }
    return { decisions, changes, more };
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
