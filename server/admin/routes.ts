import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import type { AdminOverview, CreateChannelResponse, CreateInviteResponse } from '../../lib/contract/api';
import { acceptInviteRequest, previewInviteRequest, cannedReplyRequest, createChannelRequest, inviteRequest, roleRequest } from '../../lib/contract/schemas';
import { inviteAccounts, PasswordNotCheckedError, sendInviteEmail } from './commands';
import { inviteLimits, type InviteLimits } from './invite-limits';
import { guard, HttpError, parseOr400 } from '../errors';
import type { TokenVerifier } from '../auth/jwt';
import { adminOnly } from '../auth/agent';
import type { Broadcast } from '../sockets/broadcast';
import { INVITE_HTML, INVITE_JS, INVITE_PAGE_CSP } from './invite-page';
import { crmStatus } from '../crm/status';
import type { CrmVendor } from '../crm/types';
import { acceptInvite, previewInvite, type InviteProblem, type InviteProof, createInvite, markInviteEmailed, revokeInvite } from './invitations';
import { adminOverview, createChannelFromWaiting, deleteCannedReply, putCannedReply, removeMember, setRole } from './organisation';

const uuid = z.uuid();
const idParam = (req: FastifyRequest, name = 'id') => {
  const id = uuid.safeParse((req.params as Record<string, string>)[name]);
  if (!id.success) throw new HttpError(400, 'bad_request', `${name} must be a UUID`);
  return id.data;
};

export interface AdminRouteDeps {
  db: pg.Pool;
  broadcast: Broadcast;
  /** The workspace's public URL (PUBLIC_URL): the webhook URL and invitation links start with it. */
  publicUrl: () => string;
  /** Supabase Auth with the service-role key (and the anon key, to check an invitee's own password); null: invitations are off. */
  supabaseAdmin: { url: string; serviceRoleKey: string; anonKey: string } | null;
  /** How many invitations an admin, an organisation and one address may be sent. */
  inviteLimits: InviteLimits;
  /** Verifies Supabase access tokens (an invitee signed in by the e-mailed link). */
  verify: TokenVerifier;
  /** The deployment's Twilio account: waiting messages are checked again as webhooks are before they are routed. */
  twilioSource: { apiBaseUrl: string; accountSid: string };
  /** Whether this server can connect a CRM (the admin view offers it then). */
  crmVendors: CrmVendor[];
}

/**
 * The admin view's routes (behind the agent's authentication): only an admin of the organisation
 * may call them (403 `admin_only` for an agent); every change is audited and tells the team.
 */
export function registerAdminRoutes(api: FastifyInstance, deps: AdminRouteDeps): void {
  const { db, broadcast } = deps;
  const throttle = inviteLimits(db, deps.inviteLimits);

  /** The organisation's own incoming-message webhook URL (see docs/admin.md: why not the shared one). */
  const webhookUrl = (organisationId: string) => `${deps.publicUrl()}/api/webhooks/twilio/organisations/${organisationId}`;

  api.get('/api/admin/overview', { preHandler: adminOnly }, async (req): Promise<AdminOverview> => {
    const [overview, crm] = await Promise.all([
      adminOverview(db, req.agent, webhookUrl(req.agent.organisationId)),
      crmStatus(db, req.agent.organisationId, deps.crmVendors),
    ]);
    return { ...overview, crm };
  });

  // A number whose messages wait for the organisation becomes a channel; the waiting messages reach the team live.
  api.post('/api/admin/channels', { preHandler: adminOnly }, async (req, reply): Promise<CreateChannelResponse> => {
    const { whatsappNumber, name } = parseOr400(createChannelRequest, req.body);
    const org = req.agent.organisationId;
    const { channel, stored } = await guard(() => createChannelFromWaiting(db, req.agent, whatsappNumber, name, deps.twilioSource, webhookUrl(org)));
    for (const s of stored) broadcast.messageNew(s.organisationId, s.message, s.conversation);
    broadcast.teamChanged(org, 'channels');
    reply.code(201);
    return { channel, routed: stored.length };
  });

  api.post('/api/admin/invites', { preHandler: adminOnly }, async (req, reply): Promise<CreateInviteResponse> => {
    if (!deps.supabaseAdmin)
      throw new HttpError(
        503,
        'invites_unavailable',
        'Invitations need SUPABASE_SERVICE_ROLE_KEY on the server; until then use npm run admin -- create-agent.',
      );
    const { email, role, delivery } = parseOr400(inviteRequest, req.body);
    await throttle(req.agent, email, reply);
    const created = await guard(() => createInvite(db, req.agent, email, role));
    let invite = created.invite;
    let emailProblem: string | null = null;
    // The invitation exists first: if Supabase cannot send the e-mail, the link still works. The
    // e-mail's link names this invitation, so only it can be accepted with the session it opens.
    if (delivery === 'email') {
      const sent = await sendInviteEmail(deps.supabaseAdmin, email, `${deps.publicUrl()}/invite?invitation=${invite.id}`);
      if (sent.ok) invite = await markInviteEmailed(db, invite.id);
      else {
        emailProblem = sent.problem;
        req.log.warn({ detail: sent.detail }, 'Supabase Auth did not send an invitation e-mail; the link was given instead');
      }
    }
    broadcast.teamChanged(req.agent.organisationId, 'invites');
    reply.code(201);
    return { invite, link: `${deps.publicUrl()}/invite#${created.token}`, emailed: invite.delivery === 'email', emailProblem };
  });

  api.delete('/api/admin/invites/:id', { preHandler: adminOnly }, async (req) => {
    await guard(() => revokeInvite(db, req.agent, idParam(req)));
    broadcast.teamChanged(req.agent.organisationId, 'invites');
    return { ok: true };
  });

  api.post('/api/admin/agents/:id/role', { preHandler: adminOnly }, async (req) => {
    const { role } = parseOr400(roleRequest, req.body);
    const { changed } = await guard(() => setRole(db, req.agent, idParam(req), role));
    if (changed) broadcast.teamChanged(req.agent.organisationId, 'agents');
    return { ok: true };
  });

  // Removed: refused by the API at once (agents are re-read on every request), sockets told and cut now.
  api.delete('/api/admin/agents/:id', { preHandler: adminOnly }, async (req) => {
    const id = idParam(req);
    await guard(() => removeMember(db, req.agent, id));
    broadcast.agentRemoved(id);
    broadcast.teamChanged(req.agent.organisationId, 'agents');
    return { ok: true };
  });

  api.post('/api/admin/canned-replies', { preHandler: adminOnly }, async (req) => {
    const { shortcut, body } = parseOr400(cannedReplyRequest, req.body);
    await putCannedReply(db, req.agent, shortcut, body);
    broadcast.teamChanged(req.agent.organisationId, 'canned-replies');
    return { ok: true };
  });

  api.delete('/api/admin/canned-replies/:id', { preHandler: adminOnly }, async (req) => {
    await guard(() => deleteCannedReply(db, req.agent, idParam(req)));
    broadcast.teamChanged(req.agent.organisationId, 'canned-replies');
    return { ok: true };
  });
}

