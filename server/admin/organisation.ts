import type pg from 'pg';
import type { AdminOverview, AuditEntry, ChannelView, TeamMember } from '../../lib/contract/api';
import type { AgentProfile, AgentRole } from '../../lib/contract/models';
import { ConflictError, NotFoundError } from '../errors';
import { inTransaction } from '../inbox/repository';
import { listCannedReplies } from '../inbox/team';
import { routeWaiting, waitingNumbers } from '../inbox/unrouted';
import type { StoreInboundResult } from '../inbox/repository';
import { audit } from '../audit';
import { inviteView, revokeInvitesOf, type InviteRow } from './invitations';

/**
 * What an organisation's admins do in the product: change roles, remove agents, manage canned
 * replies, see channels and the audit log (invitations are invitations.ts). Every change is audited
 * in the same transaction. Callers (the routes) have checked that the caller is an admin of the
 * organisation.
 */

/** The organisation as the admin view shows it (its CRM is added by the route: `crmStatus`). */
export async function adminOverview(db: pg.Pool, admin: AgentProfile, webhookUrl: string): Promise<Omit<AdminOverview, 'crm'>> {
  const org = admin.organisationId;
  const [members, invites, channels, audit, cannedReplies, waiting] = await Promise.all([
    db.query<{ id: string; display_name: string; email: string | null; role: AgentRole }>(
      'select a.id, a.display_name, u.email, a.role from agents a left join auth.users u on u.id = a.id where a.organisation_id = $1 order by a.display_name, a.id',
      [org],
    ),
    db.query<InviteRow>(
      'select id, email, role, delivery, created_at, expires_at, accepted_at from invites where organisation_id = $1 order by created_at desc limit 50',
      [org],
    ),
    db.query<{ id: string; name: string; whatsapp_number: string | null; messaging_service_sid: string | null; last_inbound_at: Date | null }>(
      `select ch.id, ch.name, ch.whatsapp_number, ch.messaging_service_sid,
              (select max(c.last_inbound_at) from conversations c where c.channel_id = ch.id) as last_inbound_at
         from channels ch where ch.organisation_id = $1 order by ch.created_at, ch.id`,
      [org],
    ),
    db.query<{ id: string; actor_name: string; action: string; detail: Record<string, unknown>; at: Date }>(
      'select id, actor_name, action, detail, at from audit_log where organisation_id = $1 order by at desc, id desc limit 50',
      [org],
    ),
    listCannedReplies(db, org),
    waitingNumbers(db, org),
  ]);
  return {
    members: members.rows.map((r): TeamMember => ({ id: r.id, displayName: r.display_name, email: r.email, role: r.role })),
    invites: invites.rows.map(inviteView),
    cannedReplies,
    channels: channels.rows.map((r) => channelView(r, webhookUrl)),
    webhookUrl,
    waiting,
    audit: audit.rows.map((r): AuditEntry => ({ id: Number(r.id), actorName: r.actor_name, action: r.action, detail: r.detail, at: r.at.toISOString() })),
  };
}

const channelView = (
  r: { id: string; name: string; whatsapp_number: string | null; messaging_service_sid: string | null; last_inbound_at: Date | null },
  webhookUrl: string,
): ChannelView => ({
  id: r.id,
  name: r.name,
  whatsappNumber: r.whatsapp_number,
  messagingServiceSid: r.messaging_service_sid,
  webhookUrl,
  lastInboundAt: r.last_inbound_at?.toISOString() ?? null,
});

/** The admins left if `agentId` stopped being one (an organisation always keeps one). */
async function adminsWithout(c: pg.PoolClient, organisationId: string, agentId: string): Promise<number> {
  const { rows } = await c.query<{ n: number }>(
    "select count(*)::int as n from (select id from agents where organisation_id = $1 and role = 'admin' for update) a where a.id <> $2",
    [organisationId, agentId],
  );
  return rows[0]!.n;
}

/** Gives an agent of the organisation another role; the last admin stays one. */
export async function setRole(db: pg.Pool, admin: AgentProfile, agentId: string, role: AgentRole): Promise<{ changed: boolean }> {
  return inTransaction(db, 'begin', async (c) => {
    const target = (
      await c.query<{ role: AgentRole; display_name: string }>('select role, display_name from agents where id = $1 and organisation_id = $2 for update', [
        agentId,
        admin.organisationId,
      ])
    ).rows[0];
    if (!target) throw new NotFoundError('no such agent in this organisation');
    if (target.role === role) return { changed: false };
    if (role !== 'admin' && (await adminsWithout(c, admin.organisationId, agentId)) === 0) {
      throw new ConflictError('An organisation needs at least one admin: make someone else admin first.', 'last_admin');
    }
    await c.query('update agents set role = $2 where id = $1', [agentId, role]);
    await audit(c, admin, admin.organisationId, 'agent.role_changed', { agent: target.display_name, role });
    if (role !== 'admin') await revokeInvitesOf(c, agentId, admin.organisationId, `${target.display_name} is no longer an admin`);
    return { changed: true };
  });
}

