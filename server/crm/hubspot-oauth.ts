/** HubSpot's OAuth (its consent page, token endpoint): authorize URL, code exchange, refresh, and the token answer's schema. */
import { Client } from '@hubspot/api-client';
import { z } from 'zod';
import { HUBSPOT_OPTIONAL_SCOPES, HUBSPOT_SCOPES } from './hubspot-operations';
import { expiry, type HubSpotApp, type Tokens } from './oauth';
import { fetchWithin, idleLimitedAgent, jsonOf, timeoutsOf } from './timeouts';
import { CrmCallError } from './types';

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
  const { res, text } = await fetchWithin('HubSpot OAuth', timeoutsOf(app).tokenMs, new URL('/oauth/v1/token', app.apiBaseUrl), {
    method: 'POST',
    body,
    headers: { accept: 'application/json' },
  });
  const json = jsonOf(text) as { status?: unknown; message?: unknown } | null;
  if (!res.ok) {
    const message = typeof json?.message === 'string' ? json.message : `HTTP ${res.status}`;
    // The app was uninstalled from the portal (or its access removed): only an admin connecting again helps. Nothing is lost meanwhile.
    if (json?.status === 'BAD_REFRESH_TOKEN') {
      throw new CrmCallError(`HubSpot no longer accepts this connection (${message}): connect HubSpot again`, {
        status: res.status,
        retryable: false,
        setup:
          'Connect HubSpot again (admin view → CRM → Connect HubSpot): the app was uninstalled from the HubSpot account or its access was removed. Nothing waiting is lost; it is written once connected.',
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
    const client = new Client({ basePath: app.apiBaseUrl, httpAgent: idleLimitedAgent(app.apiBaseUrl, timeoutsOf(app).tokenMs) });
    hubId = (await asOAuthError(() => client.oauth.accessTokensApi.get(t.access_token)).catch(() => null))?.hubId;
  }
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token ?? null,
    expiresAt: expiry(t.expires_in),
    account: hubId === undefined ? null : String(hubId),
  };
}

/** A new access token from the refresh token (HubSpot's refresh tokens do not change). */
export async function refreshHubSpotToken(app: HubSpotApp, refreshToken: string): Promise<Tokens> {
  const t = await hubspotToken(app, { grant_type: 'refresh_token', refresh_token: refreshToken });
  return { accessToken: t.access_token, refreshToken: t.refresh_token ?? refreshToken, expiresAt: expiry(t.expires_in) };
}

async function asOAuthError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { code?: number; body?: { message?: string }; message?: string };
    throw new CrmCallError(`HubSpot OAuth: ${e.body?.message ?? e.message ?? String(err)}`, {
      status: e.code,
      retryable: typeof e.code !== 'number' || e.code >= 500,
    });
  }
}
