import { createClient } from '@supabase/supabase-js';
import twilio from 'twilio';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import type {
  AdminOverview,
  CannedRepliesResponse,
  CreateChannelResponse,
  CreateInviteResponse,
  MeResponse,
  MessagesPage,
  SyncResponse,
} from '../../lib/contract/api';
import { useClients, useTestStack } from '../support/fixture';
import { subscribed } from '../support/realtime';
import { api, createTestOrg, customer, nextEvent, signIn } from '../support/stack';
import { until } from '../support/wait';

/**
 * Admins do their work in the product: roles enforced on every admin route, invitations used once
 * and until they expire, removed agents cut off everywhere at once, canned replies, channels,
 * the audit log, and every change told to the team live.
 */
describe('The admin view’s API', () => {
  const ctx = useTestStack({ orgs: { a: 3, b: 1 } });
  const { connect, realtime } = useClients(ctx);
  const admin = () => ctx.a.agents[0]!;
  const accept = (token: string, password = 'a good long password', displayName = 'New Agent', origin?: string) =>
    fetch(`${ctx.stack.serverUrl}/api/invites/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
      body: JSON.stringify({ token, password, displayName }),
    });
  const invite = async (email: string, role: 'admin' | 'agent' = 'agent') => {
    const res = await api<CreateInviteResponse>(ctx.stack, admin().token, '/api/admin/invites', 'POST', { email, role });
    expect(res.status).toBe(201);
    return { ...res.body, token: res.body.link.split('#')[1]! };
  };

  it('makes the first agent of an organisation its admin, and the others agents', async () => {
    const roles = await Promise.all(ctx.a.agents.map(async (a) => (await api<MeResponse>(ctx.stack, a.token, '/api/me')).body.role));
    expect(roles).toEqual(['admin', 'agent', 'agent']);
    const fresh = await createTestOrg(ctx.stack, 2);
    expect((await api<MeResponse>(ctx.stack, fresh.agents[0]!.token, '/api/me')).body.role).toBe('admin');
  });

  it('refuses every admin route to an agent (403), and another organisation’s rows to an admin (404)', async () => {
    const agent = ctx.a.agents[1]!;
    const someone = ctx.a.agents[2]!.id;
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/overview'],
      ['POST', '/api/admin/invites', { email: 'x@test.dev' }],
      ['DELETE', `/api/admin/invites/${someone}`],
      ['POST', `/api/admin/agents/${someone}/role`, { role: 'admin' }],
      ['DELETE', `/api/admin/agents/${someone}`],
      ['POST', '/api/admin/canned-replies', { shortcut: 'x', body: 'y' }],
      ['DELETE', `/api/admin/canned-replies/${someone}`],
      ['POST', '/api/admin/channels', { whatsappNumber: 'whatsapp:+17375550100', name: 'x' }],
    ];
    for (const [method, path, body] of routes) {
      const res = await api<{ error: string }>(ctx.stack, agent.token, path, method, body);
      expect([path, res.status, res.body.error]).toEqual([path, 403, 'admin_only']);
    }
    const otherAdmin = ctx.b.agents[0]!.token;
    expect((await api(ctx.stack, otherAdmin, `/api/admin/agents/${someone}/role`, 'POST', { role: 'admin' })).status).toBe(404);
    expect((await api(ctx.stack, otherAdmin, `/api/admin/agents/${someone}`, 'DELETE')).status).toBe(404);
    expect((await api<MeResponse>(ctx.stack, agent.token, '/api/me')).body.role).toBe('agent');
  });

  it('invites with a one-time link: the invitee sets a password, signs in and sees the team’s conversations; the link works once', async () => {
    const from = customer();
    await ctx.stack.inbound({ from, to: ctx.a.number, body: 'Hello team' });
    const otherAdmin = await connect(admin().token);
    const told = nextEvent(otherAdmin, 'team:changed');
    const { link, token, invite: created } = await invite('New.Person@Test.dev');
    expect(link).toBe(`${ctx.stack.config.publicUrl}/invite#${token}`);
    expect(created).toMatchObject({ email: 'new.person@test.dev', role: 'agent', acceptedAt: null });
    expect(await told).toEqual({ area: 'invites' });
    // Only the token's hash is stored.
    expect((await ctx.stack.db.query('select 1 from invites where token_sha256 = $1', [token])).rowCount).toBe(0);

    const page = await fetch(`${ctx.stack.serverUrl}/invite`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const joined = await accept(token, 'a good long password', 'Nia New', new URL(ctx.stack.serverUrl).origin);
    expect(joined.status).toBe(200);
    expect(await joined.json()).toEqual({ email: 'new.person@test.dev', workspaceUrl: ctx.stack.config.publicUrl });
    const newToken = await signIn(ctx.stack, 'new.person@test.dev', 'a good long password');
    expect((await api<MeResponse>(ctx.stack, newToken, '/api/me')).body).toMatchObject({ organisationId: ctx.a.id, displayName: 'Nia New', role: 'agent' });
    const sync = await api<SyncResponse>(ctx.stack, newToken, '/api/sync');
    expect(sync.body.conversations.map((c) => c.contact.phone)).toContain(from);

    const again = await accept(token, 'another password here');
    expect(again.status).toBe(410);
    expect(((await again.json()) as { error: string }).error).toBe('invite_used');
    expect(await signIn(ctx.stack, 'new.person@test.dev', 'another password here').catch(() => 'refused')).toBe('refused');
  });

  it('an invitation expires, can be revoked, and an unknown or cross-site one is refused', async () => {
    const expired = await invite('late@test.dev');
    await ctx.stack.db.query("update invites set expires_at = now() - interval '1 second' where id = $1", [expired.invite.id]);
    const late = await accept(expired.token);
    expect([late.status, ((await late.json()) as { error: string }).error]).toEqual([410, 'invite_expired']);

    const revoked = await invite('revoked@test.dev');
    expect((await api(ctx.stack, admin().token, `/api/admin/invites/${revoked.invite.id}`, 'DELETE')).status).toBe(200);
    expect((await accept(revoked.token)).status).toBe(410);

    expect((await accept('x'.repeat(43))).status).toBe(404);
    const crossSite = await invite('cross@test.dev');
    expect((await accept(crossSite.token, undefined, undefined, 'https://crm.example.com')).status).toBe(403);
    expect((await accept(crossSite.token)).status).toBe(200); // still unused: the refused request changed nothing
    expect((await api(ctx.stack, admin().token, '/api/admin/invites', 'POST', { email: 'cross@test.dev' })).status).toBe(409);
  });

  it('invites by Supabase Auth’s e-mail: its link signs the invitee in to the invitation page, who sets a password and joins; it works once', async () => {
    const res = await api<CreateInviteResponse>(ctx.stack, admin().token, '/api/admin/invites', 'POST', {
      email: 'Mailed@Test.dev',
      role: 'agent',
      delivery: 'email',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ emailed: true, emailProblem: null, invite: { email: 'mailed@test.dev', delivery: 'email' } });
    const mail = ctx.stack.mailbox!.messages.find((m) => m.to === 'mailed@test.dev')!;
    // The e-mail's link names this invitation: only it can be accepted with the session it opens.
    expect(new URL(mail.link).searchParams.get('redirect_to')).toBe(`${ctx.stack.config.publicUrl}/invite?invitation=${res.body.invite.id}`);
    const opened = await fetch(mail.link, { redirect: 'manual' });
    const landing = new URL(opened.headers.get('location')!);
    expect(`${landing.origin}${landing.pathname}`).toBe(`${ctx.stack.config.publicUrl}/invite`);
    const accessToken = new URLSearchParams(landing.hash.slice(1)).get('access_token')!;

    const acceptWith = (body: Record<string, string>) =>
      fetch(`${ctx.stack.serverUrl}/api/invites/accept`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: new URL(ctx.stack.serverUrl).origin },
        body: JSON.stringify(body),
      });
    const invitation = landing.searchParams.get('invitation')!;
    expect(invitation).toBe(res.body.invite.id);
    expect((await acceptWith({ accessToken: 'not.a.token-at-all-really', invitation, password: 'a good long password', displayName: 'M' })).status).toBe(401);
    expect((await acceptWith({ accessToken, token: 'x'.repeat(43), invitation, password: 'a good long password', displayName: 'M' })).status).toBe(400);
    expect((await acceptWith({ accessToken, password: 'a good long password', displayName: 'M' })).status).toBe(400); // which invitation?
    const joined = await acceptWith({ accessToken, invitation, password: 'mailed long password', displayName: 'Mo Mailed' });
    expect([joined.status, await joined.json()]).toEqual([200, { email: 'mailed@test.dev', workspaceUrl: ctx.stack.config.publicUrl }]);
    const token = await signIn(ctx.stack, 'mailed@test.dev', 'mailed long password');
    expect((await api<MeResponse>(ctx.stack, token, '/api/me')).body).toMatchObject({ organisationId: ctx.a.id, displayName: 'Mo Mailed', role: 'agent' });
    const again = await acceptWith({ accessToken, invitation, password: 'another long password', displayName: 'X' });
    expect([again.status, ((await again.json()) as { error: string }).error]).toEqual([410, 'invite_used']);
    // The invitation link given with it is used up too.
    expect((await accept(res.body.link.split('#')[1]!)).status).toBe(410);
  });

  it('gives the link when Supabase sends no e-mail (the address already has an account); the link joins that account with its own password', async () => {
    const authAdmin = createClient(ctx.stack.config.supabaseUrl, ctx.stack.local!.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    }).auth.admin;
    await authAdmin.createUser({ email: 'has.account@test.dev', password: 'their own password', email_confirm: true });
    const res = await api<CreateInviteResponse>(ctx.stack, admin().token, '/api/admin/invites', 'POST', { email: 'has.account@test.dev', delivery: 'email' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ emailed: false, invite: { delivery: 'link' } });
    // Not why: that the address has an account is not this organisation's to learn from it.
    expect(res.body.emailProblem).toBe('Supabase did not send the invitation e-mail: send the link instead.');
    expect(ctx.stack.mailbox!.messages.some((m) => m.to === 'has.account@test.dev')).toBe(false);
    expect((await accept(res.body.link.split('#')[1]!, 'their own password', 'Has Account', new URL(ctx.stack.serverUrl).origin)).status).toBe(200);
    const token = await signIn(ctx.stack, 'has.account@test.dev', 'their own password');
    expect((await api<MeResponse>(ctx.stack, token, '/api/me')).body).toMatchObject({ organisationId: ctx.a.id, displayName: 'Has Account' });
  });

  it('changes roles, and keeps at least one admin', async () => {
    const org = await createTestOrg(ctx.stack, 2);
    const [first, second] = org.agents as [(typeof org.agents)[0], (typeof org.agents)[0]];
    const demoteLast = await api<{ error: string }>(ctx.stack, first.token, `/api/admin/agents/${first.id}/role`, 'POST', { role: 'agent' });
    expect([demoteLast.status, demoteLast.body.error]).toEqual([409, 'last_admin']);
    expect((await api(ctx.stack, first.token, `/api/admin/agents/${second.id}/role`, 'POST', { role: 'admin' })).status).toBe(200);
    expect((await api<AdminOverview>(ctx.stack, second.token, '/api/admin/overview')).status).toBe(200);
    expect((await api(ctx.stack, second.token, `/api/admin/agents/${first.id}/role`, 'POST', { role: 'agent' })).status).toBe(200);
    expect((await api(ctx.stack, first.token, '/api/admin/overview')).status).toBe(403);
    expect((await api<{ error: string }>(ctx.stack, second.token, `/api/admin/agents/${second.id}`, 'DELETE')).body.error).toBe('last_admin');
  });

  it('a removed agent is cut off at once: REST refuses it, its socket is told and closed, Realtime sends it nothing more', async () => {
    const org = await createTestOrg(ctx.stack, 2);
    const [boss, leaving] = org.agents as [(typeof org.agents)[0], (typeof org.agents)[0]];
    const socket = await connect(leaving.token);
    const rows: { leaving: unknown[]; boss: unknown[] } = { leaving: [], boss: [] };
    for (const [who, token] of [
      ['leaving', leaving.token],
      ['boss', boss.token],
    ] as const) {
      const client = await realtime.client(token);
      await subscribed(
        client
          .channel(`removal-${who}`)
          .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'messages', filter: `organisation_id=eq.${org.id}` }, (p) =>
            rows[who].push(p.new),
          ),
        true,
      );
    }
    const revoked = nextEvent(socket, 'session:revoked');
    const closed = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    expect((await api(ctx.stack, boss.token, `/api/admin/agents/${leaving.id}`, 'DELETE')).status).toBe(200);
    expect(await revoked).toEqual({ reason: 'removed' });
    expect(await closed).toBe('io server disconnect');
    expect((await api(ctx.stack, leaving.token, '/api/sync')).status).toBe(403);
    await ctx.stack.inbound({ from: customer(), to: org.number, body: 'After the removal' });
    await until(() => rows.boss.length === 1, { what: 'the colleague’s Realtime copy' });
    expect(rows.leaving).toEqual([]);
  });

  it('manages canned replies (agents see them at once), shows channels with their webhook URL and last delivery, and audits it all', async () => {
    const agentSocket = await connect(ctx.a.agents[1]!.token);
    const told = nextEvent(agentSocket, 'team:changed');
    expect((await api(ctx.stack, admin().token, '/api/admin/canned-replies', 'POST', { shortcut: 'Refund', body: 'Your refund is on its way.' })).status).toBe(
      200,
    );
    expect(await told).toEqual({ area: 'canned-replies' });
    const listed = await api<CannedRepliesResponse>(ctx.stack, ctx.a.agents[1]!.token, '/api/canned-replies');
    const refund = listed.body.cannedReplies.find((c) => c.shortcut === 'refund')!;
    expect(refund.body).toBe('Your refund is on its way.');
    expect((await api<{ message: string }>(ctx.stack, admin().token, '/api/admin/canned-replies', 'POST', { shortcut: 'no spaces', body: 'x' })).status).toBe(
      400,
    );
    expect((await api(ctx.stack, admin().token, `/api/admin/canned-replies/${refund.id}`, 'DELETE')).status).toBe(200);
    expect(
      (await api<CannedRepliesResponse>(ctx.stack, ctx.a.agents[1]!.token, '/api/canned-replies')).body.cannedReplies.map((c) => c.shortcut),
    ).not.toContain('refund');

    await ctx.stack.inbound({ from: customer(), to: ctx.a.number, body: 'Reaching the channel' });
    const overview = (await api<AdminOverview>(ctx.stack, admin().token, '/api/admin/overview')).body;
    expect(overview.channels).toEqual([
      expect.objectContaining({
        id: ctx.a.channelId,
        whatsappNumber: ctx.a.number,
        webhookUrl: `${ctx.stack.config.publicUrl}/api/webhooks/twilio/organisations/${ctx.a.id}`,
        lastInboundAt: expect.any(String),
      }),
    ]);
    expect(overview.members.map((m) => m.role)).toContain('admin');
    const actions = overview.audit.map((e) => [e.actorName, e.action, e.detail]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['Agent 0', 'canned_reply.saved', { shortcut: 'refund' }],
        ['Agent 0', 'canned_reply.deleted', { shortcut: 'refund' }],
        ['Nia New', 'invite.accepted', { email: 'new.person@test.dev', role: 'agent' }],
      ]),
    );
    // Another organisation's admin sees none of it.
    const theirs = (await api<AdminOverview>(ctx.stack, ctx.b.agents[0]!.token, '/api/admin/overview')).body;
    expect(theirs.audit.filter((e) => e.action.startsWith('canned_reply'))).toEqual([]);
    expect(theirs.channels.map((c) => c.id)).toEqual([ctx.b.channelId]);
  });

  describe('numbers not set up yet', () => {
    // Numbers handed out in sequence (random draws could collide within a test).
    let n = Math.floor(Math.random() * 8000);
    const newNumber = () => `whatsapp:+1737555${String(1000 + (n++ % 9000))}`;
    const overview = async (token: string) => (await api<AdminOverview>(ctx.stack, token, '/api/admin/overview')).body;
    const createChannel = (token: string, whatsappNumber: string, name = 'Support line') =>
      api<CreateChannelResponse & { error?: string }>(ctx.stack, token, '/api/admin/channels', 'POST', { whatsappNumber, name });

    it('shows an admin only the messages that came to its own webhook URL, and sets their number up: the waiting messages reach the team live, with the time they arrived', async () => {
      const number = newNumber();
      const elsewhere = newNumber();
      const theirs = newNumber();
      const adminSocket = await connect(admin().token);
      const told = nextEvent(adminSocket, 'team:changed');
      const first = customer();
      expect((await ctx.stack.inbound({ from: first, to: number, body: 'Is anyone there?', organisationId: ctx.a.id })).status).toBe(200);
      expect(await told).toEqual({ area: 'unrouted' });
      await ctx.stack.inbound({ from: first, to: number, body: 'Hello?', organisationId: ctx.a.id });
      await ctx.stack.inbound({ from: customer(), to: elsewhere, body: 'At the shared URL' });
      await ctx.stack.inbound({ from: customer(), to: theirs, body: 'For the other workspace', organisationId: ctx.b.id });

      const mine = await overview(admin().token);
      expect(mine.webhookUrl).toBe(`${ctx.stack.config.publicUrl}/api/webhooks/twilio/organisations/${ctx.a.id}`);
      expect(mine.waiting).toEqual([expect.objectContaining({ whatsappNumber: number, count: 2, latest: { from: `whatsapp:${first}`, body: 'Hello?' } })]);
      expect((await overview(ctx.b.agents[0]!.token)).waiting.map((w) => w.whatsappNumber)).toEqual([theirs]);

      // Only an admin, and only with the proof: a message to the number at its own URL.
      expect((await createChannel(ctx.a.agents[1]!.token, number)).status).toBe(403);
      expect((await createChannel(ctx.b.agents[0]!.token, number)).status).toBe(404);
      expect((await createChannel(admin().token, elsewhere)).status).toBe(404);
      expect((await createChannel(admin().token, theirs)).status).toBe(404);
      expect((await createChannel(admin().token, 'whatsapp:12', 'x')).status).toBe(400);

      const arrived = (
        await ctx.stack.db.query<{ received_at: Date }>('select received_at from unrouted_messages where to_address = $1 order by received_at', [number])
      ).rows;
      const agentSocket = await connect(ctx.a.agents[1]!.token);
      const live = nextEvent(agentSocket, 'message:new');
      const channelTold = nextEvent(agentSocket, 'team:changed');
      const created = await createChannel(admin().token, number, 'Support line');
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ routed: 2, channel: { name: 'Support line', whatsappNumber: number, webhookUrl: mine.webhookUrl } });
      expect((await live).conversation.contact.phone).toBe(first);
      expect(await channelTold).toEqual({ area: 'channels' });

      const sync = await api<SyncResponse>(ctx.stack, ctx.a.agents[1]!.token, '/api/sync');
      const conversation = sync.body.conversations.find((c) => c.contact.phone === first)!;
      expect(conversation).toMatchObject({ channelId: created.body.channel.id, unreadCount: 2, lastMessagePreview: 'Hello?' });
      const page = await api<MessagesPage>(ctx.stack, ctx.a.agents[1]!.token, `/api/conversations/${conversation.id}/messages`);
      const bodies = page.body.messages.map((m) => [m.body, Math.floor(Date.parse(m.createdAt) / 1000)]);
      expect(bodies.sort()).toEqual(
        [
          ['Hello?', Math.floor(arrived[1]!.received_at.getTime() / 1000)],
          ['Is anyone there?', Math.floor(arrived[0]!.received_at.getTime() / 1000)],
        ].sort(),
      );
      // The other workspace has none of it.
      const theirSync = await api<SyncResponse>(ctx.stack, ctx.b.agents[0]!.token, '/api/sync');
      expect(theirSync.body.conversations.map((c) => c.contact.phone)).not.toContain(first);

      const after = await overview(admin().token);
      expect(after.waiting).toEqual([]);
      expect(after.channels.map((c) => c.whatsappNumber)).toContain(number);
      expect(after.audit[0]).toMatchObject({
        actorName: 'Agent 0',
        action: 'channel.created',
        detail: { name: 'Support line', number: number.slice('whatsapp:'.length), messages: 2 },
      });

      // Set up once; the next message goes straight to the conversation, whichever URL it comes to.
      expect((await createChannel(admin().token, number)).body.error).toBe('channel_exists');
      const next = nextEvent(agentSocket, 'message:new');
      await ctx.stack.inbound({ from: first, to: number, body: 'Thanks!' });
      expect((await next).conversation.id).toBe(conversation.id);
      // The operator still has the one that came to the shared URL.
      expect(
        (await ctx.stack.db.query('select 1 from unrouted_messages where to_address = $1 and routed_at is null and organisation_id is null', [elsewhere]))
          .rowCount,
      ).toBe(1);
    });

    it('sets a number up once when two admins try at the same moment', async () => {
      const number = newNumber();
      await ctx.stack.inbound({ from: customer(), to: number, body: 'Race', organisationId: ctx.a.id });
      const secondAdmin = ctx.a.agents[2]!;
      expect((await api(ctx.stack, admin().token, `/api/admin/agents/${secondAdmin.id}/role`, 'POST', { role: 'admin' })).status).toBe(200);
      const results = await Promise.all([createChannel(admin().token, number, 'One'), createChannel(secondAdmin.token, number, 'Two')]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
      const winner = results.find((r) => r.status === 201)!;
      expect(winner.body.routed).toBe(1);
      expect((await ctx.stack.db.query('select count(*)::int as n from messages where body = $1', ['Race'])).rows[0].n).toBe(1);
      expect((await api(ctx.stack, admin().token, `/api/admin/agents/${secondAdmin.id}/role`, 'POST', { role: 'agent' })).status).toBe(200);
    });

    it('keeps a message to an unknown organisation’s URL for the operator, and refuses a malformed one', async () => {
      const number = newNumber();
      const stranger = '00000000-0000-4000-8000-000000000000';
      const res = await ctx.stack.inbound({ from: customer(), to: number, body: 'Lost?', organisationId: stranger });
      expect(res.status).toBe(200);
      expect((await ctx.stack.db.query('select organisation_id from unrouted_messages where to_address = $1', [number])).rows).toEqual([
        { organisation_id: null },
      ]);
      const bad = await fetch(`${ctx.stack.serverUrl}/api/webhooks/twilio/organisations/not-a-uuid`, { method: 'POST' });
      expect(bad.status).toBe(404);
      // Signed over the shared URL, posted to an organisation's: the signature does not hold.
      const params = new URLSearchParams(res.params);
      const signature = twilio.getExpectedTwilioSignature(ctx.stack.config.twilio.authToken, `${ctx.stack.config.publicUrl}/api/webhooks/twilio`, res.params);
      const moved = await fetch(`${ctx.stack.serverUrl}/api/webhooks/twilio/organisations/${ctx.a.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: params,
      });
      expect(moved.status).toBe(403);
    });
  });
});
