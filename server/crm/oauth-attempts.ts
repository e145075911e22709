import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { secretEquals } from '../auth/compare';
import type { CrmVendor } from './types';

/**
 * An admin connecting the organisation's CRM, as three single-use steps kept in
 * `crm_oauth_attempts` (docs/security.md, "CRM OAuth"; issue 29): the admin asks (a start link on
 * our server), the admin's browser opens it once (it gets a cookie, the vendor gets a state), the
 * vendor sends that browser back once (the callback). A state alone, or a consent link sent to
 * someone else, connects nothing: the cookie stays in the browser that started. Only SHA-256
 * digests of the random values are stored.
 */

/** How long the admin view has to open the start link (it opens it at once). */
const START_SECONDS = 120;
/** How long the admin has at the vendor's consent page. */
export const ATTEMPT_SECONDS = 600;

/** The routes of the browser's steps (oauth-routes.ts); the cookie is sent to them only. */
export const OAUTH_PATH = '/api/crm/oauth';
/** Our start link for an attempt (the admin view opens it in a tab). */
export const oauthStartUrl = (publicUrl: string, startToken: string) => `${publicUrl}${OAUTH_PATH}/start?attempt=${encodeURIComponent(startToken)}`;
/** The redirect URL every vendor's app is registered with. */
export const oauthCallbackUrl = (publicUrl: string) => `${publicUrl}${OAUTH_PATH}/callback`;

const random = () => randomBytes(32).toString('base64url');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface Attempt {
  organisationId: string;
  agentId: string;
  vendor: CrmVendor;
  region: string | null;
}

/**
 * An admin's new attempt; the token of its start link, returned once. It supersedes that admin's
 * earlier attempts not completed (one browser cookie holds one attempt anyway).
 */
export async function createAttempt(db: pg.Pool, a: Attempt): Promise<string> {
  const start = random();
  // Used and expired attempts are kept a day, for whoever looks into one.
  await db.query(`delete from public.crm_oauth_attempts where (agent_id = $1 and used_at is null) or expires_at < now() - interval '1 day'`, [a.agentId]);
  await db.query(
    `insert into public.crm_oauth_attempts (organisation_id, agent_id, vendor, region, start_sha256, expires_at)
     values ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
    [a.organisationId, a.agentId, a.vendor, a.region, sha256(start), ATTEMPT_SECONDS],
  );
  return start;
}

/**
 * The start link opened: used up whatever follows. While fresh and its admin still one, the
 * browser's cookie secret and the vendor's state, each returned once; null otherwise.
 */
export async function startAttempt(
  db: pg.Pool,
  startToken: string,
): Promise<(Pick<Attempt, 'vendor' | 'region'> & { state: string; browserSecret: string }) | null> {
  const state = random();
  const browserSecret = random();
  const { rows } = await db.query<{ vendor: CrmVendor; region: string | null; ok: boolean }>(
    `update public.crm_oauth_attempts t set started_at = now(), state_sha256 = $2, browser_sha256 = $3
      where t.start_sha256 = $1 and t.started_at is null
      returning t.vendor, t.region,
        t.expires_at > now() and t.created_at > now() - make_interval(secs => $4)
        and exists (select 1 from public.agents a where a.id = t.agent_id and a.organisation_id = t.organisation_id and a.role = 'admin') as ok`,
    [sha256(startToken), sha256(state), sha256(browserSecret), START_SECONDS],
  );
  return rows[0]?.ok ? { vendor: rows[0].vendor, region: rows[0].region, state, browserSecret } : null;
}

/**
 * The vendor sent a browser back with this state: used up whatever follows (a replay finds
 * nothing). The attempt, and whether the browser is the one that started it; null if the state is
 * unknown, used or expired.
 */
export async function finishAttempt(db: pg.Pool, state: string, browserSecret: string | undefined): Promise<(Attempt & { sameBrowser: boolean }) | null> {
  const { rows } = await db.query<{ organisation_id: string; agent_id: string; vendor: CrmVendor; region: string | null; browser_sha256: string | null }>(
    `update public.crm_oauth_attempts set used_at = now()
      where state_sha256 = $1 and used_at is null and expires_at > now()
      returning organisation_id, agent_id, vendor, region, browser_sha256`,
    [sha256(state)],
  );
  const r = rows[0];
  if (!r) return null;
  const sameBrowser = !!browserSecret && !!r.browser_sha256 && secretEquals(sha256(browserSecret), r.browser_sha256);
  return { organisationId: r.organisation_id, agentId: r.agent_id, vendor: r.vendor, region: r.region, sameBrowser };
}
