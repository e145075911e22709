/** Salesforce's OAuth (web-server flow through jsforce): authorize URL, code exchange, refresh, and the instance URL check. */
import { OAuth2 } from 'jsforce';
import { acceptedApiOrigin, type CrmApp, type Tokens } from './oauth';
import { salesforceCall, withTimeout } from './salesforce-errors';
import { SALESFORCE_SCOPES } from './salesforce-operations';
import { timeoutsOf } from './timeouts';

/**
 * The My Domain hosts an org's instance URL may have (Salesforce Help, "My Domain URL Formats",
 * partitioned domains; the Postman collection forcedotcom/postman-salesforce-apis names the first
 * two): production `<name>.my.salesforce.com`, sandbox `<name>--<sandbox>.sandbox.my.salesforce.com`,
 * and one partition each for Developer Edition (`<name>-dev-ed.develop.…`), scratch, demo, patch,
 * Trailhead Playground (`trailblaze`) and free orgs. A My Domain name is letters, digits and
 * hyphens, not at either end. Government Cloud and Alibaba Cloud hosts are not accepted (not served).
 */
const SALESFORCE_MY_DOMAIN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.(?:sandbox|develop|scratch|demo|patch|trailblaze|free))?\.my\.salesforce\.com$/;

/** The org's instance URL from a token answer: the configured one, or a My Domain host (`SALESFORCE_MY_DOMAIN`). */
export const salesforceInstanceUrl = (app: CrmApp, instanceUrl: unknown): string =>
  acceptedApiOrigin(app, instanceUrl, { what: 'Salesforce’s instance URL', hosted: SALESFORCE_MY_DOMAIN });

const oauthOf = (app: CrmApp, redirectUri?: string) =>
  withTimeout(
    new OAuth2({
      loginUrl: app.oauthUrl ?? 'https://login.salesforce.com',
      clientId: app.clientId ?? '',
      clientSecret: app.clientSecret ?? '',
      ...(redirectUri && { redirectUri }),
    }),
    timeoutsOf(app).tokenMs,
  );

/** Where an admin's browser goes to connect the org. */
export function salesforceAuthorizeUrl(app: CrmApp, redirectUri: string, state: string): string {
  return oauthOf(app, redirectUri).getAuthorizationUrl({ scope: SALESFORCE_SCOPES.join(' '), state });
}

/** The authorization code for tokens, the org (its id) and its instance URL (checked). */
export async function exchangeSalesforceCode(app: CrmApp, code: string, redirectUri: string): Promise<Tokens & { account: string | null; apiUrl: string }> {
  const t = await salesforceCall(() => oauthOf(app, redirectUri).requestToken(code));
  const apiUrl = salesforceInstanceUrl(app, t.instance_url);
  // The identity URL ends with /id/<org id>/<user id>.
  const account = /\/id\/([^/]+)\//.exec(t.id ?? '')?.[1] ?? null;
  return { accessToken: t.access_token, refreshToken: t.refresh_token ?? null, expiresAt: null, account, apiUrl };
}

/** A new access token (Salesforce's refresh tokens stay). Access tokens carry no expiry: a 401 tells. */
export async function refreshSalesforceToken(app: CrmApp, refreshToken: string): Promise<Tokens> {
  const t = await salesforceCall(() => oauthOf(app).refreshToken(refreshToken));
  return { accessToken: t.access_token, refreshToken: t.refresh_token ?? refreshToken, expiresAt: null };
}
