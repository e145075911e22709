import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { io as ioClient } from 'socket.io-client';
import { createBenchOrgs } from '../agents';
import { newCustomersWriting } from '../http';
import type { RemoteStack } from '../remote-stack';
import { summarize } from '../stats';

export interface RoutingDecisionRow {
  agents: number;
  'new conversations/s': number;
  conversations: number;
  assigned: number;
  /** Webhook sent → message:new heard: the ingest part of the decision time. */
  'stored p50 ms': number;
  'decision p50 ms': number;
  'decision p99 ms': number;
  'max open per agent': number;
}

/**
 * A routing team for each organisation (round robin, every agent a member, its channel), with every
 * agent available and counted as connected: their presence rows are written as the instance
 * holding their browsers would (a thousand Socket.IO clients would measure the load generator).
 */
export async function routeOrganisations(db: pg.Pool, organisationIds: string[], capacity: number): Promise<void> {
  for (const id of organisationIds) {
    const team = (
      await db.query<{ id: string }>(
        "insert into teams (organisation_id, name, assignment, default_capacity) values ($1, 'Bench', 'round_robin', $2) returning id",
        [id, capacity],
      )
    ).rows[0]!;
    await db.query('insert into team_members (team_id, agent_id, organisation_id) select $1, id, organisation_id from agents where organisation_id = $2', [
      team.id,
      id,
    ]);
    await db.query('update channels set team_id = $1 where organisation_id = $2', [team.id, id]);
    // Seen an hour ahead, so the run's length does not matter.
    await db.query("update agent_presence set connected_until = now() + interval '1 hour', last_seen_at = now() where organisation_id = $1", [id]);
  }
}

/**
 * Assignment decision time: new customers write at `rate`/s to one organisation of `agents`
 * agents with round robin on; a decision is timed from the webhook sent to its `conversation:updated`
 * with an assignee, as a colleague's socket hears it.
 */
export async function routingDecisions(stack: RemoteStack, opts: { agents: number; rate: number; seconds: number }): Promise<RoutingDecisionRow> {
  const [org] = await createBenchOrgs(stack, 1, opts.agents);
  await routeOrganisations(stack.db, [org!.id], 5);
  const sentAt = new Map<string, number>(); // body -> sent
  const conversationSent = new Map<string, number>(); // conversation -> sent
  const decisions: number[] = [];
  const stored: number[] = [];
  const socket = ioClient(stack.serverUrl, { transports: ['websocket'], auth: { token: org!.agents[0]!.token }, forceNew: true });
  // The assignment can be heard before the message (the engine is woken at the commit, the webhook's
  // broadcast follows its answer): such a decision is timed when the message arrives.
  const assignedFirst = new Map<string, number>(); // conversation -> assignment heard
  socket.on('message:new', ({ message, conversation }: { message: { body: string }; conversation: { id: string } }) => {
    const t = sentAt.get(message.body);
    if (t === undefined) return;
    stored.push(performance.now() - t);
    const early = assignedFirst.get(conversation.id);
    if (early !== undefined) decisions.push(early - t);
    else conversationSent.set(conversation.id, t);
  });
  socket.on('conversation:updated', ({ conversation }: { conversation: { id: string; assigneeId: string | null } }) => {
    if (!conversation.assigneeId) return;
    const t = conversationSent.get(conversation.id);
    if (t === undefined) assignedFirst.set(conversation.id, performance.now());
    else {
      decisions.push(performance.now() - t);
      conversationSent.delete(conversation.id);
    }
  });
  await new Promise<void>((r) => (socket.connected ? r() : socket.once('connect', () => r())));
  const total = opts.rate * opts.seconds;
  const step = `route-${Date.now()}`;
  const writing = newCustomersWriting(stack, org!.number, { total, step, from: (i) => `+1646557${String(1000 + i)}` });
  try {
    await writing.run(opts.rate, sentAt, () => decisions.length >= total);
  } finally {
    socket.close();
  }
  const s = summarize(decisions);
  const max = (
    await stack.db.query<{ n: number }>(
      "select coalesce(max(n), 0)::int as n from (select count(*) as n from conversations where organisation_id = $1 and status = 'open' and assignee_id is not null group by assignee_id) x",
      [org!.id],
    )
  ).rows[0]!.n;
  return {
    agents: opts.agents,
    'new conversations/s': opts.rate,
    conversations: total,
    assigned: decisions.length,
    'stored p50 ms': summarize(stored).p50,
    'decision p50 ms': s.p50,
    'decision p99 ms': s.p99,
    'max open per agent': max,
  };
}
