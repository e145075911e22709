import { createClient } from '@supabase/supabase-js';
import type pg from 'pg';
import WebSocket from 'ws';
import { templateVariableLabels } from '../../lib/contract/schemas';
import { describeIssues } from '../errors';
import { inTransaction } from '../inbox/repository';
import { routeWaiting } from '../inbox/unrouted';
import { revokeInvitesOf, type InviteAccounts } from './invitations';

/** Administrative actions behind `npm run admin`, also used by the demo seed and tests. */

export async function createOrganisation(db: pg.Pool, name: string): Promise<{ id: string }> {
  const { rows } = await db.query<{ id: string }>('insert into organisations (name) values ($1) returning id', [name]);
  return rows[0]!;
}

/**
 * A channel of the organisation (the operator's command: any number). With a Twilio `source`,
 * messages already waiting for the number, wherever they came, are routed into conversations in
 * the same transaction (they reach agents through Realtime and sync).
 */
export async function createChannel(
  db: pg.Pool,
  c: { organisationId: string; name: string; whatsappNumber?: string | null; messagingServiceSid?: string | null },
  source?: { apiBaseUrl: string; accountSid: string },
): Promise<{ id: string; routed: number }> {
  const number = c.whatsappNumber ? (c.whatsappNumber.startsWith('whatsapp:') ? c.whatsappNumber : `whatsapp:${c.whatsappNumber}`) : null;
  return inTransaction(db, 'begin', async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      'insert into channels (organisation_id, name, whatsapp_number, messaging_service_sid) values ($1, $2, $3, $4) returning id',
      [c.organisationId, c.name, number, c.messagingServiceSid ?? null],
    );
    const routed = number && source ? (await routeWaiting(tx, number, null, source)).length : 0;
    return { id: rows[0]!.id, routed };
  });
}

const authAdmin = (supabase: { url: string; serviceRoleKey: string }) =>
  createClient(supabase.url, supabase.serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  }).auth.admin;

/** Sets an auth user's password through the Auth admin API (hosted or local, the same call). */
export async function setPassword(supabase: { url: string; serviceRoleKey: string }, userId: string, password: string): Promise<void> {
  const { error } = await authAdmin(supabase).updateUserById(userId, { password });
  if (error) throw new Error(`could not set the password of user ${userId}: ${error.message}`, { cause: error });
}

/** What accepting an invitation may ask of Supabase Auth (hosted or local, the same calls). */

/**
 * Supabase Auth did not check an invitee's password (it throttles sign-ins: 429, per address or
 * from this server's IP; or the project refuses password sign-ins from a server: a CAPTCHA, a
 * disabled provider): nothing is refused or used up, the invitee tries again.
 */
export class PasswordNotCheckedError extends Error {}

/** GoTrue's answers that say the password does not prove the account (wrong, or an account that cannot sign in). */
const NOT_PROVEN = new Set(['invalid_credentials', 'email_not_confirmed', 'user_banned']);

/**
 * Supabase Auth as invitations use it: an existing account is never changed unless its owner
 * proved control of it. Its password is checked by a real sign-in with the anon key (as the
 * invitee would sign in), whose session is then ended (`scope: local`: no other session is).
 */
export function inviteAccounts(supabase: { url: string; serviceRoleKey: string; anonKey: string }, db: pg.Pool): InviteAccounts {
  return {
    async userIdByEmail(email) {
      return (await db.query<{ id: string }>('select id from auth.users where lower(email) = lower($1)', [email])).rows[0]?.id ?? null;
    },
    async signsIn(email, password) {
      const auth = createClient(supabase.url, supabase.anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: WebSocket as never },
      }).auth;
      const { data, error } = await auth.signInWithPassword({ email, password });
      if (error) {
        // A wrong password, or an account that cannot sign in (unconfirmed, banned): not proven.
        // Judged by GoTrue's error code: a 400 is also its answer to a missing CAPTCHA token or a
        // disabled provider, which say nothing of the password and must not use the invitation up.
        if (error.code ? NOT_PROVEN.has(error.code) : [400, 403, 422].includes(error.status ?? 0)) return null;
        throw new PasswordNotCheckedError(`Supabase Auth did not check the password: ${error.status ?? ''} ${error.code ?? ''} ${error.message}`, {
          cause: error,
        });
      }
      await auth.signOut({ scope: 'local' }).catch(() => {});
      return data.user?.id ?? null;
    },
    async createUser(email, password, displayName) {
      const { data, error } = await authAdmin(supabase).createUser({ email, password, email_confirm: true, user_metadata: { display_name: displayName } });
      if (error || !data.user) throw new Error(`could not create the auth user ${email}: ${error?.message ?? 'no user returned'}`, { cause: error });
      return data.user.id;
    },
    setPassword: (userId, password) => setPassword(supabase, userId, password),
  };
}

