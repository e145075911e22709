import type pg from 'pg';
import { conversationOf, inTransaction } from '../inbox/repository';
import { activityOfThisTransaction, type ConversationChange } from '../inbox/status';
import { PRESENCE_TTL_SECONDS } from './engine';

/**
 * A team whose policy says "hand back after N minutes away": the open conversations of its
 * members who have been away (set by themselves) or gone (no connected browser) for N minutes go
 * back to the team's queue (the database queues them; the engine gives them to someone who can
 * take them). Rows being changed are skipped (SKIP LOCKED) and found on a later sweep.
 */
export async function handBack(db: pg.Pool, limit = 200): Promise<ConversationChange[]> {
  return inTransaction(db, 'begin', async (c) => {
    const { rows } = await c.query<{ id: string; organisation_id: string }>(
      `select c.id, c.organisation_id
         from conversations c
         join channels ch on ch.id = c.channel_id
         join teams t on t.id = ch.team_id
         join team_members m on m.team_id = t.id and m.agent_id = c.assignee_id
         join agent_routing ar on ar.agent_id = m.agent_id
         join agent_presence ap on ap.agent_id = m.agent_id
        where c.status = 'open' and t.assignment <> 'off' and t.hand_back_after_minutes is not null
          and ((ar.availability = 'away' and ar.availability_changed_at < now() - make_interval(mins => t.hand_back_after_minutes))
               or (case when ap.connected then ap.last_seen_at + make_interval(secs => $2) else ap.last_seen_at end)
                    < now() - make_interval(mins => t.hand_back_after_minutes)
               or ap.last_seen_at is null)
        order by c.id limit $1
        for update of c skip locked`,
      [limit, PRESENCE_TTL_SECONDS],
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
