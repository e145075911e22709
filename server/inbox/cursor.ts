import { createHmac, hkdfSync } from 'node:crypto';
import { secretEquals } from '../auth/compare';

/**
 * Sync cursors are PostgreSQL snapshots (see supabase/migrations/…_sync.sql), handed to one agent
 * and signed for that agent in its organisation: a forged cursor ("1:1:" would mean "everything since the first
 * transaction") or another agent's cursor (or one from before the agent moved organisation) is refused, never answered with the whole history.
 * Format: `<snapshot>.<base64url HMAC-SHA256 over agent, organisation and snapshot>`.
 */
type Holder = { id: string; organisationId: string };

export interface CursorSigner {
  sign(agent: Holder, snapshot: string): string;
  /** The snapshot inside a cursor signed for this agent in its organisation, or null. */
  open(agent: Holder, cursor: string): string | null;
}

/** The signing key is derived from a deployment secret every instance shares (HKDF, own label). */
export function createCursorSigner(secret: string): CursorSigner {
  const key = Buffer.from(hkdfSync('sha256', secret, 'switchboard', 'sync cursor v1', 32));
  const mac = (agent: Holder, snapshot: string) => createHmac('sha256', key).update(`${agent.id}\n${agent.organisationId}\n${snapshot}`).digest('base64url');
  return {
    sign: (agent, snapshot) => `${snapshot}.${mac(agent, snapshot)}`,
    open: (agent, cursor) => {
      const dot = cursor.lastIndexOf('.');
      if (dot < 0) return null;
      const snapshot = cursor.slice(0, dot);
      return secretEquals(cursor.slice(dot + 1), mac(agent, snapshot)) ? snapshot : null;
    },
  };
}
