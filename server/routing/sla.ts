import type pg from 'pg';
import type { SlaAlertPayload, SlaKind } from '../../lib/contract/routing';
import { conversationOf, inTransaction } from '../inbox/repository';
import type { ConversationChange } from '../inbox/status';
import { addBusinessMinutes } from './business-hours';
import { loadHours } from './team-hours';

/**
 * SLA clocks (started and stopped by the database as messages and statuses change: migration
 * 20261207000025) get their due times here, in business minutes of their team's hours, and the
 * conversation shows its next one. Breaches are recorded once per conversation, kind and cycle
 * (the primary key of sla_breaches): the instance whose insert wins is the one that notifies.
 */

/** Gives due times to new clocks and puts each touched conversation's next due time on its row. */
export async function scheduleClocks(db: pg.Pool, limit = 200): Promise<ConversationChange[]> {
  return inTransaction(db, 'begin', async (c) => {
    // The conversations first, as every writer of a conversation locks it before its clocks (a
    // message's trigger stops them): clocks first here deadlocked with a reply being stored. One
    // that a writer holds now is skipped; the next sweep takes it.
    const clocks = (
      await c.query<{ conversation_id: string; kind: SlaKind; cycle: number; team_id: string; target_minutes: number; started_at: Date }>(
        `with waiting as (
           select distinct conversation_id from (select conversation_id from sla_clocks
                                                   where due_at is null and stopped_at is null order by started_at limit $1) w
         ), held as (
           select id from conversations where id in (select conversation_id from waiting) order by id for no key update skip locked
         )
         select conversation_id, kind, cycle, team_id, target_minutes, started_at from sla_clocks
          where conversation_id in (select id from held) and due_at is null and stopped_at is null
          order by conversation_id, kind, cycle for update`,
        [limit],
      )
    ).rows;
    if (clocks.length === 0) return [];
    const hours = await loadHours(
      c,
      clocks.map((k) => k.team_id),
    );
    for (const k of clocks) {
      const h = hours.get(k.team_id);
      // Never open within the horizon: nothing falls due (kept far away rather than left unset).
      const due = (h && addBusinessMinutes(h, k.started_at, k.target_minutes)) ?? new Date('9999-12-31T00:00:00Z');
      await c.query('update sla_clocks set due_at = $4 where conversation_id = $1 and kind = $2 and cycle = $3', [k.conversation_id, k.kind, k.cycle, due]);
    }
    const ids = [...new Set(clocks.map((k) => k.conversation_id))];
    await refreshDue(c, ids);
    const changes: ConversationChange[] = [];
    for (const r of (await c.query<{ id: string; organisation_id: string }>('select id, organisation_id from conversations where id = any($1::uuid[])', [ids]))
      .rows)
      changes.push({ organisationId: r.organisation_id, conversation: await conversationOf(c, r.id), activity: [] });
    return changes;
  });
}

/** A conversation's next due time: its earliest running clock's. */
async function refreshDue(c: pg.PoolClient, ids: string[]): Promise<void> {
  await c.query(
    `update conversations cv set sla_due_at = n.due_at, sla_due_kind = n.kind
       from (select cv2.id, k.due_at, k.kind from conversations cv2
               left join lateral (select due_at, kind from sla_clocks
                                   where conversation_id = cv2.id and stopped_at is null and due_at is not null
                                   order by due_at limit 1) k on true
              where cv2.id = any($1::uuid[])) n
      where cv.id = n.id and (cv.sla_due_at is distinct from n.due_at or cv.sla_due_kind is distinct from n.kind)`,
    [ids],
  );
}

export interface SlaAlert extends SlaAlertPayload {
  organisationId: string;
  teamId: string;
  /** Admins to tell too (the team's policy says so). */
  notifyAdmins: boolean;
}

/** A clock's row, as the breach and warning queries return it. */
interface AlertRow {
  conversation_id: string;
  kind: SlaKind;
  organisation_id: string;
  team_id: string;
  assignee_id: string | null;
  due_at: Date;
  notify_admins: boolean | null;
}

/** A clock's row as the alert its notification carries. */
const alertOf = (r: AlertRow): SlaAlert => ({
  conversationId: r.conversation_id,
  kind: r.kind,
  dueAt: r.due_at.toISOString(),
  assigneeId: r.assignee_id,
  organisationId: r.organisation_id,
  teamId: r.team_id,
  notifyAdmins: r.notify_admins ?? false,
});

/** Records the breaches due now; returns only those this call recorded (each breach once, whichever instance). */
export async function recordBreaches(db: pg.Pool, limit = 500): Promise<SlaAlert[]> {
  const { rows } = await db.query<AlertRow>(
    `with due as (
       select k.conversation_id, k.kind, k.cycle, k.organisation_id, k.team_id, c.assignee_id, k.due_at
         from sla_clocks k join conversations c on c.id = k.conversation_id
        where k.stopped_at is null and k.due_at <= now() and c.status = 'open'
        order by k.due_at limit $1
     ), recorded as (
       insert into sla_breaches (conversation_id, kind, cycle, organisation_id, team_id, assignee_id, due_at)
       select conversation_id, kind, cycle, organisation_id, team_id, assignee_id, due_at from due
       on conflict do nothing
       returning conversation_id, kind, organisation_id, team_id, assignee_id, due_at
     )
     select r.*, p.notify_admins from recorded r left join sla_policies p on p.team_id = r.team_id`,
    [limit],
  );
  return rows.map(alertOf);
}

/** Marks the clocks due within their policy's warning time as warned; returns those this call marked. */
export async function claimWarnings(db: pg.Pool, limit = 500): Promise<SlaAlert[]> {
  const { rows } = await db.query<AlertRow>(
    `update sla_clocks k set warned_at = now()
       from sla_policies p, conversations c
      where p.team_id = k.team_id and c.id = k.conversation_id and c.status = 'open'
        and k.stopped_at is null and k.warned_at is null and p.warn_before_minutes > 0
        and k.due_at > now() and k.due_at <= now() + make_interval(mins => p.warn_before_minutes)
        and (k.conversation_id, k.kind, k.cycle) in (
          select conversation_id, kind, cycle from sla_clocks
           where stopped_at is null and warned_at is null and due_at <= now() + interval '1 day'
           order by due_at limit $1 for update skip locked)
      returning k.conversation_id, k.kind, k.organisation_id, k.team_id, c.assignee_id, k.due_at, p.notify_admins`,
    [limit],
  );
  return rows.map(alertOf);
}

/** The admins of an organisation (told of breaches when the team's policy says so). */
export async function adminsOf(db: pg.Pool, organisationId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>("select id from agents where organisation_id = $1 and role = 'admin'", [organisationId]);
  return rows.map((r) => r.id);
}
