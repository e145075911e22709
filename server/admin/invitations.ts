import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { INVITE_TTL_HOURS, type InviteView } from '../../lib/contract/api';
import type { AgentProfile, AgentRole } from '../../lib/contract/models';
import { ConflictError, NotFoundError } from '../errors';
import { inTransaction } from '../inbox/repository';
import { audit } from '../audit';

/**
 * Invitations to an organisation: an admin creates (or revokes) one, the invitee previews and
 * accepts it through Supabase Auth (`InviteAccounts`). Every change is audited in the same transaction.
 */

export type InviteRow = {
  id: string;
  email: string;
  role: AgentRole;
  delivery: 'link' | 'email';
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
};

export const inviteView = (r: InviteRow): InviteView => ({
  id: r.id,
  email: r.email,
  role: r.role,
  delivery: r.delivery,
  createdAt: r.created_at.toISOString(),
  expiresAt: r.expires_at.toISOString(),
  acceptedAt: r.accepted_at?.toISOString() ?? null,
});

/** Supabase Auth as invitations use it (server/admin/commands.ts implements it). */
export interface InviteAccounts {
  /** The Auth user with this email, if there is one. */
  userIdByEmail(email: string): Promise<string | null>;
  /** The user id, when `password` is this email's account's own (a sign-in, ended at once); else null. */
  signsIn(email: string, password: string): Promise<string | null>;
  /** A new, confirmed user: the invitation link stood in for the e-mail confirmation. */
  createUser(email: string, password: string, displayName: string): Promise<string>;
  /** Sets the password of a user who proved control of the account (its Supabase session). */
  setPassword(userId: string, password: string): Promise<void>;
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * An invitation: its link's token is returned once; only its hash is stored. An address that is
 * already a member of this organisation is 409 `already_member`; whether it is an agent anywhere
 * else is not this organisation's to learn (that invitation is refused when used, and audited).
 */
export async function createInvite(db: pg.Pool, admin: AgentProfile, email: string, role: AgentRole): Promise<{ invite: InviteView; token: string }> {
  const token = randomBytes(32).toString('base64url');
  return inTransaction(db, 'begin', async (c) => {
    const member = await c.query('select 1 from agents a join auth.users u on u.id = a.id where lower(u.email) = lower($1) and a.organisation_id = $2', [
      email,
      admin.organisationId,
    ]);
    if (member.rowCount) throw new ConflictError(`${email} is already a member of this organisation`, 'already_member');
    const { rows } = await c.query(
      `insert into invites (organisation_id, email, role, token_sha256, created_by, expires_at)
       values ($1, lower($2), $3, $4, $5, now() + make_interval(hours => $6)) returning id, email, role, delivery, created_at, expires_at, accepted_at`,
      [admin.organisationId, email, role, sha256(token), admin.id, INVITE_TTL_HOURS],
    );
    await audit(c, admin, admin.organisationId, 'invite.created', { email: email.toLowerCase(), role });
    return { invite: inviteView(rows[0]), token };
  });
}

/**
 * Ends the open invitations an admin made (called in the transaction that removes or demotes them):
 * an invitation is only as good as its creator's standing. Audited, one line per invitation.
 */
export async function revokeInvitesOf(c: pg.PoolClient, creatorId: string, organisationId: string, reason: string): Promise<void> {
  const { rows } = await c.query<{ email: string }>(
    'update invites set expires_at = least(expires_at, now()) where created_by = $1 and organisation_id = $2 and used_at is null and expires_at > now() returning email',
    [creatorId, organisationId],
  );
  for (const r of rows) await audit(c, null, organisationId, 'invite.revoked', { email: r.email, reason });
}

/** Records that Supabase Auth e-mailed the invitation (the admin view says so). */
export async function markInviteEmailed(db: pg.Pool, inviteId: string): Promise<InviteView> {
  const { rows } = await db.query<InviteRow>(
    "update invites set delivery = 'email' where id = $1 returning id, email, role, delivery, created_at, expires_at, accepted_at",
    [inviteId],
  );
  return inviteView(rows[0]!);
}

/** Ends an invitation before it is used (its link stops working). */
export async function revokeInvite(db: pg.Pool, admin: AgentProfile, inviteId: string): Promise<void> {
  await inTransaction(db, 'begin', async (c) => {
    const { rows } = await c.query<{ email: string }>(
      'update invites set expires_at = least(expires_at, now()) where id = $1 and organisation_id = $2 and used_at is null returning email',
      [inviteId, admin.organisationId],
    );
    if (!rows[0]) throw new NotFoundError('no open invitation with this id');
    await audit(c, admin, admin.organisationId, 'invite.revoked', { email: rows[0].email });
  });
}

export type InviteProblem = 'unknown' | 'used' | 'expired' | 'withdrawn' | 'sign_in_failed' | 'already_agent';

/** How the invitee shows which invitation is theirs, and who they are. */
export type InviteProof =
  /** The link's token: a new account, or an existing account whose own password is given. */
  | { token: string }
  /** Supabase Auth's e-mailed link for this invitation: the session it signed the invitee in with. */
  | { invitationId: string; session: { userId: string; email: string } };

const REFUSALS: Partial<Record<InviteProblem, string>> = {
  withdrawn: 'the admin who sent it is no longer an admin',
  // Neutral: the inviting organisation learns nothing of the account (whether it exists, where it is).
  sign_in_failed: 'the password given was not accepted',
  already_agent: 'the account could not join this organisation',
};

/**
 * What an invitation is, for the invitee to read before using it: the organisation, the role and
 * who invited them. Changes nothing (the invitation stays unused). Found by the same proof as
 * accepting; one that is used, expired or withdrawn answers that problem.
 */
export async function previewInvite(
  db: pg.Pool,
  proof: InviteProof,
): Promise<
  { ok: true; organisationName: string; role: AgentRole; invitedBy: string; email: string; expiresAt: string } | { ok: false; problem: InviteProblem }
> {
  const columns = `select i.email, i.role, i.expires_at, i.used_at, o.name as organisation_name, a.display_name as invited_by, a.role as creator_role
                     from invites i join organisations o on o.id = i.organisation_id
                     left join agents a on a.id = i.created_by and a.organisation_id = i.organisation_id`;
  const { rows } = await db.query<{
    email: string;
    role: AgentRole;
    expires_at: Date;
    used_at: Date | null;
    organisation_name: string;
    invited_by: string | null;
    creator_role: AgentRole | null;
  }>(
    'token' in proof ? `${columns} where i.token_sha256 = $1` : `${columns} where i.id = $1 and lower(i.email) = lower($2)`,
    'token' in proof ? [sha256(proof.token)] : [proof.invitationId, proof.session.email],
  );
  const i = rows[0];
  if (!i) return { ok: false, problem: 'unknown' };
  if (i.used_at) return { ok: false, problem: 'used' };
  if (i.expires_at.getTime() <= Date.now()) return { ok: false, problem: 'expired' };
  if (i.creator_role !== 'admin') return { ok: false, problem: 'withdrawn' };
  return { ok: true, organisationName: i.organisation_name, role: i.role, invitedBy: i.invited_by!, email: i.email, expiresAt: i.expires_at.toISOString() };
}

/**
 * Uses an invitation, once: in one transaction (the invitation row locked) checks it, finds who
 * the invitee is, makes them an agent with the invited role and marks the invitation used. The
 * first use uses it up, whether it ends in a new agent or in a refusal (audited either way).
 *
 * An existing Auth account is changed only when its owner proved control of it: by its own
 * password (the link; the password is checked by signing in, never set) or by its Supabase
 * session (the e-mailed link, which may then set the password). Every check comes first and the
 * change to Auth last, so nothing is left changed in Auth by a refusal (Auth is not rolled back
 * with our tables). An e-mailed invitation is found by its id (in the e-mail's link) and the
 * session's verified e-mail together: another organisation's invitation for the same address is
 * never the one accepted.
 */
export async function acceptInvite(
  db: pg.Pool,
  proof: InviteProof,
  input: { displayName: string; password: string },
  accounts: InviteAccounts,
): Promise<{ ok: true; agentId: string; organisationId: string; email: string } | { ok: false; problem: InviteProblem }> {
  return inTransaction(db, 'begin', async (c) => {
    type Row = { id: string; organisation_id: string; email: string; role: AgentRole; expires_at: Date; used_at: Date | null; created_by: string | null };
    const columns = 'select id, organisation_id, email, role, expires_at, used_at, created_by from invites';
    const invite = (
      'token' in proof
        ? await c.query<Row>(`${columns} where token_sha256 = $1 for update`, [sha256(proof.token)])
        : await c.query<Row>(`${columns} where id = $1 and lower(email) = lower($2) for update`, [proof.invitationId, proof.session.email])
    ).rows[0];
    if (!invite) return { ok: false, problem: 'unknown' } as const;
    const org = invite.organisation_id;
    const refused = async (problem: InviteProblem, useUp: boolean) => {
      if (useUp) await c.query('update invites set used_at = now(), refusal = $2, expires_at = least(expires_at, now()) where id = $1', [invite.id, problem]);
      const reason = REFUSALS[problem] ?? problem;
      // A link already used or expired, tried again: audited once an hour (per address and reason),
      // not once per try, or whoever holds an old link (any admin can make one) writes rows without
      // end and pushes the organisation's real entries out of the admin view.
      const again =
        !useUp &&
        (
          await c.query(
            "select 1 from audit_log where organisation_id = $1 and action = 'invite.refused' and at > now() - interval '1 hour' and detail->>'email' = $2 and detail->>'reason' = $3 limit 1",
            [org, invite.email, reason],
          )
        ).rowCount;
      if (!again) await audit(c, null, org, 'invite.refused', { email: invite.email, reason });
      return { ok: false, problem } as const;
    };
    if (invite.used_at) return refused('used', false);
    if (invite.expires_at.getTime() <= Date.now()) return refused('expired', false);
    const creator =
      invite.created_by && (await c.query("select 1 from agents where id = $1 and organisation_id = $2 and role = 'admin'", [invite.created_by, org])).rowCount;
    if (!creator) return refused('withdrawn', true);

    // Who the invitee is: a session's user, an existing account proven by its password, or nobody yet.
    let userId: string | null;
    if ('session' in proof) userId = proof.session.userId;
    else {
      userId = await accounts.userIdByEmail(invite.email);
      if (userId && (await accounts.signsIn(invite.email, input.password)) !== userId) return refused('sign_in_failed', true);
    }
    if (userId && (await c.query('select 1 from agents where id = $1', [userId])).rowCount) return refused('already_agent', true);

    // Every check passed: now Auth (a failure here rolls our rows back and leaves the invitation unused).
    if (!userId) userId = await accounts.createUser(invite.email, input.password, input.displayName);
    else if ('session' in proof) await accounts.setPassword(userId, input.password);
    await c.query('insert into agents (id, organisation_id, display_name, role) values ($1, $2, $3, $4)', [userId, org, input.displayName, invite.role]);
    await c.query('update invites set used_at = now(), accepted_at = now(), accepted_by = $2 where id = $1', [invite.id, userId]);
    await audit(c, null, org, 'invite.accepted', { email: invite.email, role: invite.role }, input.displayName);
    return { ok: true, agentId: userId, organisationId: org, email: invite.email } as const;
  });
}
