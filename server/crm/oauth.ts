import type { CrmTimeouts } from './timeouts';
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
  /** How long one call to this CRM may take (`CRM_TIMEOUTS` when not configured). */
  timeouts?: CrmTimeouts;
}
export type HubSpotApp = CrmApp & { apiBaseUrl: string; appUrl: string; authorizeUrl: string };

export interface Tokens {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
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
  if (!ok || url.pathname !== '/' || url.search || url.username)
    throw new CrmCallError(`${o.what} this server does not call: ${url.origin}`, { retryable: false });
  return url.origin;
}

/** When a token that lasts `seconds` expires (null: the answer did not say). */
export const expiry = (seconds: number | undefined) => (seconds ? new Date(Date.now() + seconds * 1000) : null);
