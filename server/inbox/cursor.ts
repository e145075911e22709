import { signerFor } from '../auth/signing';

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
  const signer = signerFor(secret, 'sync cursor v1');
  const text = (agent: Holder, snapshot: string) => `${agent.id}\n${agent.organisationId}\n${snapshot}`;
  return {
    sign: (agent, snapshot) => `${snapshot}.${signer.sign(text(agent, snapshot))}`,
    open: (agent, cursor) => {
      const dot = cursor.lastIndexOf('.');
      if (dot < 0) return null;
      const snapshot = cursor.slice(0, dot);
      return signer.verify(text(agent, snapshot), cursor.slice(dot + 1)) ? snapshot : null;
    },
  };
}
