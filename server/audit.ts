import type pg from 'pg';
import type { AgentProfile } from '../lib/contract/models';

/**
 * One line of the organisation's audit log (`audit_log`, the admin view's *Audit log*): who did
 * what, in the caller's transaction when it passes its client. Used by the admin routes, CRM
 * write-back and the operator API alike.
 */
export async function audit(
  c: pg.PoolClient | pg.Pool,
  actor: AgentProfile | null,
  organisationId: string,
  action: string,
  detail: Record<string, unknown>,
  actorName?: string,
): Promise<void> {
  await c.query('insert into audit_log (organisation_id, actor_id, actor_name, action, detail) values ($1, $2, $3, $4, $5)', [
    organisationId,
    actor?.id ?? null,
    actorName ?? actor?.displayName ?? 'Switchboard',
    action,
    detail,
  ]);
}
