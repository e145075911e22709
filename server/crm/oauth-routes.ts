import escapeHtml from 'escape-html';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { audit } from '../audit';
import { connectCrm } from './connections';
import { ATTEMPT_SECONDS, finishAttempt, OAUTH_PATH, oauthCallbackUrl, startAttempt } from './oauth-attempts';
import type { CrmRouteDeps } from './routes';
import { createSealer } from './seal';
import { CRM_VENDORS } from './vendors';

/**
 * These routes' query strings (`attempt`; the vendor's `code` and `state`) are secrets: the
 * request log names the path only (docs/security.md).
 */
const unlogged: RouteShorthandOptions = {
  logSerializers: { req: (req: FastifyRequest) => ({ method: req.method, url: req.url.split('?')[0], remoteAddress: req.ip }) },
};

/**
 * The two steps of connecting a CRM that happen in the admin's browser, with no agent session:
 * `start` (opened from the admin view once: the browser gets a cookie, then goes to the vendor's
 * consent page with a state) and `callback` (the vendor sends that browser back once). Either
 * answers a short page; neither says more about an attempt than that it cannot go on.
 */
export function registerCrmOAuthRoutes(http: FastifyInstance, deps: CrmRouteDeps): void {
  /** Where the admin's browser carries the secret that binds an attempt to it: sent to these routes only. */
  const COOKIE = 'switchboard_crm_oauth';
  const secure = () => deps.publicUrl().startsWith('https:');
  const cookie = (value: string, maxAge: number) =>
    `${COOKIE}=${value}; Path=${OAUTH_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure() ? '; Secure' : ''}`;
  const page = (reply: FastifyReply, status: number, title: string, text: string) =>
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(
        `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><body style="font:16px system-ui;margin:3em"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`,
      );
  const startAgain = 'This link is not valid any more. Start again from the admin view.';

  http.get(`${OAUTH_PATH}/start`, unlogged, async (req, reply) => {
    const { attempt } = req.query as { attempt?: unknown };
    if (!deps.tokenKey) return page(reply, 503, 'Not connected', 'This server cannot keep CRM tokens (CRM_TOKEN_KEY is not set).');
    const started = typeof attempt === 'string' && attempt ? await startAttempt(deps.db, attempt) : null;
    if (!started) return page(reply, 400, 'Not connected', startAgain);
    const to = CRM_VENDORS[started.vendor].authorizeUrl(deps.apps[started.vendor], oauthCallbackUrl(deps.publicUrl()), started.state, started.region);
    // No Referer to the vendor (it would carry the start link); the cookie comes back with the vendor's top-level redirect (Lax).
    return reply
      .code(302)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .header('set-cookie', cookie(started.browserSecret, ATTEMPT_SECONDS))
      .header('location', to)
      .send();
  });

  http.get(`${OAUTH_PATH}/callback`, unlogged, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    if (!deps.tokenKey) return page(reply, 503, 'Not connected', 'This server cannot keep CRM tokens (CRM_TOKEN_KEY is not set).');
    const state = str(q.state);
    const attempt = state ? await finishAttempt(deps.db, state, cookieOf(req, COOKIE)) : null;
    if (!attempt) return page(reply, 400, 'Not connected', startAgain);
    const name = CRM_VENDORS[attempt.vendor].name;
    const refused = async (actor: { id: string; display_name: string } | undefined, reason: string) => {
      await audit(deps.db, actor ? ({ id: actor.id, displayName: actor.display_name } as never) : null, attempt.organisationId, 'crm.connect_refused', {
        vendor: name,
        reason,
      });
      return page(
        reply,
        403,
        'Not connected',
        'Only the admin who started this connection, in the browser it was started in, can finish it. Nothing was changed; start again from the admin view.',
      );
    };
    const { rows } = await deps.db.query<{ id: string; display_name: string; role: string }>(
      'select id, display_name, role from agents where id = $1 and organisation_id = $2',
      [attempt.agentId, attempt.organisationId],
    );
    // Not the admin's doing: whoever came back is unknown (the admin is named in the detail).
    if (!attempt.sameBrowser) return refused(undefined, `another browser came back with the state of ${rows[0]?.display_name ?? 'an admin'}’s attempt`);
    // This browser's attempt is over, whatever follows (a cookie of another attempt is left alone).
    reply.header('set-cookie', cookie('', 0));
    if (rows[0]?.role !== 'admin') return refused(rows[0], 'no longer an admin');
    const admin = rows[0];
    const error = str(q.error);
    if (error) return page(reply, 400, 'Not connected', `${name} said: ${error}. Nothing was changed.`);
    const code = str(q.code);
    if (!code) return page(reply, 400, 'Not connected', `${name} sent no authorization code. Start again from the admin view.`);
    const driver = CRM_VENDORS[attempt.vendor];
    let tokens: Awaited<ReturnType<typeof driver.exchangeCode>>;
    try {
      tokens = await driver.exchangeCode(deps.apps[attempt.vendor], code, oauthCallbackUrl(deps.publicUrl()), attempt.region);
    } catch (err) {
      // The message only: a client library's error can carry its request (the code, the app's secret).
      req.log.warn({ vendor: attempt.vendor, status: (err as { status?: unknown }).status, message: (err as Error).message }, 'CRM code exchange failed');
      return page(reply, 502, 'Not connected', `${name} refused the connection (${(err as Error).message}). Start again from the admin view.`);
    }
    await connectCrm(deps.db, createSealer(deps.tokenKey), { organisationId: attempt.organisationId, vendor: attempt.vendor, ...tokens, agentId: admin.id });
    await audit(deps.db, { id: admin.id, displayName: admin.display_name } as never, attempt.organisationId, 'crm.connected', {
      vendor: name,
      account: tokens.account ?? '',
    });
    deps.broadcast.teamChanged(attempt.organisationId, 'crm');
    // Check connection runs at once (the admin view shows its steps when it is done).
    void deps
      .check(attempt.organisationId, { writeTest: false })
      .then(() => deps.broadcast.teamChanged(attempt.organisationId, 'crm'))
      .catch((err: unknown) => req.log.warn({ vendor: attempt.vendor, message: (err as Error).message }, 'the check after connecting failed'));
    return page(reply, 200, `${name} connected`, `Switchboard now logs every WhatsApp conversation on the matching ${name} contact. You can close this tab.`);
  });
}

/** One cookie's value from the request's Cookie header. */
function cookieOf(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
