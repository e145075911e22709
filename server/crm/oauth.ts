import { Client } from '@hubspot/api-client';
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

/** What HubSpot's app needs (contacts to match, communications logged on them). */
const HUBSPOT_SCOPES = ['crm.objects.contacts.read', 'crm.objects.contacts.write'];

/** Where an admin's browser goes to connect the organisation; `state` comes back to the callback. */
export function hubspotAuthorizeUrl(app: HubSpotApp, redirectUri: string, state: string): string {
  const url = new URL(app.authorizeUrl);
  url.searchParams.set('client_id', app.clientId ?? '');
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('scope', HUBSPOT_SCOPES.join(' '));
  url.searchParams.set('state', state);
  return url.toString();
}

/** The authorization code for tokens, and the HubSpot account (portal) they are for. */
export async function exchangeHubSpotCode(app: HubSpotApp, code: string, redirectUri: string): Promise<Tokens & { account: string | null }> {
  const client = new Client({ basePath: app.apiBaseUrl });
  const t = await asCrmError(() => client.oauth.tokensApi.create('authorization_code', code, redirectUri, app.clientId ?? '', app.clientSecret ?? ''));
  const info = await asCrmError(() => client.oauth.accessTokensApi.get(t.accessToken)).catch(() => null);
  return { accessToken: t.accessToken, refreshToken: t.refreshToken ?? null, expiresAt: expiry(t.expiresIn), account: info?.hubId ? String(info.hubId) : null };
}

/** A new access token from the refresh token (HubSpot's refresh tokens do not change). */
export async function refreshHubSpotToken(app: HubSpotApp, refreshToken: string): Promise<Tokens> {
  const client = new Client({ basePath: app.apiBaseUrl });
  const t = await asCrmError(() => client.oauth.tokensApi.create('refresh_token', undefined, undefined, app.clientId ?? '', app.clientSecret ?? '', refreshToken));
  return { accessToken: t.accessToken, refreshToken: t.refreshToken ?? refreshToken, expiresAt: expiry(t.expiresIn) };
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
