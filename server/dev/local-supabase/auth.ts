import bcrypt from 'bcryptjs';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { z } from 'zod';
import { InvalidTokenError, signSupabaseJwt, type SupabaseClaims, type TokenVerifier } from '../../auth/jwt';

/**
 * The `/auth/v1` endpoints of GoTrue that `@supabase/supabase-js` uses (password sign-in,
 * refresh, user, logout), `admin/users` for `npm run admin`, and invitations (`invite`, and
 * `verify` for the e-mailed link). Wire format per docs/supabase-wire-protocol.md (Auth).
 */
/** An e-mail the local Auth would have sent (it sends none: they go to the local mailbox). */
export interface LocalMail {
  to: string;
  subject: string;
  text: string;
  /** The link the e-mail asks the reader to open. */
  link: string;
  at: string;
}

export interface LocalAuthDeps {
  db: pg.Pool;
  jwtSecret: string;
  verify: TokenVerifier;
  /** Base URL of the local Supabase, used as the token issuer (known after listen). */
  supabaseUrl: () => string;
  accessTokenTtlSeconds?: number;
  /** Password sign-ins allowed per client address and per email, in 5 minutes. */
  signInsPerIp: number;
  signInsPerEmail: number;
  /** The client's address (the server's trusted-proxy rules applied). */
  clientIp(req: FastifyRequest): string;
  /** GoTrue's SITE_URL, also its redirect allow list: an e-mail link's `redirect_to` must be under it. */
  siteUrl: () => string;
  /** Where the e-mails go (the local mailbox). */
  mail(message: LocalMail): void;
  /** How long an e-mailed link works (GoTrue's MAILER_OTP_EXP; default 86,400 s). */
  otpExpirySeconds?: number;
}

const API_VERSION = '2024-01-01';
/** GoTrue lets a rotated refresh token be reused this long (concurrent refreshes race). */
const REFRESH_REUSE_INTERVAL_MS = 10_000;

