import type pg from 'pg';

/**
 * The demo organisation's routing (docs/routing.md): a team "Support" that answers the demo
 * channel, round robin with a capacity of 5, every demo agent in it, business hours open around
 * the clock, and an SLA policy. Conversations that arrive before anyone is connected wait in the
 * queue and go to the first agents who open the side panel. Looks before it writes (resumable).
 */
export async function seedDemoRouting(db: pg.Pool, organisationId: string, whatsappNumber: string): Promise<void> {
  const existing = (await db.query<{ id: string }>("select id from teams where organisation_id = $1 and name = 'Support'", [organisationId])).rows[0];
  const teamId =
    existing?.id ??
    (
      await db.query<{ id: string }>(
        `insert into teams (organisation_id, name, assignment, default_capacity, time_zone, hours_enabled)
         values ($1, 'Support', 'round_robin', 5, 'UTC', true) returning id`,
        [organisationId],
      )
    ).rows[0]!.id;
  await db.query(
    `insert into team_members (team_id, agent_id, organisation_id) select $1, id, organisation_id from agents where organisation_id = $2
     on conflict do nothing`,
    [teamId, organisationId],
  );
  await db.query(
    `insert into team_hours (team_id, organisation_id, weekday, opens_minute, closes_minute)
     select $1, $2, d, 0, 1440 from generate_series(1, 7) d on conflict do nothing`,
    [teamId, organisationId],
  );
  await db.query(
    `insert into sla_policies (team_id, organisation_id, first_response_minutes, next_response_minutes, resolution_minutes, warn_before_minutes)
     values ($1, $2, 15, 30, 1440, 5) on conflict do nothing`,
    [teamId, organisationId],
  );
  await db.query('update channels set team_id = $1 where organisation_id = $2 and whatsapp_number = $3 and team_id is null', [
    teamId,
    organisationId,
    whatsappNumber,
  ]);
}
