import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AdminOverview, CreateInviteResponse } from '../../lib/contract/api';
import { useTestStack } from '../support/fixture';
import { inviteAccounts, PasswordNotCheckedError, removeAgent } from '../../server/admin/commands';
import { api, createTestOrg, signIn, type TestOrg } from '../support/stack';

/**
 * Issue 29: invitations as an attacker uses them. An admin of one organisation holds its own
 * invitation links (and may accept them itself); everything else — someone else's account,
 * another organisation's invitation, whether an address is an agent elsewhere — must stay out of
 * its reach.
 */
describe('Invitations and the admin view, as another organisation’s admin tries them', () => {
  const ctx = useTestStack({
    orgs: { a: 2, b: 1 },
    env: { INVITES_PER_ADMIN_PER_HOUR: '10', INVITES_PER_ORGANISATION_PER_DAY: '12', INVITES_PER_ADDRESS_PER_DAY: '2' },
  });
  const origin = () => new URL(ctx.stack.serverUrl).origin;
  const invite = async (org: TestOrg, email: string, o: { delivery?: 'link' | 'email'; role?: 'admin' | 'agent'; by?: number } = {}) => {
    const res = await api<CreateInviteResponse & { error?: string; message?: string }>(ctx.stack, org.agents[o.by ?? 0]!.token, '/api/admin/invites', 'POST', {
      email,
      role: o.role ?? 'agent',
      delivery: o.delivery ?? 'link',
    });
    return { ...res, token: res.body.link?.split('#')[1] ?? '' };
  };
  const accept = async (body: Record<string, string>) => {
    const res = await fetch(`${ctx.stack.serverUrl}/api/invites/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: origin() },
      body: JSON.stringify({ displayName: 'Someone', ...body }),
    });
    return { status: res.status, body: (await res.json()) as { error?: string; email?: string; message?: string } };
  };
  const authUser = async (email: string) =>
    (
      await ctx.stack.db.query<{ id: string; email_confirmed_at: Date | null; encrypted_password: string | null }>(
        'select id, email_confirmed_at, encrypted_password from auth.users where lower(email) = lower($1)',
        [email],
      )
    ).rows[0];
  const agentOf = async (email: string) =>
    (
      await ctx.stack.db.query<{ organisation_id: string }>(
        'select a.organisation_id from agents a join auth.users u on u.id = a.id where lower(u.email) = lower($1)',
        [email],
      )
    ).rows[0]?.organisation_id ?? null;
  const audit = async (org: TestOrg) =>
    (await api<AdminOverview>(ctx.stack, org.agents[0]!.token, '/api/admin/overview')).body.audit.map((e) => [e.action, e.detail]);
  const mailLink = (email: string) => [...ctx.stack.mailbox!.messages].reverse().find((m) => m.to === email)!.link;
  /** Opens an e-mailed invitation link as the invitee's browser does: the session and the invitation it names. */
  const openMail = async (link: string) => {
    const landing = new URL((await fetch(link, { redirect: 'manual' })).headers.get('location')!);
    return { accessToken: new URLSearchParams(landing.hash.slice(1)).get('access_token')!, invitation: landing.searchParams.get('invitation')! };
  };

  it('never sets the password of an account that joined another organisation: an old link of A asks for its own password, and is used up', async () => {
    const victim = 'victim.person@test.dev';
    const old = await invite(ctx.a, victim); // A invited them once…
    const b = await invite(ctx.b, victim); // …but they joined B.
    expect((await accept({ token: b.token, password: 'victim’s own password' })).status).toBe(200);
    const before = await authUser(victim);

    // A's admin accepts A's old link with a password of its choosing.
    const takeover = await accept({ token: old.token, password: 'attacker chose this', displayName: 'Not the victim' });
    expect([takeover.status, takeover.body.error]).toEqual([403, 'invite_sign_in_failed']);
    expect(await signIn(ctx.stack, victim, 'attacker chose this').catch(() => 'refused')).toBe('refused');
    await signIn(ctx.stack, victim, 'victim’s own password');
    expect(await authUser(victim)).toEqual(before); // neither password nor confirmation touched
    expect(await agentOf(victim)).toBe(ctx.b.id);
    // Used up by that first use: not even the right password makes it work now.
    expect((await accept({ token: old.token, password: 'victim’s own password' })).body.error).toBe('invite_used');
    expect(await audit(ctx.a)).toEqual(
      expect.arrayContaining([
        ['invite.refused', { email: victim, reason: 'the password given was not accepted' }],
        ['invite.refused', { email: victim, reason: 'used' }],
      ]),
    );
  });

  it('changes no account that is not an agent either (a removed agent, another app’s user, an unconfirmed invitee): only its own password joins it', async () => {
    const authAdmin = createClient(ctx.stack.config.supabaseUrl, ctx.stack.local!.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    }).auth.admin;
    await authAdmin.createUser({ email: 'other.app@test.dev', password: 'other app password', email_confirm: true });
    const wrong = await invite(ctx.a, 'other.app@test.dev');
    expect((await accept({ token: wrong.token, password: 'a password I choose' })).body.error).toBe('invite_sign_in_failed');
    await signIn(ctx.stack, 'other.app@test.dev', 'other app password');
    const right = await invite(ctx.a, 'other.app@test.dev');
    expect((await accept({ token: right.token, password: 'other app password' })).status).toBe(200);
    expect(await agentOf('other.app@test.dev')).toBe(ctx.a.id);

    // Invited by B's e-mail (an unconfirmed user with no password), then A's link: refused, still unconfirmed.
    expect((await invite(ctx.b, 'pending.person@test.dev', { delivery: 'email' })).body.emailed).toBe(true);
    const viaLink = await invite(ctx.a, 'pending.person@test.dev');
    expect((await accept({ token: viaLink.token, password: 'squatting password' })).body.error).toBe('invite_sign_in_failed');
    expect(await authUser('pending.person@test.dev')).toMatchObject({ email_confirmed_at: null });
    expect(await signIn(ctx.stack, 'pending.person@test.dev', 'squatting password').catch(() => 'refused')).toBe('refused');
  });

  it('shows the invitee the organisation, role and inviter before anything is used, to the holder of that invitation only', async () => {
    const preview = (body: Record<string, string>) =>
      fetch(`${ctx.stack.serverUrl}/api/invites/preview`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: origin() },
        body: JSON.stringify(body),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, string>,
      }));
    const inv = await invite(ctx.a, 'previewed.person@test.dev', { role: 'admin' });
    const org = (await ctx.stack.db.query<{ name: string }>('select name from organisations where id = $1', [ctx.a.id])).rows[0]!.name;
    const seen = await preview({ token: inv.token });
    expect(seen).toEqual({
      status: 200,
      body: { organisationName: org, role: 'admin', invitedBy: 'Agent 0', email: 'previewed.person@test.dev', expiresAt: inv.body.invite.expiresAt },
    });
    // Reading it used nothing; using it ends the preview too.
    expect((await accept({ token: inv.token, password: 'previewed password' })).status).toBe(200);
    expect((await preview({ token: inv.token })).body.error).toBe('invite_used');
    expect((await preview({ token: 'y'.repeat(43) })).status).toBe(404);
    // A session of another address sees nothing of this invitation; a page elsewhere cannot ask.
    const other = await invite(ctx.a, 'not.mine@test.dev');
    const session = await signIn(ctx.stack, ctx.b.agents[0]!.email, 'correct horse battery');
    expect((await preview({ accessToken: session, invitation: other.body.invite.id })).status).toBe(404);
    const fromCrm = await fetch(`${ctx.stack.serverUrl}/api/invites/preview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://crm.example.com' },
      body: JSON.stringify({ token: other.token }),
    });
    expect(fromCrm.status).toBe(403);
  });

  it('accepts an e-mailed invitation into the organisation whose e-mail was opened, not the newest invitation for the address', async () => {
    const email = 'wanted.person@test.dev';
    expect((await invite(ctx.a, email, { delivery: 'email' })).body.emailed).toBe(true);
    // B invites the same address afterwards, by link (the newest open invitation for it is now B's).
    expect((await invite(ctx.b, email)).status).toBe(201);
    const fromA = await openMail(mailLink(email));
    const joined = await accept({ ...fromA, password: 'wanted person password' });
    expect(joined.status).toBe(200);
    expect(await agentOf(email)).toBe(ctx.a.id);
    // A session is no key to invitations of other addresses.
    const elsewhere = await invite(ctx.b, 'someone.else@test.dev');
    expect((await accept({ accessToken: fromA.accessToken, invitation: elsewhere.body.invite.id, password: 'whatever password' })).body.error).toBe(
      'invite_unknown',
    );
  });

  it('refuses a session’s own account when it is already an agent, before setting any password', async () => {
    // An agent of A opens B's e-mailed invitation (its session proves the address) — B learns nothing, the account is unchanged.
    const agent = ctx.a.agents[1]!;
    const res = await invite(ctx.b, agent.email, { delivery: 'email' });
    expect(res.status).toBe(201);
    expect(res.body.emailed).toBe(false); // Supabase sends none to a confirmed account…
    const session = await signIn(ctx.stack, agent.email, 'correct horse battery');
    const refused = await accept({ accessToken: session, invitation: res.body.invite.id, password: 'a replaced password' });
    expect([refused.status, refused.body.error]).toEqual([409, 'invite_already_agent']);
    await signIn(ctx.stack, agent.email, 'correct horse battery');
    expect(await agentOf(agent.email)).toBe(ctx.a.id);
  });

  it('tells an admin nothing about addresses of other organisations (no 409 already_agent, one sentence for every e-mail problem)', async () => {
    const theirs = ctx.b.agents[0]!.email;
    const res = await invite(ctx.a, theirs, { delivery: 'email' });
    expect(res.status).toBe(201);
    expect(res.body.emailProblem).toBe('Supabase did not send the invitation e-mail: send the link instead.');
    // A member of one's own organisation is one's own business.
    const mine = await invite(ctx.a, ctx.a.agents[1]!.email);
    expect([mine.status, mine.body.error]).toEqual([409, 'already_member']);
  });

  it('tells an admin nothing about numbers of other organisations: setting up one that reached only another’s URL is 404 like any', async () => {
    const theirs = ctx.b.number;
    const probe = await api<{ error: string; message: string }>(ctx.stack, ctx.a.agents[0]!.token, '/api/admin/channels', 'POST', {
      whatsappNumber: theirs,
      name: 'Probe',
    });
    const unknown = await api<{ error: string; message: string }>(ctx.stack, ctx.a.agents[0]!.token, '/api/admin/channels', 'POST', {
      whatsappNumber: 'whatsapp:+14155550999',
      name: 'Probe',
    });
    expect([probe.status, probe.body]).toEqual([unknown.status, unknown.body]);
    expect(probe.status).toBe(404);
  });

  it('ends the open invitations of an admin who is demoted or removed (audited), and refuses one whose creator is gone', async () => {
    const org = await createTestOrg(ctx.stack, 3);
    const [boss, rogue, other] = org.agents as [TestOrg['agents'][0], TestOrg['agents'][0], TestOrg['agents'][0]];
    expect((await api(ctx.stack, boss.token, `/api/admin/agents/${rogue.id}/role`, 'POST', { role: 'admin' })).status).toBe(200);
    expect((await api(ctx.stack, boss.token, `/api/admin/agents/${other.id}/role`, 'POST', { role: 'admin' })).status).toBe(200);
    const backdoor = await invite(org, 'backdoor@test.dev', { role: 'admin', by: 1 });
    const second = await invite(org, 'second.backdoor@test.dev', { by: 2 });
    expect((await api(ctx.stack, boss.token, `/api/admin/agents/${rogue.id}/role`, 'POST', { role: 'agent' })).status).toBe(200);
    expect((await accept({ token: backdoor.token, password: 'backdoor password' })).body.error).toBe('invite_expired');
    expect((await api(ctx.stack, boss.token, `/api/admin/agents/${other.id}`, 'DELETE')).status).toBe(200);
    expect((await accept({ token: second.token, password: 'backdoor password' })).body.error).toBe('invite_expired');
    expect(await audit(org)).toEqual(
      expect.arrayContaining([
        ['invite.revoked', { email: 'backdoor@test.dev', reason: 'Agent 1 is no longer an admin' }],
        ['invite.revoked', { email: 'second.backdoor@test.dev', reason: 'Agent 2 was removed' }],
      ]),
    );
    // The operator's command ends a removed admin's invitations too.
    const byOther = await invite(org, 'operator.removed@test.dev', { by: 0 });
    expect(await removeAgent(ctx.stack.db, boss.email)).toBe(true);
    expect((await accept({ token: byOther.token, password: 'some password' })).body.error).toBe('invite_expired');
    await ctx.stack.db.query('insert into agents (id, organisation_id, display_name, role) values ($1, $2, $3, $4)', [boss.id, org.id, 'Agent 0', 'admin']);
    // A creator taken out some other way (the database, the operator's command): the invitation is withdrawn when used.
    const third = await invite(org, 'third@test.dev');
    await ctx.stack.db.query("update agents set role = 'agent' where id = $1", [boss.id]);
    expect((await accept({ token: third.token, password: 'third password' })).body.error).toBe('invite_withdrawn');
    expect(await agentOf('third@test.dev')).toBeNull();
  });

  it('keeps an admin’s CRM settings to the admin’s own organisation (the routes take no organisation)', async () => {
    await ctx.stack.db.query(
      "insert into crm_connections (organisation_id, vendor, access_token, log_mode) values ($1, 'hubspot', 'sealed', 'window') on conflict do nothing",
      [ctx.b.id],
    );
    expect((await api(ctx.stack, ctx.a.agents[0]!.token, '/api/admin/crm', 'PATCH', { logMode: 'message', organisationId: ctx.b.id })).status).toBe(404);
    expect((await api(ctx.stack, ctx.a.agents[0]!.token, `/api/admin/crm?organisationId=${ctx.b.id}`, 'DELETE')).status).toBe(404);
    expect((await ctx.stack.db.query<{ log_mode: string }>('select log_mode from crm_connections where organisation_id = $1', [ctx.b.id])).rows).toEqual([
      { log_mode: 'window' },
    ]);
    await ctx.stack.db.query('delete from crm_connections where organisation_id = $1', [ctx.b.id]);
  });

  it('throttles invitations per address, per admin and per organisation (429 with Retry-After; no e-mail past the budget)', async () => {
    const org = await createTestOrg(ctx.stack, 2);
    await ctx.stack.db.query("update agents set role = 'admin' where organisation_id = $1", [org.id]);
    const mails = () => ctx.stack.mailbox!.messages.filter((m) => m.to === 'bombed@test.dev').length;
    const sent = mails();
    expect((await invite(org, 'bombed@test.dev', { delivery: 'email' })).status).toBe(201);
    expect((await invite(org, 'bombed@test.dev', { delivery: 'email' })).status).toBe(201);
    const third = await invite(org, 'bombed@test.dev', { delivery: 'email' });
    expect([third.status, third.body.error]).toEqual([429, 'too_many_invites']);
    expect(third.body.message).toContain('one address can be invited 2 times a day');
    expect(mails()).toBe(sent + 2);
    // Another organisation's budget for the address is its own (one shared would tell it about this one).
    expect((await invite(ctx.b, 'bombed@test.dev')).status).toBe(201);

    // Per admin: 10 an hour (the refused third counted); per organisation: 12 a day.
    for (let i = 4; i <= 10; i++) expect((await invite(org, `admin0.${i}@test.dev`)).status).toBe(201);
    const admin = await invite(org, 'one.more@test.dev');
    expect([admin.status, admin.body.message]).toEqual([429, expect.stringContaining('you can invite 10 people an hour')]);
    expect((await invite(org, 'admin1.1@test.dev', { by: 1 })).status).toBe(201);
    expect((await invite(org, 'admin1.2@test.dev', { by: 1 })).status).toBe(201);
    const whole = await invite(org, 'admin1.3@test.dev', { by: 1 });
    expect([whole.status, whole.body.message]).toEqual([429, expect.stringContaining('your organisation can invite 12 people a day')]);
  });

  it('audits a used link tried again once, not once per try (whoever holds an old link cannot flood the audit log)', async () => {
    const flood = await invite(ctx.b, 'flood.person@test.dev');
    expect((await accept({ token: flood.token, password: 'flood person password' })).status).toBe(200);
    for (let i = 0; i < 25; i++) expect((await accept({ token: flood.token, password: 'flood person password' })).body.error).toBe('invite_used');
    const refusals = (await audit(ctx.b)).filter(
      ([action, detail]) => action === 'invite.refused' && (detail as { email: string }).email === 'flood.person@test.dev',
    );
    expect(refusals).toEqual([['invite.refused', { email: 'flood.person@test.dev', reason: 'used' }]]);
  });

  it('throttles the longest address an e-mail can have (254 characters) like any: its budget’s key fits', async () => {
    const longest = `${'l'.repeat(64)}@${'o'.repeat(63)}.${'n'.repeat(63)}.${'g'.repeat(57)}.dev`;
    expect(longest).toHaveLength(254);
    expect((await invite(ctx.b, longest)).status).toBe(201);
    expect((await invite(ctx.b, longest)).status).toBe(201);
    expect((await invite(ctx.b, longest)).status).toBe(429);
  });
});

