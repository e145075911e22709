import type pg from 'pg';
import type { AgentProfile, ConversationStatus, ConversationView, MessageView, ReadStateView } from '../../lib/contract/models';
import { readStateFromRow } from '../../lib/contract/rows';
import { ConflictError, NotFoundError, UnprocessableError } from '../errors';
import { asAgent, conversationOf, inTransaction } from './repository';
import { MESSAGE_COLUMNS, messageView, type MessageRow } from './views';

/**
 * Where conversations stand (open, snoozed until a time, resolved) and what an agent has read.
 * Every change is one transaction on the conversation's row, so concurrent changes by several
 * agents, a customer's message and the snooze sweeper of several instances apply one after the
 * other; the database writes the activity line of each change (see the migration
 * `20261128000010_conversation_status.sql` and docs/conversation-status.md).
 */

/** A conversation after a change, and the activity lines the change wrote (what agents are told). */
export interface ConversationChange {
  organisationId: string;
  conversation: ConversationView;
  activity: MessageView[];
}

export interface StatusChange {
  status: ConversationStatus;
  /** Required for `snoozed`: when it reopens by itself. */
  snoozedUntil?: string | null;
  /**
   * The inbound count the agent saw when deciding: if the customer wrote since, a resolve or a
   * snooze is refused (409 `new_messages`) instead of burying what the agent has not read.
   */
  seenInboundCount?: number | null;
}

export type StatusOutcome = 'changed' | 'unchanged' | 'new_messages' | 'not_found';

/** The activity lines written by the current transaction for these conversations. */
export async function activityOfThisTransaction(c: pg.PoolClient, conversationIds: string[]): Promise<MessageView[]> {
  const { rows } = await c.query<MessageRow>(
    `select ${MESSAGE_COLUMNS} from messages
      where conversation_id = any($1::uuid[]) and direction = 'activity' and change_xid = pg_current_xact_id()
      order by created_at, id`,
    [conversationIds],
  );
  return rows.map(messageView);
}

/** Applies one status change inside the caller's transaction (the agent is the actor). */
async function changeStatusIn(
  c: pg.PoolClient,
  agent: AgentProfile,
  id: string,
  change: StatusChange,
): Promise<{ outcome: StatusOutcome; conversation?: ConversationView; activity: MessageView[] }> {
  const current = (
    await c.query<{ status: ConversationStatus; snoozed_until: Date | null; inbound_count: string }>(
      'select status, snoozed_until, inbound_count from conversations where id = $1 and organisation_id = $2 for update',
      [id, agent.organisationId],
    )
  ).rows[0];
  if (!current) return { outcome: 'not_found', activity: [] };
  const until = change.status === 'snoozed' ? new Date(change.snoozedUntil!) : null;
  const same = current.status === change.status && (change.status !== 'snoozed' || current.snoozed_until?.getTime() === until!.getTime());
  if (same) return { outcome: 'unchanged', conversation: await conversationOf(c, id), activity: [] };
  const setsAside = change.status !== 'open';
  if (setsAside && change.seenInboundCount != null && Number(current.inbound_count) > change.seenInboundCount) {
    return { outcome: 'new_messages', conversation: await conversationOf(c, id), activity: [] };
  }
  await c.query("update conversations set status = $2, snoozed_until = $3, status_reason = 'agent' where id = $1", [id, change.status, until]);
  return { outcome: 'changed', conversation: await conversationOf(c, id), activity: await activityOfThisTransaction(c, [id]) };
}

/** Resolves, reopens or snoozes one conversation. */
export async function setStatus(db: pg.Pool, agent: AgentProfile, id: string, change: StatusChange): Promise<{ changed: boolean; change: ConversationChange }> {
  const r = await asAgent(db, agent, (c) => changeStatusIn(c, agent, id, change));
  if (r.outcome === 'not_found') throw new NotFoundError('conversation not found');
  if (r.outcome === 'new_messages') {
    throw new ConflictError('The customer wrote again since you looked: read the new messages first.', 'new_messages');
  }
  return { changed: r.outcome === 'changed', change: { organisationId: agent.organisationId, conversation: r.conversation!, activity: r.activity } };
}

/**
 * The same change for several conversations (bulk resolve from the list), in one transaction,
 * locked in one order. Each gets its own outcome: one with new messages, or gone, does not stop
 * the others.
 */
