import { expect } from 'vitest';
import type { RoutingOverview } from '../../lib/contract/routing';
import type { Stack } from '../../server/stack';
import { api, type TestOrg } from './stack';
import { until } from './wait';

/**
 * A team that answers the organisation's channel with all its agents in it, set up through the
 * admin API as an admin would; its id.
 */
export async function setUpTeam(
  stack: Stack,
  adminToken: string,
  org: TestOrg,
  policy: { assignment: 'round_robin' | 'least_busy' | 'off'; defaultCapacity: number; name?: string },
): Promise<string> {
  const created = await api<{ id: string }>(stack, adminToken, '/api/admin/teams', 'POST', { name: policy.name ?? 'Support', ...policy });
  expect(created.status).toBe(201);
  for (const a of org.agents) expect((await api(stack, adminToken, `/api/admin/teams/${created.body.id}/members/${a.id}`, 'PUT', {})).status).toBe(200);
  expect((await api(stack, adminToken, `/api/admin/channels/${org.channelId}/team`, 'PUT', { teamId: created.body.id })).status).toBe(200);
  return created.body.id;
}

/** Waits until routing counts exactly `n` agents of the organisation as connected. */
export async function waitConnected(stack: Stack, token: string, n: number): Promise<void> {
  await until(
    async () => {
      const { body } = await api<RoutingOverview>(stack, token, '/api/routing');
      return body.agents.filter((a) => a.connected).length === n;
    },
    { what: `${n} agents connected for routing` },
  );
}

/** The "assigned" activity lines of an organisation (or one conversation), oldest first. */
export async function assignedLines(
  stack: Stack,
  organisationId: string,
  conversationId?: string,
): Promise<Array<{ conversation_id: string; sent_by: string | null; activity: { to: string | null; from: string | null; rule?: string } }>> {
  const { rows } = await stack.db.query(
    `select conversation_id, sent_by, activity from messages
      where organisation_id = $1 and direction = 'activity' and activity ->> 'kind' = 'assigned' and ($2::uuid is null or conversation_id = $2)
      order by created_at, id`,
    [organisationId, conversationId ?? null],
  );
  return rows;
}

/** A conversation's row as the database has it now. */
export async function conversationOf(
  stack: Stack,
  id: string,
): Promise<{ assignee_id: string | null; status: string; sla_due_at: Date | null; sla_due_kind: string | null }> {
  const { rows } = await stack.db.query('select assignee_id, status, sla_due_at, sla_due_kind from conversations where id = $1', [id]);
  return rows[0];
}