describe('Invitations while Supabase Auth throttles an address’s sign-ins', () => {
  // Supabase limits password sign-ins (per IP on hosted projects; per address and IP locally): the
  // server's check of an invitee's own password is one of them, from the server's one address.
  const ctx = useTestStack({ orgs: { a: 1 }, env: { SIGN_INS_PER_EMAIL: '3' } });

  it('answers a genuine invitee a clear 503 while Supabase throttles the sign-in, and keeps the invitation for a later try', async () => {
    const email = 'throttled.person@test.dev';
    const authAdmin = createClient(ctx.stack.config.supabaseUrl, ctx.stack.local!.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    }).auth.admin;
    await authAdmin.createUser({ email, password: 'throttled own password', email_confirm: true });
    const invited = await api<CreateInviteResponse>(ctx.stack, ctx.a.agents[0]!.token, '/api/admin/invites', 'POST', {
      email,
      role: 'agent',
      delivery: 'link',
    });
    expect(invited.status).toBe(201);
    // Someone guesses the address's password at Supabase until it throttles the address.
    for (let i = 0; i < 3; i++) await signIn(ctx.stack, email, `a guess ${i}`).catch(() => null);
    const res = await fetch(`${ctx.stack.serverUrl}/api/invites/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: invited.body.link.split('#')[1], password: 'throttled own password', displayName: 'Throttled' }),
    });
    const body = (await res.json()) as { error?: string; message?: string };
    expect([res.status, body.error]).toEqual([503, 'auth_unavailable']);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect(body.message).toContain('still valid');
    // Not used up, not refused: the invitee tries again once Supabase lets the address sign in.
    expect((await ctx.stack.db.query('select used_at, refusal from invites where id = $1', [invited.body.invite.id])).rows).toEqual([
      { used_at: null, refusal: null },
    ]);
  });
});

describe('An invitee’s password check that Supabase Auth refuses for its own reasons', () => {
  it('is no wrong password: a project with CAPTCHA protection (400 captcha_failed to the server’s sign-in) uses nothing up', async () => {
    // Hosted GoTrue's answer to a password sign-in without a CAPTCHA token when the project asks for one.
    const gotrue = createServer((req, res) => {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' });
      res.end(
        JSON.stringify({
          code: 'captcha_failed',
          error_code: 'captcha_failed',
          message: 'captcha protection: request disallowed (no captcha response)',
          msg: 'captcha protection: request disallowed (no captcha response)',
        }),
      );
    });
    await new Promise<void>((resolve) => gotrue.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(gotrue.address() as AddressInfo).port}`;
      const accounts = inviteAccounts({ url, serviceRoleKey: 'service-role-key-not-used-here', anonKey: 'anon-key-of-the-project-0000' }, {} as pg.Pool);
      await expect(accounts.signsIn('someone@test.dev', 'their own password')).rejects.toBeInstanceOf(PasswordNotCheckedError);
    } finally {
      await new Promise((resolve) => gotrue.close(resolve));
    }
  });
});