export async function setStatusMany(
  db: pg.Pool,
  agent: AgentProfile,
  items: Array<{ id: string; seenInboundCount?: number | null }>,
  change: Omit<StatusChange, 'seenInboundCount'>,
): Promise<Array<{ id: string; outcome: StatusOutcome; change?: ConversationChange }>> {
  const sorted = [...new Map(items.map((i) => [i.id, i])).values()].sort((a, b) => a.id.localeCompare(b.id));
  const results = await asAgent(db, agent, async (c) => {
    const out = [];
    for (const item of sorted) {
      const r = await changeStatusIn(c, agent, item.id, { ...change, seenInboundCount: item.seenInboundCount });
      out.push({
        id: item.id,
        outcome: r.outcome,
        change: r.conversation ? { organisationId: agent.organisationId, conversation: r.conversation, activity: r.activity } : undefined,
      });
    }
    return out;
  });
  const byId = new Map(results.map((r) => [r.id, r]));
  return items.map((i) => byId.get(i.id)!);
}

/**
 * Marks a conversation unread for the agent from a message down (the customer's messages from
 * that one on count as unread again), or from its latest customer message.
 */
export async function markUnread(db: pg.Pool, agent: AgentProfile, conversationId: string, fromMessageId: string | null): Promise<ReadStateView> {
  return inTransaction(db, 'begin', async (c) => {
    const conv = (
      await c.query<{ inbound_count: string }>('select inbound_count from conversations where id = $1 and organisation_id = $2 for update', [
        conversationId,
        agent.organisationId,
      ])
    ).rows[0];
    if (!conv) throw new NotFoundError('conversation not found');
    // From a message: what the agent had read is every customer message before it.
    const from = fromMessageId
      ? (
          await c.query<{ created_at: Date; id: string }>('select created_at, id from messages where id = $1 and conversation_id = $2', [
            fromMessageId,
            conversationId,
          ])
        ).rows[0]
      : (
          await c.query<{ created_at: Date; id: string }>(
            "select created_at, id from messages where conversation_id = $1 and direction = 'inbound' order by created_at desc, id desc limit 1",
            [conversationId],
          )
        ).rows[0];
    if (!from)
      throw fromMessageId
        ? new NotFoundError('message not found in this conversation')
        : new UnprocessableError('nothing_unread', 'The customer has not written in this conversation yet.');
    const before = (
      await c.query<{ n: string; last_at: Date | null }>(
        `select count(*) as n, max(created_at) as last_at from messages
          where conversation_id = $1 and direction = 'inbound' and (created_at, id) < ($2::timestamptz, $3::uuid)`,
        [conversationId, from.created_at, from.id],
      )
    ).rows[0]!;
    const readCount = Number(before.n);
    if (readCount >= Number(conv.inbound_count)) throw new UnprocessableError('nothing_unread', 'No customer message from here on: nothing to mark unread.');
    const { rows } = await c.query(
      `insert into read_states (agent_id, conversation_id, organisation_id, last_read_at, read_inbound_count)
       values ($1, $2, $3, $4, $5)
       on conflict (agent_id, conversation_id) do update set last_read_at = excluded.last_read_at, read_inbound_count = excluded.read_inbound_count
       returning conversation_id, last_read_at, read_inbound_count, version`,
      [agent.id, conversationId, agent.organisationId, new Date(from.created_at.getTime() - 1), readCount],
    );
    return readStateFromRow(rows[0]!);
  });
}

/**
 * Reopens every conversation whose snooze has ended. Each instance runs this on a timer; a row is
 * updated by one of them only (the others skip it while it is locked, and find it open after), so
 * each snooze ends exactly once, with one activity line and one broadcast.
 */
export async function wakeSnoozed(db: pg.Pool, limit = 500): Promise<ConversationChange[]> {
  return inTransaction(db, 'begin', async (c) => {
    const woken = (
      await c.query<{ id: string; organisation_id: string }>(
        `update conversations set status = 'open', status_reason = 'snooze_ended'
          where id in (select id from conversations where status = 'snoozed' and snoozed_until <= now()
                        order by snoozed_until limit $1 for update skip locked)
            and status = 'snoozed'
          returning id, organisation_id`,
        [limit],
      )
    ).rows;
    if (woken.length === 0) return [];
    const activity = await activityOfThisTransaction(
      c,
      woken.map((w) => w.id),
    );
    const changes: ConversationChange[] = [];
    for (const w of woken) {
      changes.push({
        organisationId: w.organisation_id,
        conversation: await conversationOf(c, w.id),
        activity: activity.filter((a) => a.conversationId === w.id),
      });
    }
    return changes;
  });
}

/** Wakes snoozed conversations every `everyMs` until stopped; tells agents of each through `onWoken`. */
export function startSnoozeSweeper(deps: { db: pg.Pool; everyMs: number; onWoken(change: ConversationChange): void; onError(err: unknown): void }): {
  stop(): Promise<void>;
} {
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= wakeSnoozed(deps.db)
      .then((changes) => changes.forEach(deps.onWoken))
      .catch(deps.onError)
      .finally(() => (running = null));
  };
  const timer = setInterval(tick, deps.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
