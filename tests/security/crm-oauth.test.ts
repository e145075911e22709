import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CrmConnectResponse } from '../../lib/contract/api';
import { createApp } from '../../server/app';
import type { Logger } from '../../server/logger';
import { connectLink } from '../support/crm';
import { useTestStack } from '../support/fixture';
import { oauthBrowser, type OAuthBrowser } from '../support/oauth-browser';

/**
 * Connecting a CRM by OAuth as an attacker meets it (issue 29; docs/security.md, "CRM OAuth"): a
 * state replayed, a consent link finished in another browser or by another organisation's admin,
 * an attempt expired, a start link opened twice, an admin demoted or removed on the way, and what
 * the request log keeps. Whatever is refused leaves the organisation's CRM connection as it was.
 */
describe('CRM OAuth: single use, bound to the admin and the browser that started it', () => {
  const ctx = useTestStack({ orgs: { a: 3, b: 1, c: 2 } });
  const adminA = () => ctx.a.agents[0]!.token;
  const adminB = () => ctx.b.agents[0]!.token;
  const hubOrigin = () => new URL(ctx.stack.hubspotStandIn!.url).origin;
  const atConsent = (u: URL) => u.origin === hubOrigin();
  const atCallback = (u: URL) => u.pathname === '/api/crm/oauth/callback';

  const connection = async (organisationId: string) =>
    (
      await ctx.stack.db.query('select vendor, account, connected_at, connected_by, access_token from crm_connections where organisation_id = $1', [
        organisationId,
      ])
    ).rows[0] ?? null;
  const audited = async (organisationId: string) =>
    (
      await ctx.stack.db.query<{ action: string; actor_id: string | null; detail: Record<string, string> }>(
        'select action, actor_id, detail from audit_log where organisation_id = $1 order by id',
        [organisationId],
      )
    ).rows;
  const setRole = (agentId: string, role: 'admin' | 'agent') => ctx.stack.db.query('update agents set role = $2 where id = $1', [agentId, role]);
  /** An admin's browser that opened Connect's link and stopped at the vendor's consent page. */
  const atConsentPage = async (token: string, browser: OAuthBrowser = oauthBrowser()) => {
    const { stoppedAt } = await browser.open(await connectLink(ctx.stack, token, 'hubspot'), { stopBefore: atConsent });
    expect(stoppedAt).not.toBeNull();
    return { browser, consent: stoppedAt! };
  };
  const withCookiesOf = (from: OAuthBrowser) => {
    const b = oauthBrowser();
    for (const [name, c] of from.cookies) b.cookies.set(name, { ...c });
    return b;
  };

  beforeEach(async () => {
    await ctx.stack.db.query('delete from crm_connections where organisation_id = any($1)', [[ctx.a.id, ctx.b.id, ctx.c.id]]);
    await ctx.stack.db.query('delete from audit_log where organisation_id = any($1)', [[ctx.a.id, ctx.b.id, ctx.c.id]]);
    await setRole(ctx.a.agents[1]!.id, 'agent');
  });

  it('a state is used once: the vendor sending the browser back with it again (a new code, the same cookie) is refused, the connection unchanged', async () => {
    const { browser, consent } = await atConsentPage(adminA());
    const replay = withCookiesOf(browser);
    expect((await browser.open(consent)).text).toContain('HubSpot connected');
    const before = await connection(ctx.a.id);
    expect(before).not.toBeNull();
    const again = await replay.open(consent);
    expect(again.status).toBe(400);
    expect(again.text).not.toContain('HubSpot connected');
    expect(await connection(ctx.a.id)).toEqual(before);
    expect((await audited(ctx.a.id)).filter((e) => e.action === 'crm.connected')).toHaveLength(1);
  });

  it('a consent link finished in another browser (no cookie, or another attempt’s cookie) connects nothing, and is audited', async () => {
    const sent = await atConsentPage(adminA());
    const elsewhere = await oauthBrowser().open(sent.consent);
    expect(elsewhere.status).toBe(403);
    expect(await connection(ctx.a.id)).toBeNull();
    // The state is used up: the admin's own browser starts again.
    expect((await sent.browser.open(sent.consent)).status).toBe(400);

    // A second admin of the organisation, with a cookie of its own attempt.
    await setRole(ctx.a.agents[1]!.id, 'admin');
    const colleague = await atConsentPage(ctx.a.agents[1]!.token);
    const own = await atConsentPage(adminA());
    expect((await colleague.browser.open(own.consent)).status).toBe(403);
    expect(await connection(ctx.a.id)).toBeNull();
    expect((await own.browser.open(own.consent)).status).toBe(400);

    const refusals = (await audited(ctx.a.id)).filter((e) => e.action === 'crm.connect_refused');
    // Not the admin's doing: no actor; the admin whose attempt it was is named in the detail.
    expect(refusals.map((e) => [e.actor_id, e.detail.vendor, e.detail.reason])).toEqual([
      [null, 'HubSpot', 'another browser came back with the state of Agent 0’s attempt'],
      [null, 'HubSpot', 'another browser came back with the state of Agent 0’s attempt'],
    ]);
    expect((await audited(ctx.a.id)).some((e) => e.action === 'crm.connected')).toBe(false);
  });

  it('an admin of organisation B cannot finish organisation A’s attempt in its own browser', async () => {
    const a = await atConsentPage(adminA());
    const b = await atConsentPage(adminB());
    expect((await b.browser.open(a.consent)).status).toBe(403);
    expect(await connection(ctx.a.id)).toBeNull();
    expect(await connection(ctx.b.id)).toBeNull();
    // B's own attempt still works in B's browser.
    expect((await b.browser.open(b.consent)).text).toContain('HubSpot connected');
    expect((await connection(ctx.b.id))?.connected_by).toBe(ctx.b.agents[0]!.id);
    expect(await connection(ctx.a.id)).toBeNull();
  });

  it('an expired attempt is refused, at the start link and at the callback', async () => {
    const { browser, consent } = await atConsentPage(adminA());
    await ctx.stack.db.query(`update crm_oauth_attempts set expires_at = now() - interval '1 second' where organisation_id = $1`, [ctx.a.id]);
    expect((await browser.open(consent)).status).toBe(400);
    expect(await connection(ctx.a.id)).toBeNull();

    const link = await connectLink(ctx.stack, adminA(), 'hubspot');
    // The admin view opens its link at once; one left lying about for minutes is not one it opened.
    await ctx.stack.db.query(`update crm_oauth_attempts set created_at = now() - interval '3 minutes' where organisation_id = $1 and started_at is null`, [
      ctx.a.id,
    ]);
    const late = oauthBrowser();
    const page = await late.open(link);
    expect([page.status, page.visited.length, late.cookies.size]).toEqual([400, 1, 0]);
    expect(await connection(ctx.a.id)).toBeNull();
  });

  it('a start link is opened once: a second browser opening it gets no cookie and no consent page', async () => {
    const link = await connectLink(ctx.stack, adminA(), 'hubspot');
    const first = oauthBrowser();
    const { stoppedAt: callback } = await first.open(link, { stopBefore: atCallback });
    const second = oauthBrowser();
    const page = await second.open(link);
    expect([page.status, page.visited.length, second.cookies.size]).toEqual([400, 1, 0]);
    expect(await connection(ctx.a.id)).toBeNull();
    expect((await first.open(callback!)).text).toContain('HubSpot connected');
  });

  it('an admin demoted or removed between Connect and the callback cannot finish it; demoted before the start link, cannot start', async () => {
    const demoted = ctx.a.agents[1]!;
    await setRole(demoted.id, 'admin');
    const { browser, consent } = await atConsentPage(demoted.token);
    await setRole(demoted.id, 'agent');
    expect((await browser.open(consent)).status).toBe(403);
    expect(await connection(ctx.a.id)).toBeNull();
    expect((await audited(ctx.a.id)).map((e) => [e.action, e.actor_id, e.detail.reason])).toEqual([['crm.connect_refused', demoted.id, 'no longer an admin']]);

    await setRole(demoted.id, 'admin');
    const link = await connectLink(ctx.stack, demoted.token, 'hubspot');
    await setRole(demoted.id, 'agent');
    const page = await oauthBrowser().open(link);
    expect([page.status, page.visited.length]).toEqual([400, 1]);

    // Removed (organisation C's second admin): its attempt goes with it.
    const removed = ctx.c.agents[1]!;
    await setRole(removed.id, 'admin');
    const gone = await atConsentPage(removed.token);
    await ctx.stack.db.query('delete from agents where id = $1', [removed.id]);
    expect((await gone.browser.open(gone.consent)).status).toBe(400);
    expect(await connection(ctx.c.id)).toBeNull();
  });

  it('a refusal at the vendor uses the state up and changes nothing; the cookie is cleared', async () => {
    const { browser, consent } = await atConsentPage(adminA());
    const replay = withCookiesOf(browser);
    const state = new URL(consent).searchParams.get('state')!;
    const denied = await browser.open(`${ctx.stack.config.publicUrl}/api/crm/oauth/callback?error=access_denied&state=${encodeURIComponent(state)}`);
    expect([denied.status, denied.text.includes('HubSpot said: access_denied'), browser.cookies.size]).toEqual([400, true, 0]);
    expect((await replay.open(consent)).status).toBe(400);
    expect(await connection(ctx.a.id)).toBeNull();
    expect(await audited(ctx.a.id)).toEqual([]);
  });

  it('clients never read the attempts: RLS on, no grants to anon or authenticated', async () => {
    const { rows } = await ctx.stack.db.query<{ rls: boolean; anon: boolean; authenticated: boolean }>(
      `select c.relrowsecurity as rls, has_table_privilege('anon', c.oid, 'select') as anon, has_table_privilege('authenticated', c.oid, 'select') as authenticated
         from pg_class c where c.oid = 'public.crm_oauth_attempts'::regclass`,
    );
    expect(rows).toEqual([{ rls: true, anon: false, authenticated: false }]);
  });

  it('the start link, the state, the code and the cookie never reach the request log', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }) as unknown as Logger;
    const config = { ...ctx.stack.config, crm: { ...ctx.stack.config.crm, writer: false } };
    const app = await createApp({ config, db: ctx.stack.db, verify: ctx.stack.verify, log });
    try {
      const ours = (url: string) => url.startsWith(config.publicUrl);
      const secrets: string[] = [];
      const connect = await app.http.inject({
        method: 'POST',
        url: '/api/admin/crm/connect',
        headers: { authorization: `Bearer ${adminA()}` },
        payload: { vendor: 'hubspot' },
      });
      let next = (connect.json() as CrmConnectResponse).authorizeUrl;
      let cookie = '';
      let status = 0;
      for (let hops = 0; hops < 5 && next; hops++) {
        const url = new URL(next);
        secrets.push(...[...url.searchParams].filter(([k]) => ['attempt', 'state', 'code'].includes(k)).map(([, v]) => v));
        if (ours(next)) {
          const res = await app.http.inject({ method: 'GET', url: `${url.pathname}${url.search}`, headers: cookie ? { cookie } : {} });
          const set = res.headers['set-cookie'];
          if (typeof set === 'string' && !set.includes('Max-Age=0')) [cookie] = set.split(';') as [string];
          status = res.statusCode;
          next = res.headers.location as string;
        } else {
          const res = await fetch(next, { redirect: 'manual' });
          status = res.status;
          next = res.headers.get('location')!;
        }
      }
      expect(status).toBe(200);
      if (cookie) secrets.push(cookie.split('=')[1]!);
      expect(secrets.length).toBeGreaterThanOrEqual(3);
      const logged = lines.join('');
      expect(logged).toContain('/api/crm/oauth/callback'); // the requests are logged, by path
      for (const s of secrets) expect(logged.includes(s), `${s} in the log`).toBe(false);
    } finally {
      await app.http.close();
    }
  });
});
