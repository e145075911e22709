import type pg from 'pg';
import { conversationOf, inTransaction } from '../inbox/repository';
import { activityOfThisTransaction, type ConversationChange } from '../inbox/status';

/**
 * A team whose policy says "hand back after N minutes away": the open conversations of its
 * members who have been away (set by themselves) or gone (no connected browser) for N minutes go
 * back to the team's queue (the database queues them; the engine gives them to someone who can
 * take them). Rows being changed are skipped (SKIP LOCKED) and found on a later sweep. Runs every
 * sweep, so it starts from the few teams with a hand-back time and reaches conversations only
 * through their gone members (`conversations_open_assignee_idx`), never by scanning them.
 */
export async function handBack(db: pg.Pool, limit = 200): Promise<ConversationChange[]> {
  const teams = (await db.query<{ id: string }>("select id from teams where hand_back_after_minutes is not null and assignment <> 'off'")).rows;
  const changes: ConversationChange[] = [];
  for (const team of teams) changes.push(...(await handBackTeam(db, team.id, limit)));
  return changes;
}

async function handBackTeam(db: pg.Pool, teamId: string, limit: number): Promise<ConversationChange[]> {
  return inTransaction(db, 'begin', async (c) => {
    const gone = (
      await c.query<{ agent_id: string }>(
        `select m.agent_id
           from team_members m
           join teams t on t.id = m.team_id
           join agent_routing ar on ar.agent_id = m.agent_id
           join agent_presence ap on ap.agent_id = m.agent_id
          where m.team_id = $1
            and ((ar.availability = 'away' and ar.availability_changed_at < now() - make_interval(mins => t.hand_back_after_minutes))
                 -- gone: not connected, and last seen that long ago (or never)
                 or (not coalesce(ap.connected_until > now(), false)
                     and coalesce(ap.last_seen_at < now() - make_interval(mins => t.hand_back_after_minutes), true)))`,
        [teamId],
      )
    ).rows.map((r) => r.agent_id);
    if (gone.length === 0) return [];
    const { rows } = await c.query<{ id: string; organisation_id: string }>(
      `select c.id, c.organisation_id from conversations c join channels ch on ch.id = c.channel_id
        where c.assignee_id = any($2::uuid[]) and c.status = 'open' and ch.team_id = $1
        order by c.id limit $3
        for update of c skip locked`,
      [teamId, gone, limit],
    );
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    await c.query("select set_config('switchboard.routing_rule', 'hand_back', true)");
    await c.query('update conversations set assignee_id = null where id = any($1::uuid[])', [ids]);
    const activity = await activityOfThisTransaction(c, ids);
    const changes: ConversationChange[] = [];
    for (const r of rows)
      changes.push({
        organisationId: r.organisation_id,
        conversation: await conversationOf(c, r.id),
        activity: activity.filter((a) => a.conversationId === r.id),
      });
    return changes;
  });
}