/** Takes an agent out of the organisation (the Auth user stays); the last admin cannot be removed. */
export async function removeMember(db: pg.Pool, admin: AgentProfile, agentId: string): Promise<void> {
  await inTransaction(db, 'begin', async (c) => {
    const target = (
      await c.query<{ role: AgentRole; display_name: string }>('select role, display_name from agents where id = $1 and organisation_id = $2 for update', [
        agentId,
        admin.organisationId,
      ])
    ).rows[0];
    if (!target) throw new NotFoundError('no such agent in this organisation');
    if (target.role === 'admin' && (await adminsWithout(c, admin.organisationId, agentId)) === 0) {
      throw new ConflictError('An organisation needs at least one admin: make someone else admin first.', 'last_admin');
    }
    await revokeInvitesOf(c, agentId, admin.organisationId, `${target.display_name} was removed`);
    await c.query('delete from agents where id = $1', [agentId]);
    await audit(c, admin, admin.organisationId, 'agent.removed', { agent: target.display_name });
  });
}

/** Adds a canned reply, or replaces the text of its shortcut. */
export async function putCannedReply(db: pg.Pool, admin: AgentProfile, shortcut: string, body: string): Promise<void> {
  await inTransaction(db, 'begin', async (c) => {
    await c.query(
      `insert into canned_replies (organisation_id, shortcut, body) values ($1, $2, $3)
       on conflict (organisation_id, shortcut) do update set body = excluded.body`,
      [admin.organisationId, shortcut, body],
    );
    await audit(c, admin, admin.organisationId, 'canned_reply.saved', { shortcut });
  });
}

export async function deleteCannedReply(db: pg.Pool, admin: AgentProfile, id: string): Promise<void> {
  await inTransaction(db, 'begin', async (c) => {
    const { rows } = await c.query<{ shortcut: string }>('delete from canned_replies where id = $1 and organisation_id = $2 returning shortcut', [
      id,
      admin.organisationId,
    ]);
    if (!rows[0]) throw new NotFoundError('no such canned reply in this organisation');
    await audit(c, admin, admin.organisationId, 'canned_reply.deleted', { shortcut: rows[0].shortcut });
  });
}

/**
 * Sets up a number as a channel of the organisation, from messages that came to its own webhook
 * URL (the proof that the Twilio account's holder pointed the number here), and routes those
 * messages into conversations, in one transaction. A number with no such message is 404; one
 * another channel owns is 409 `channel_exists`.
 */
export async function createChannelFromWaiting(
  db: pg.Pool,
  admin: AgentProfile,
  whatsappNumber: string,
  name: string,
  source: { apiBaseUrl: string; accountSid: string },
  webhookUrl: string,
): Promise<{ channel: ChannelView; stored: Array<Extract<StoreInboundResult, { kind: 'stored' }>> }> {
  return inTransaction(db, 'begin', async (c) => {
    // Two admins setting up one number at once: one after the other.
    await c.query('select pg_advisory_xact_lock(hashtext($1))', [`channel:${whatsappNumber}`]);
    const owner = (await c.query<{ organisation_id: string }>('select organisation_id from channels where whatsapp_number = $1', [whatsappNumber])).rows[0];
    if (owner?.organisation_id === admin.organisationId) throw new ConflictError('This number is already one of your channels.', 'channel_exists');
    // Whether another workspace owns a number is said only to an organisation whose webhook URL
    // that number's messages reach (the proof it is theirs to set up): no probing of numbers.
    const waiting = await c.query('select 1 from unrouted_messages where organisation_id = $1 and to_address = $2 and routed_at is null limit 1', [
      admin.organisationId,
      whatsappNumber,
    ]);
    if (!waiting.rowCount)
      throw new NotFoundError('No message to this number has come to this workspace’s webhook URL: point the number at it in Twilio first.');
    if (owner) throw new ConflictError('This number is already a channel of another workspace: ask the operator.', 'channel_exists');
    const { rows } = await c.query<{ id: string; name: string; whatsapp_number: string; messaging_service_sid: null; created_at: Date }>(
      'insert into channels (organisation_id, name, whatsapp_number) values ($1, $2, $3) returning id, name, whatsapp_number, messaging_service_sid',
      [admin.organisationId, name, whatsappNumber],
    );
    const stored = await routeWaiting(c, whatsappNumber, admin.organisationId, source);
    await audit(c, admin, admin.organisationId, 'channel.created', { name, number: whatsappNumber.replace(/^whatsapp:/, ''), messages: stored.length });
    const last = stored.reduce<string | null>((at, s) => (!at || s.message.createdAt > at ? s.message.createdAt : at), null);
    return { channel: channelView({ ...rows[0]!, last_inbound_at: last ? new Date(last) : null }, webhookUrl), stored };
  });
}
