import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useTestStack } from '../support/fixture';

/** The unmodified supabase-js client against the local Supabase-compatible Auth. */
describe('Local Auth with supabase-js', () => {
  const ctx = useTestStack({ orgs: { org: 1 } });
  const clients: SupabaseClient[] = [];
  const client = () => {
    const store = new Map<string, string>();
    const c = createClient(ctx.stack.config.supabaseUrl, ctx.stack.config.supabaseAnonKey, {
      auth: {
        persistSession: true,
        autoRefreshToken: false,
        storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v), removeItem: (k) => void store.delete(k) },
      },
      realtime: { transport: WebSocket as never },
    });
    clients.push(c);
    return c;
  };
  afterAll(async () => {
    for (const c of clients) void c.realtime.disconnect();
  });

  it('signs in with email and password and reads the user', async () => {
    const supabase = client();
    const { data, error } = await supabase.auth.signInWithPassword({ email: ctx.org.agents[0]!.email, password: 'correct horse battery' });
    expect(error).toBeNull();
    expect(data.session?.expires_in).toBe(3600);
    expect(data.user?.email).toBe(ctx.org.agents[0]!.email);
    const user = await supabase.auth.getUser();
    expect(user.data.user?.id).toBe(ctx.org.agents[0]!.id);
    // The server accepts the token exactly as it would accept hosted Supabase's.
    const me = await fetch(`${ctx.stack.serverUrl}/api/me`, { headers: { authorization: `Bearer ${data.session!.access_token}` } });
    expect(((await me.json()) as { organisationId: string }).organisationId).toBe(ctx.org.id);
  });

  it('reports wrong credentials the way GoTrue does', async () => {
    const { error } = await client().auth.signInWithPassword({ email: ctx.org.agents[0]!.email, password: 'wrong password' });
    expect(error?.status).toBe(400);
    expect((error as { code?: string }).code).toBe('invalid_credentials');
    expect(error?.message).toBe('Invalid login credentials');
  });

  it('refreshes a session with a rotated refresh token', async () => {
    const supabase = client();
    const signed = await supabase.auth.signInWithPassword({ email: ctx.org.agents[0]!.email, password: 'correct horse battery' });
    const refreshed = await supabase.auth.refreshSession();
    expect(refreshed.error).toBeNull();
    expect(refreshed.data.session!.refresh_token).not.toBe(signed.data.session!.refresh_token);
    expect(refreshed.data.session!.user.id).toBe(ctx.org.agents[0]!.id);
  });

  it('signs out, after which the session is gone and its refresh token is dead', async () => {
    const supabase = client();
    const signed = await supabase.auth.signInWithPassword({ email: ctx.org.agents[0]!.email, password: 'correct horse battery' });
    const { error } = await supabase.auth.signOut();
    expect(error).toBeNull();
    expect((await supabase.auth.getSession()).data.session).toBeNull();
    const res = await fetch(`${ctx.stack.config.supabaseUrl}/auth/v1/token?grant_type=refresh_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', apikey: ctx.stack.config.supabaseAnonKey },
      body: JSON.stringify({ refresh_token: signed.data.session!.refresh_token }),
    });
    expect(res.status).toBe(400);
  });

  it('answers CORS preflights from an extension page', async () => {
    const res = await fetch(`${ctx.stack.config.supabaseUrl}/auth/v1/token?grant_type=password`, {
      method: 'OPTIONS',
      headers: {
        origin: 'chrome-extension://abc',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'apikey,authorization,content-type,x-client-info,x-supabase-api-version',
      },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe('chrome-extension://abc');
  });

  it('invites by e-mail as GoTrue does: an unconfirmed user, a link that signs in once and redirects with the session', async () => {
    const admin = createClient(ctx.stack.config.supabaseUrl, ctx.stack.local!.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });
    const redirectTo = `${ctx.stack.config.publicUrl}/invite`;
    const { data, error } = await admin.auth.admin.inviteUserByEmail('Invitee@Test.dev', { redirectTo });
    expect(error).toBeNull();
    expect(data.user).toMatchObject({ email: 'invitee@test.dev', invited_at: expect.any(String) });
    expect(data.user?.email_confirmed_at).toBeUndefined();
    const mail = ctx.stack.mailbox!.messages.find((m) => m.to === 'invitee@test.dev')!;
    expect(mail.subject).toBe('You have been invited');
    expect(mail.text).toContain(mail.link);
    const link = new URL(mail.link);
    expect(`${link.origin}${link.pathname}`).toBe(`${ctx.stack.config.supabaseUrl}/auth/v1/verify`);
    expect(Object.fromEntries(link.searchParams)).toMatchObject({ type: 'invite', redirect_to: redirectTo });

    // Opening it: 303 to redirect_to with the session in the fragment; the token works with the server.
    const opened = await fetch(mail.link, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    const to = new URL(opened.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(redirectTo);
    const fragment = new URLSearchParams(to.hash.slice(1));
    expect(Object.fromEntries(fragment)).toMatchObject({
      token_type: 'bearer',
      type: 'invite',
      expires_in: '3600',
      access_token: expect.any(String),
      refresh_token: expect.any(String),
    });
    const user = await client().auth.getUser(fragment.get('access_token')!);
    expect(user.data.user).toMatchObject({ email: 'invitee@test.dev', email_confirmed_at: expect.any(String) });

    // Once only: the second time redirects with GoTrue's error instead.
    const again = await fetch(mail.link, { redirect: 'manual' });
    const error2 = new URLSearchParams(new URL(again.headers.get('location')!).hash.slice(1));
    expect(Object.fromEntries(error2)).toEqual({
      error: 'access_denied',
      error_code: 'otp_expired',
      error_description: 'Email link is invalid or has expired',
    });
    // A confirmed user gets no second invitation.
    const dup = await admin.auth.admin.inviteUserByEmail('invitee@test.dev', { redirectTo });
    expect(dup.error?.code).toBe('email_exists');
    // Only the service role may invite.
    const anon = await client().auth.admin.inviteUserByEmail('someone@test.dev');
    expect(anon.error?.status).toBe(403);
  });

  it('sends an e-mail link only back to the site: another redirect_to falls back to the site URL', async () => {
    const admin = createClient(ctx.stack.config.supabaseUrl, ctx.stack.local!.serviceRoleKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });
    await admin.auth.admin.inviteUserByEmail('elsewhere@test.dev', { redirectTo: 'https://evil.example/steal' });
    const mail = ctx.stack.mailbox!.messages.find((m) => m.to === 'elsewhere@test.dev')!;
    expect(new URL(mail.link).searchParams.get('redirect_to')).toBe(ctx.stack.config.publicUrl);
    const opened = await fetch(mail.link, { redirect: 'manual' });
    expect(opened.headers.get('location')!.startsWith(`${ctx.stack.config.publicUrl}#access_token=`)).toBe(true);
  });
});