/** The invitation page and its one public API call (the invitee has no account yet). */
export function registerInviteRoutes(http: FastifyInstance, deps: AdminRouteDeps): void {
  http.get('/invite', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', INVITE_PAGE_CSP).header('referrer-policy', 'no-referrer').send(INVITE_HTML),
  );
  http.get('/invite.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(INVITE_JS));

  /** The invitee's proof: the link's token, or Supabase Auth's session from the e-mailed link (its verified e-mail) and the invitation it names. */
  const proofOf = async (input: { token?: string; accessToken?: string; invitation?: string }): Promise<InviteProof> => {
    if (input.token) return { token: input.token };
    const claims = await deps.verify(input.accessToken!).catch(() => null);
    if (!claims?.sub || !claims.email)
      throw new HttpError(
        401,
        'invalid_session',
        'This invitation e-mail’s sign-in has expired: open the link in the e-mail again, or ask your admin for a new invitation.',
      );
    return { invitationId: input.invitation!, session: { userId: claims.sub, email: claims.email } };
  };

  // What the invitee reads before joining: which organisation, which role, who invited them (nothing is used).
  http.post('/api/invites/preview', async (req) => {
    if (!deps.supabaseAdmin) throw new HttpError(503, 'invites_unavailable', 'Invitations are off on this server.');
    const result = await previewInvite(deps.db, await proofOf(parseOr400(previewInviteRequest, req.body)));
    if (!result.ok) {
      const [status, message] = INVITE_ANSWERS[result.problem];
      throw new HttpError(status, `invite_${result.problem}`, message);
    }
    const { ok: _ok, ...preview } = result;
    return preview;
  });

  http.post('/api/invites/accept', async (req, reply) => {
    if (!deps.supabaseAdmin) throw new HttpError(503, 'invites_unavailable', 'Invitations are off on this server.');
    const accounts = inviteAccounts(deps.supabaseAdmin, deps.db);
    const input = parseOr400(acceptInviteRequest, req.body);
    const proof = await proofOf(input);
    const result = await guard(() => acceptInvite(deps.db, proof, input, accounts)).catch((err: unknown) => {
      // The invitation was neither used nor refused (its transaction rolled back): the invitee tries again.
      if (!(err instanceof PasswordNotCheckedError)) throw err;
      req.log.warn({ err: err.message }, 'Supabase Auth did not check an invitee’s password');
      reply.header('retry-after', '60');
      throw new HttpError(
        503,
        'auth_unavailable',
        'Your password could not be checked just now (Supabase Auth did not check it: too many sign-ins, or its settings). Your invitation is still valid: try again in a few minutes, and tell your admin if this keeps happening.',
      );
    });
    if (!result.ok) {
      const [status, message] = INVITE_ANSWERS[result.problem];
      throw new HttpError(status, `invite_${result.problem}`, message);
    }
    deps.broadcast.teamChanged(result.organisationId, 'agents');
    return { email: result.email, workspaceUrl: deps.publicUrl() };
  });
}

/** What the invitation page says for each refusal (only ever about the invitee's own invitation and account). */
const INVITE_ANSWERS: Record<InviteProblem, readonly [number, string]> = {
  unknown: [404, 'This invitation does not exist: open the whole link you were sent.'],
  used: [410, 'This invitation was already used: sign in, or ask your admin for a new one.'],
  expired: [410, 'This invitation has expired: ask your admin for a new one.'],
  withdrawn: [410, 'This invitation was withdrawn: ask an admin of your team for a new one.'],
  sign_in_failed: [
    403,
    'This e-mail address already has a Switchboard account, and that is not its password. For your safety this invitation is now used up: ask your admin for a new one, then enter your account’s own password (reset it first if you forgot it).',
  ],
  already_agent: [409, 'Your account is already a member of a Switchboard workspace, and an account belongs to one workspace. This invitation is now used up.'],
};