interface UserRow {
  id: string;
  aud: string;
  role: string;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Record<string, unknown>;
  raw_user_meta_data: Record<string, unknown>;
  banned_until: Date | null;
  invited_at: Date | null;
  confirmation_sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const passwordGrant = z.object({ email: z.string().optional(), phone: z.string().optional(), password: z.string() });
const refreshGrant = z.object({ refresh_token: z.string() });
const adminCreateUser = z.object({
  email: z.email(),
  password: z.string().min(6),
  email_confirm: z.boolean().optional(),
  user_metadata: z.record(z.string(), z.unknown()).optional(),
});

const inviteBody = z.object({ email: z.email(), data: z.record(z.string(), z.unknown()).optional() });

const adminUpdateUser = z.object({
  password: z.string().min(6).optional(),
  email_confirm: z.boolean().optional(),
  user_metadata: z.record(z.string(), z.unknown()).optional(),
});

export async function registerLocalAuth(app: FastifyInstance, deps: LocalAuthDeps): Promise<void> {
  const ttl = deps.accessTokenTtlSeconds ?? 3600;
  // Password guessing: limited per address and per account (GoTrue answers 429 over_request_rate_limit).
  const perIp = new RateLimiterMemory({ keyPrefix: 'ip', points: deps.signInsPerIp, duration: 300 });
  const perEmail = new RateLimiterMemory({ keyPrefix: 'email', points: deps.signInsPerEmail, duration: 300 });
  const limit = async (reply: FastifyReply, limiter: RateLimiterMemory, key: string) => {
    try {
      await limiter.consume(key);
    } catch (res) {
      reply.header('retry-after', String(Math.max(1, Math.ceil((res as RateLimiterRes).msBeforeNext / 1000))));
      throw new AuthError(429, 'over_request_rate_limit', 'Request rate limit reached');
    }
  };
  // An unknown email costs one bcrypt comparison too, so timing tells nothing about who has an account.
  const decoyHash = await bcrypt.hash(randomBytes(16).toString('hex'), 10);

  // auth-js posts `logout` with a JSON content type and no body.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    if (!body) return done(null, {});
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new AuthError(400, 'validation_failed', 'Could not parse request body as JSON'), undefined);
    }
  });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof AuthError) return sendAuthError(reply, err.status, err.code, err.message);
    if ((err as { statusCode?: number }).statusCode === 400) return sendAuthError(reply, 400, 'validation_failed', 'Bad request');
    app.log.error({ err }, 'auth error');
    return sendAuthError(reply, 500, 'unexpected_failure', 'Unexpected failure');
  });

  async function issueSession(user: UserRow, sessionId: string, parent: string | null, method = parent ? 'token_refresh' : 'password') {
    const now = Math.floor(Date.now() / 1000);
    const claims: SupabaseClaims = {
      iss: `${deps.supabaseUrl()}/auth/v1`,
      sub: user.id,
      aud: user.aud,
      exp: now + ttl,
      iat: now,
      email: user.email ?? undefined,
      phone: '',
      app_metadata: user.raw_app_meta_data,
      user_metadata: user.raw_user_meta_data,
      role: user.role,
      aal: 'aal1',
      amr: [{ method, timestamp: now }],
      session_id: sessionId,
      is_anonymous: false,
    };
    const accessToken = await signSupabaseJwt(deps.jwtSecret, claims);
    const refreshToken = randomBytes(12).toString('base64url');
    await deps.db.query('insert into auth.refresh_tokens (token, user_id, session_id, parent) values ($1, $2, $3, $4)', [
      refreshToken,
      user.id,
      sessionId,
      parent,
    ]);
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: ttl,
      expires_at: now + ttl,
      refresh_token: refreshToken,
      user: userJson(user),
    };
  }

  app.post('/auth/v1/token', async (req, reply) => {
    const grant = (req.query as { grant_type?: string }).grant_type;
    if (grant === 'password') {
      const body = passwordGrant.safeParse(req.body);
      if (!body.success || (!body.data.email && !body.data.phone)) throw new AuthError(400, 'validation_failed', 'missing email or phone');
      await limit(reply, perIp, deps.clientIp(req));
      await limit(reply, perEmail, (body.data.email ?? body.data.phone ?? '').trim().toLowerCase());
      const { rows } = await deps.db.query<UserRow>('select * from auth.users where lower(email) = lower($1)', [body.data.email ?? '']);
      const user = rows[0];
      const matches = await bcrypt.compare(body.data.password, user?.encrypted_password ?? decoyHash);
      const ok = !!user?.encrypted_password && matches;
      if (!user || !ok) throw new AuthError(400, 'invalid_credentials', 'Invalid login credentials');
      if (!user.email_confirmed_at) throw new AuthError(400, 'email_not_confirmed', 'Email not confirmed');
      if (user.banned_until && user.banned_until > new Date()) throw new AuthError(400, 'user_banned', 'User is banned');
      await deps.db.query('update auth.users set last_sign_in_at = now() where id = $1', [user.id]);
      return reply.send(await issueSession({ ...user, last_sign_in_at: new Date() }, randomUUID(), null));
    }
    if (grant === 'refresh_token') {
      const body = refreshGrant.safeParse(req.body);
      if (!body.success || body.data.refresh_token.length < 8) throw new AuthError(400, 'validation_failed', 'Refresh token is not valid');
      const client = await deps.db.connect();
      try {
        await client.query('begin');
        const { rows } = await client.query<{ user_id: string; session_id: string; revoked: boolean; updated_at: Date }>(
          'select user_id, session_id, revoked, updated_at from auth.refresh_tokens where token = $1 for update',
          [body.data.refresh_token],
        );
        const token = rows[0];
        if (!token) throw new AuthError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
        if (token.revoked && Date.now() - token.updated_at.getTime() > REFRESH_REUSE_INTERVAL_MS) {
          await client.query('update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = $1', [token.session_id]);
          await client.query('commit');
          throw new AuthError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
        }
        if (!token.revoked) {
          await client.query('update auth.refresh_tokens set revoked = true, updated_at = now() where token = $1', [body.data.refresh_token]);
        }
        await client.query('commit');
        const user = (await deps.db.query<UserRow>('select * from auth.users where id = $1', [token.user_id])).rows[0];
        if (!user) throw new AuthError(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
        if (user.banned_until && user.banned_until > new Date()) {
          // A banned user's sessions end: no refresh, now or later.
          await deps.db.query('update auth.refresh_tokens set revoked = true, updated_at = now() where user_id = $1', [user.id]);
          throw new AuthError(400, 'user_banned', 'User is banned');
        }
        return reply.send(await issueSession(user, token.session_id, body.data.refresh_token));
      } catch (err) {
        await client.query('rollback').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    }
    throw new AuthError(400, 'invalid_credentials', 'unsupported_grant_type');
  });

  async function bearer(req: FastifyRequest): Promise<SupabaseClaims> {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : '';
    try {
      return await deps.verify(token);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw new AuthError(403, 'bad_jwt', `invalid JWT: ${err.message}`);
      throw err;
    }
  }

  async function currentUser(req: FastifyRequest): Promise<{ user: UserRow; claims: SupabaseClaims }> {
    const claims = await bearer(req);
    if (!claims.sub) throw new AuthError(403, 'bad_jwt', 'invalid claim: missing sub claim');
    const { rows } = await deps.db.query<UserRow>('select * from auth.users where id = $1', [claims.sub]);
    if (!rows[0]) throw new AuthError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
    if (claims.session_id) {
      const live = await deps.db.query('select 1 from auth.refresh_tokens where session_id = $1 and not revoked limit 1', [claims.session_id]);
      if (!live.rowCount) throw new AuthError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
    }
    return { user: rows[0], claims };
  }

  app.get('/auth/v1/user', async (req, reply) => reply.send(userJson((await currentUser(req)).user)));

  app.post('/auth/v1/logout', async (req, reply) => {
    const claims = await bearer(req);
    const scope = (req.query as { scope?: string }).scope ?? 'global';
    // Ending a session deletes it (as GoTrue does), so none of its refresh tokens work again.
    if (scope === 'global') {
      await deps.db.query('delete from auth.refresh_tokens where user_id = $1', [claims.sub]);
    } else if (scope === 'local') {
      await deps.db.query('delete from auth.refresh_tokens where session_id = $1', [claims.session_id]);
    } else {
      await deps.db.query('delete from auth.refresh_tokens where user_id = $1 and session_id <> $2', [claims.sub, claims.session_id]);
    }
    return reply.code(204).send();
  });

  app.post('/auth/v1/admin/users', async (req, reply) => {
    const claims = await bearer(req);
    if (claims.role !== 'service_role') throw new AuthError(403, 'not_admin', 'User not allowed');
    const body = adminCreateUser.safeParse(req.body);
    if (!body.success) throw new AuthError(400, 'validation_failed', body.error.issues.map((i) => i.message).join('; '));
    const hash = await bcrypt.hash(body.data.password, 10);
    const meta = { ...body.data.user_metadata, email: body.data.email, email_verified: !!body.data.email_confirm, phone_verified: false };
    const { rows } = await deps.db.query<UserRow>(
      `insert into auth.users (email, encrypted_password, email_confirmed_at, raw_user_meta_data)
       values ($1, $2, case when $3 then now() end, $4)
       on conflict (email) do nothing returning *`,
      [body.data.email.toLowerCase(), hash, !!body.data.email_confirm, meta],
    );
    if (!rows[0]) throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
    return reply.send(userJson(rows[0]));
  });

  // GoTrue's `PUT /admin/users/{id}` (supabase-js `auth.admin.updateUserById`): a new password or metadata.
  app.put('/auth/v1/admin/users/:id', async (req, reply) => {
    const claims = await bearer(req);
    if (claims.role !== 'service_role') throw new AuthError(403, 'not_admin', 'User not allowed');
    const body = adminUpdateUser.safeParse(req.body);
    if (!body.success) throw new AuthError(400, 'validation_failed', body.error.issues.map((i) => i.message).join('; '));
    const id = z.uuid().safeParse((req.params as { id: string }).id);
    if (!id.success) throw new AuthError(404, 'user_not_found', 'User not found');
    const hash = body.data.password ? await bcrypt.hash(body.data.password, 10) : null;
    const { rows } = await deps.db.query<UserRow>(
      `update auth.users set encrypted_password = coalesce($2, encrypted_password),
              raw_user_meta_data = raw_user_meta_data || coalesce($3::jsonb, '{}'::jsonb),
              email_confirmed_at = case when $4 then coalesce(email_confirmed_at, now()) else email_confirmed_at end, updated_at = now()
        where id = $1 returning *`,
      [id.data, hash, body.data.user_metadata ? JSON.stringify(body.data.user_metadata) : null, !!body.data.email_confirm],
    );
    if (!rows[0]) throw new AuthError(404, 'user_not_found', 'User not found');
    return reply.send(userJson(rows[0]));
  });

  const otpExpiry = deps.otpExpirySeconds ?? 86_400;
  /** GoTrue's rule: a redirect_to outside the allow list falls back to the site URL. */
  const redirectTarget = (requested: string | undefined) => {
    const site = deps.siteUrl();
    return requested && (requested === site || requested.startsWith(`${site}/`)) ? requested : site;
  };

  // GoTrue's `POST /invite` (supabase-js `auth.admin.inviteUserByEmail`): an unconfirmed user and an
  // e-mailed link to `/verify`. A confirmed user with this email is 422 `email_exists`.
  app.post('/auth/v1/invite', async (req, reply) => {
    const claims = await bearer(req);
    if (claims.role !== 'service_role') throw new AuthError(403, 'not_admin', 'User not allowed');
    const body = inviteBody.safeParse(req.body);
    if (!body.success) throw new AuthError(400, 'validation_failed', body.error.issues.map((i) => i.message).join('; '));
    const email = body.data.email.toLowerCase();
    const token = randomBytes(32).toString('hex');
    const meta = { ...body.data.data, email, email_verified: false, phone_verified: false };
    const { rows } = await deps.db.query<UserRow>(
      `insert into auth.users (email, raw_user_meta_data, invited_at, confirmation_token, confirmation_sent_at)
       values ($1, $2, now(), $3, now())
       on conflict (email) do update set invited_at = now(), confirmation_token = excluded.confirmation_token, confirmation_sent_at = now(),
              raw_user_meta_data = auth.users.raw_user_meta_data || excluded.raw_user_meta_data, updated_at = now()
         where auth.users.email_confirmed_at is null
       returning *`,
      [email, meta, sha256(token)],
    );
    if (!rows[0]) throw new AuthError(422, 'email_exists', 'A user with this email address has already been registered');
    const redirect = redirectTarget((req.query as { redirect_to?: string }).redirect_to);
    const link = `${deps.supabaseUrl()}/auth/v1/verify?${new URLSearchParams({ token, type: 'invite', redirect_to: redirect })}`;
    deps.mail({
      to: email,
      subject: 'You have been invited',
      text: `You have been invited to create a user on ${deps.siteUrl()}. Follow this link to accept the invite:\n${link}`,
      link,
      at: new Date().toISOString(),
    });
    return reply.send(userJson(rows[0]));
  });

  // GoTrue's `GET /verify` for an e-mailed link: confirms the user, signs them in, and redirects
  // (303) to redirect_to with the session in the fragment; a used or expired link redirects with
  // the error there instead.
  app.get('/auth/v1/verify', async (req, reply) => {
    const q = req.query as { token?: string; type?: string; redirect_to?: string };
    const redirect = redirectTarget(q.redirect_to);
    if (!q.token) throw new AuthError(400, 'validation_failed', 'Verify requires a token');
    if (q.type !== 'invite' && q.type !== 'signup') throw new AuthError(400, 'validation_failed', 'Invalid email verification type');
    const { rows } = await deps.db.query<UserRow>(
      `update auth.users set email_confirmed_at = coalesce(email_confirmed_at, now()), confirmation_token = null, last_sign_in_at = now(), updated_at = now()
        where confirmation_token = $1 and confirmation_sent_at > now() - make_interval(secs => $2)
          and (banned_until is null or banned_until <= now())
       returning *`,
      [sha256(q.token), otpExpiry],
    );
    if (!rows[0]) {
      const error = new URLSearchParams({ error: 'access_denied', error_code: 'otp_expired', error_description: 'Email link is invalid or has expired' });
      return reply.redirect(`${redirect}#${error}`, 303);
    }
    const session = await issueSession(rows[0], randomUUID(), null, 'otp');
    const fragment = new URLSearchParams({
      access_token: session.access_token,
      expires_at: String(session.expires_at),
      expires_in: String(session.expires_in),
      refresh_token: session.refresh_token,
      token_type: 'bearer',
      type: q.type,
    });
    return reply.redirect(`${redirect}#${fragment}`, 303);
  });

  app.get('/auth/v1/health', async () => ({ name: 'GoTrue (Switchboard local)', version: 'local', description: 'local Supabase-compatible Auth' }));
}

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

function sendAuthError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply
    .code(status)
    .header('x-supabase-api-version', API_VERSION)
    .header('x-sb-error-code', code)
    .send({ code, error_code: code, message, msg: message });
}

function userJson(u: UserRow) {
  const iso = (d: Date | null) => (d ? d.toISOString() : undefined);
  const identityData = { email: u.email, email_verified: !!u.email_confirmed_at, phone_verified: false, sub: u.id };
  return {
    id: u.id,
    aud: u.aud,
    role: u.role,
    email: u.email ?? '',
    email_confirmed_at: iso(u.email_confirmed_at),
    phone: '',
    confirmed_at: iso(u.email_confirmed_at),
    last_sign_in_at: iso(u.last_sign_in_at),
    invited_at: iso(u.invited_at),
    confirmation_sent_at: iso(u.confirmation_sent_at),
    app_metadata: u.raw_app_meta_data,
    user_metadata: { ...identityData, ...u.raw_user_meta_data },
    identities: [
      {
        identity_id: u.id,
        id: u.id,
        user_id: u.id,
        identity_data: identityData,
        provider: 'email',
        last_sign_in_at: iso(u.last_sign_in_at),
        created_at: u.created_at.toISOString(),
        updated_at: u.updated_at.toISOString(),
        email: u.email,
      },
    ],
    created_at: u.created_at.toISOString(),
    updated_at: u.updated_at.toISOString(),
    is_anonymous: false,
  };
}