/**
 * Asks Supabase Auth to e-mail an invitation (`auth.admin.inviteUserByEmail`): its link signs the
 * invitee in and sends them to `redirectTo` (which must be in the project's redirect URLs). An
 * address that already has a confirmed user gets no e-mail from Supabase: the caller gives the link.
 */
export async function sendInviteEmail(
  supabase: { url: string; serviceRoleKey: string },
  email: string,
  redirectTo: string,
): Promise<{ ok: true } | { ok: false; problem: string; detail: string }> {
  const { error } = await authAdmin(supabase).inviteUserByEmail(email, { redirectTo });
  if (!error) return { ok: true };
  // One sentence whatever the reason: "this address already has an account" would tell an admin
  // about someone outside their organisation. The reason goes to the server's log.
  return { ok: false, problem: 'Supabase did not send the invitation e-mail: send the link instead.', detail: `${error.code ?? ''} ${error.message}`.trim() };
}

/**
 * Creates a Supabase Auth user through the Auth admin API (hosted or local, the same call) and
 * makes it an agent of the organisation.
 */
export async function createAgent(
  db: pg.Pool,
  supabase: { url: string; serviceRoleKey: string },
  a: { organisationId: string; email: string; password: string; displayName: string },
): Promise<{ id: string }> {
  const { data, error } = await authAdmin(supabase).createUser({
    email: a.email,
    password: a.password,
    email_confirm: true,
    user_metadata: { display_name: a.displayName },
  });
  if (error || !data.user) throw new Error(`could not create the auth user ${a.email}: ${error?.message ?? 'no user returned'}`, { cause: error });
  await db.query('insert into agents (id, organisation_id, display_name) values ($1, $2, $3)', [data.user.id, a.organisationId, a.displayName]);
  return { id: data.user.id };
}

/**
 * Gives an organisation a WhatsApp template (a Twilio Content sid, `HX…`): its agents list and send
 * only the templates given to it, even when organisations share one Twilio account. `labels` say
 * what each variable means ('1' → 'Customer name'), shown to agents instead of `{{1}}`; given
 * again for a template the organisation has, they replace its labels.
 */
export async function addTemplate(db: pg.Pool, organisationId: string, contentSid: string, labels?: Record<string, string>): Promise<void> {
  if (!/^HX[0-9a-f]{32}$/.test(contentSid))
    throw new Error('the template sid must be HX followed by 32 hex digits (Twilio Console → Content Template Builder)');
  const checked = templateVariableLabels.safeParse(labels ?? {});
  if (!checked.success) throw new Error(`template labels: ${describeIssues(checked.error)}`);
  await db.query(
    `insert into organisation_templates (organisation_id, content_sid, variable_labels) values ($1, $2, $3)
     on conflict (organisation_id, content_sid) do update set variable_labels = case when $4 then excluded.variable_labels else organisation_templates.variable_labels end`,
    [organisationId, contentSid, JSON.stringify(checked.data), labels !== undefined],
  );
}

/**
 * Takes an agent out of its organisation (the auth user stays): REST refuses it at once, and its
 * open sockets are told and cut at the next re-check of each server instance.
 */
export async function removeAgent(db: pg.Pool, email: string): Promise<boolean> {
  return inTransaction(db, 'begin', async (c) => {
    const { rows } = await c.query<{ id: string; organisation_id: string }>(
      'select a.id, a.organisation_id from agents a join auth.users u on u.id = a.id where lower(u.email) = lower($1) for update of a',
      [email],
    );
    if (!rows[0]) return false;
    await revokeInvitesOf(c, rows[0].id, rows[0].organisation_id, 'its creator was removed');
    await c.query('delete from agents where id = $1', [rows[0].id]);
    return true;
  });
}

export interface UnroutedRow {
  id: string;
  twilio_sid: string;
  to_address: string;
  from_address: string;
  messaging_service_sid: string | null;
  received_at: Date;
  body: string;
  /** The organisation whose own webhook URL the message came to, if any. */
  organisation_id: string | null;
}

export async function listUnrouted(db: pg.Pool): Promise<UnroutedRow[]> {
  const { rows } = await db.query<UnroutedRow>(
    `select id, twilio_sid, to_address, from_address, messaging_service_sid, received_at, coalesce(payload->>'Body', '') as body, organisation_id
       from unrouted_messages where routed_at is null order by received_at`,
  );
  return rows;
}
