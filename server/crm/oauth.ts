import { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { HUBSPOT_OPTIONAL_SCOPES, HUBSPOT_SCOPES } from './hubspot-operations';
import { CrmCallError } from './types';

/** This deployment's app at a CRM vendor (its OAuth client, where its API is), from the server's configuration. */
export interface CrmApp {
  /**
   * The vendor's API. Pipedrive: each company has its own domain, given with its token; this is
   * null (any `https://<company>.pipedrive.com`) or the one domain expected (the local stand-in).
   */
  apiBaseUrl: string | null;
  /** The vendor's web app, where agents open a record (Pipedrive: null, the company's domain). */
  appUrl: string | null;
  /** HubSpot's consent page. */
  authorizeUrl?: string;
  /** Pipedrive's OAuth server (consent page and token endpoint). */
  oauthUrl?: string;
  clientId: string | null;
  clientSecret: string | null;
}
export type HubSpotApp = CrmApp & { apiBaseUrl: string; appUrl: string; authorizeUrl: string };

export interface Tokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
}

/** Where an admin's browser goes to connect the organisation; `state` comes back to the callback. */
export function hubspotAuthorizeUrl(app: HubSpotApp, redirectUri: string, state: string): string {
  const url = new URL(app.authorizeUrl);
  url.searchParams.set('client_id', app.clientId ?? '');
  url.searchParams.set('redirect_uri', redirectUri);
  // Exactly what the operations we call need (hubspot-operations.ts): a scope the portal lacks fails the install, not a write.
  url.searchParams.set('scope', HUBSPOT_SCOPES.join(' '));
  if (HUBSPOT_OPTIONAL_SCOPES.length) url.searchParams.set('optional_scope', HUBSPOT_OPTIONAL_SCOPES.join(' '));
  url.searchParams.set('state', state);
  return url.toString();
}

/**
 * HubSpot's token answer (`AccessTokenResponse` in oauth.json v1). The official client reads it
 * as `TokenResponseIF`, which drops `hub_id` and `scopes`, so we ask with `fetch` and check it here.
 */
const hubspotTokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().optional(),
  token_type: z.string().optional(),
  hub_id: z.number().optional(),
  scopes: z.array(z.string()).optional(),
});

async function hubspotToken(app: HubSpotApp, form: Record<string, string>): Promise<z.infer<typeof hubspotTokenAnswer>> {
  const body = new URLSearchParams({ ...form, client_id: app.clientId ?? '', client_secret: app.clientSecret ?? '' });
  let res: Response;
  try {
    res = await fetch(new URL('/oauth/v1/token', app.apiBaseUrl), { method: 'POST', body, headers: { accept: 'application/json' } });
  } catch (err) {
    throw new CrmCallError(`HubSpot OAuth did not answer: ${(err as Error).message}`, { retryable: true });
  }
  const json = (await res.json().catch(() => null)) as { status?: unknown; message?: unknown } | null;
  if (!res.ok) {
    const message = typeof json?.message === 'string' ? json.message : `HTTP ${res.status}`;
    // The app was uninstalled from the portal (or its access removed): only an admin connecting again helps. Nothing is lost meanwhile.
    if (json?.status === 'BAD_REFRESH_TOKEN') {
      throw new CrmCallError(`HubSpot no longer accepts this connection (${message}): connect HubSpot again`, {
        status: res.status,
        retryable: false,
        setup: 'Connect HubSpot again (admin view → CRM → Connect HubSpot): the app was uninstalled from the HubSpot account or its access was removed. Nothing waiting is lost; it is written once connected.',
      });
    }
    throw new CrmCallError(`HubSpot OAuth: ${message}`, { status: res.status, retryable: res.status >= 500 });
  }
  const parsed = hubspotTokenAnswer.safeParse(json);
  if (!parsed.success) throw new CrmCallError('HubSpot OAuth: a token answer without an access token', { status: res.status, retryable: true });
  return parsed.data;
}

/** The authorization code for tokens, and the HubSpot account (portal) they are for: the answer's `hub_id`. */
export async function exchangeHubSpotCode(app: HubSpotApp, code: string, redirectUri: string): Promise<Tokens & { account: string | null }> {
  const t = await hubspotToken(app, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
  let hubId = t.hub_id;
  if (hubId === undefined) {
    // Only when the answer lacks it: the access-token info endpoint is deprecated (oauth.json v1).
    const client = new Client({ basePath: app.apiBaseUrl });
    hubId = (await asCrmError(() => client.oauth.accessTokensApi.get(t.access_token)).catch(() => null))?.hubId;
  }
  return { accessToken: t.access_token, refreshToken: t.refresh_token ?? null, expiresAt: expiry(t.expires_in), account: hubId === undefined ? null : String(hubId) };
}

/** A new access token from the refresh token (HubSpot's refresh tokens do not change). */
export async function refreshHubSpotToken(app: HubSpotApp, refreshToken: string): Promise<Tokens> {
  const t = await hubspotToken(app, { grant_type: 'refresh_token', refresh_token: refreshToken });
  return { accessToken: t.access_token, refreshToken: t.refresh_token ?? refreshToken, expiresAt: expiry(t.expires_in) };
}

/**
 * The account's own API origin from a token answer (Pipedrive's company domain, Salesforce's
 * instance URL), if it is one this app may call: the configured one (the local stand-in), or one
 * of the vendor's hosts (`hosted`, https on the default port). Never a URL we did not expect,
 * whatever the answer says.
 */
export function acceptedApiOrigin(app: CrmApp, raw: unknown, o: { what: string; hosted: RegExp }): string {
  if (typeof raw !== 'string') throw new CrmCallError(`${o.what}: missing from the token answer`, { retryable: false });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CrmCallError(`${o.what}: not a URL`, { retryable: false });
  }
  const expected = app.apiBaseUrl ? new URL(app.apiBaseUrl).origin : null;
  const ok = expected ? url.origin === expected : url.protocol === 'https:' && o.hosted.test(url.hostname) && !url.port;
  if (!ok || url.pathname !== '/' || url.search || url.username) throw new CrmCallError(`${o.what} this server does not call: ${url.origin}`, { retryable: false });
  return url.origin;
}

/** When a token that lasts `seconds` expires (null: the answer did not say). */
export const expiry = (seconds: number | undefined) => (seconds ? new Date(Date.now() + seconds * 1000) : null);

async function asCrmError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { code?: number; body?: { message?: string }; message?: string };
    throw new CrmCallError(`HubSpot OAuth: ${e.body?.message ?? e.message ?? String(err)}`, { status: e.code, retryable: typeof e.code !== 'number' || e.code >= 500 });
  }
}
