import demo from './demo';
import hubspot from './hubspot';
import pipedrive from './pipedrive';
import salesforce from './salesforce';
import type { CrmSite } from './types';
import zoho from './zoho';

export type { CrmSite } from './types';

/**
 * The CRMs supported out of the box. Other sites are enabled by the agent (`lib/background/site-access.ts`).
 * The local stack's demo CRM page only in a development build (`WXT_DEMO_SITE=on`: `npm start`,
 * the tests): a store package injects into no `127.0.0.1` or `localhost` page.
 */
export const BUILT_IN_SITES: CrmSite[] = [hubspot, salesforce, pipedrive, zoho, ...(import.meta.env.WXT_DEMO_SITE === 'on' ? [demo] : [])];

/** A site the agent enabled: no CRM-specific knowledge, the scanner's general rules only. */
export const customSite = (origin: string): CrmSite => ({ id: 'custom', name: origin, matches: [`${origin}/*`] });

/** Whether a URL matches a match pattern (scheme, host with `*.` wildcard, path with `*`); ports are ignored, as Chrome does. */
export function matchesPattern(url: URL, pattern: string): boolean {
  const m = /^(\*|https?):\/\/([^/]+)(\/.*)$/.exec(pattern);
  if (!m) return false;
  const [, scheme, host, path] = m as unknown as [string, string, string, string];
  if (scheme !== '*' ? url.protocol !== `${scheme}:` : !/^https?:$/.test(url.protocol)) return false;
  const hostOk = host === '*' || (host.startsWith('*.') ? url.hostname === host.slice(2) || url.hostname.endsWith(host.slice(1)) : url.hostname === host);
  const pathRe = new RegExp(
    `^${path
      .split('*')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return hostOk && pathRe.test(url.pathname + url.search);
}

/** The built-in site a page belongs to, or a custom one for a site the agent enabled. */
export function siteFor(url: URL): CrmSite {
  return BUILT_IN_SITES.find((s) => s.matches.some((p) => matchesPattern(url, p))) ?? customSite(url.origin);
}
