import { hubspotAdapter } from './hubspot';
import { exchangeHubSpotCode, hubspotAuthorizeUrl, refreshHubSpotToken } from './hubspot-oauth';
import type { CrmApp, HubSpotApp, Tokens } from './oauth';
import { exchangePipedriveCode, pipedriveAdapter, pipedriveAuthorizeUrl, refreshPipedriveToken } from './pipedrive';
import { salesforceAdapter } from './salesforce';
import { exchangeSalesforceCode, refreshSalesforceToken, salesforceAuthorizeUrl } from './salesforce-oauth';
import { exchangeZohoCode, refreshZohoToken, zohoAdapter, zohoAuthorizeUrl, zohoPlaces, ZOHO_DATA_CENTRE_IDS, type ZohoDataCentre } from './zoho';
import { timeoutsOf } from './timeouts';
import type { CrmAdapter, CrmVendor } from './types';

/** What the server knows of a connection beyond its tokens. */
export interface ConnectionPlace {
  /** The account as the CRM names it (HubSpot: portal id; Pipedrive: company subdomain). */
  account: string | null;
  /** The account's own API origin (Pipedrive's company domain), checked when it was connected. */
  apiUrl: string | null;
}

/** One CRM vendor: how an organisation connects it, and how its records are written and linked. */
export interface CrmVendorDriver {
  vendor: CrmVendor;
  name: string;
  /** Where the CRM keeps an account, when the admin must say (Zoho's data centres); validated before use. */
  regions?: readonly string[];
  authorizeUrl(app: CrmApp, redirectUri: string, state: string, region: string | null): string;
  exchangeCode(app: CrmApp, code: string, redirectUri: string, region: string | null): Promise<Tokens & ConnectionPlace>;
  refresh(app: CrmApp, refreshToken: string, place: ConnectionPlace): Promise<Tokens>;
  adapter(app: CrmApp, place: ConnectionPlace, accessToken: string): CrmAdapter;
  /**
   * The account's burst limit as we keep under it: at most `requests` API calls per `seconds`
   * (below the vendor's published limit for the smallest plan, leaving room for the account's
   * other apps), and how many calls a write costs at most.
   */
  budget: { requests: number; seconds: number; perWrite: number };
  /**
   * A separate limit on the vendor's search endpoints (phone lookups and agents' searches), as we
   * keep under it: at most `requests` per `seconds`. Ours are fixed windows, so a vendor's sliding
   * window sees up to one more of ours than it spans; short windows of one search each keep that
   * small (a quarter second: at most 5 in HubSpot's second, 9 in Pipedrive's two seconds).
   */
  searchBudget?: { requests: number; seconds: number };
  /** The customer's record in the CRM's own app, for "Open in …". */
  recordUrl(app: CrmApp, place: ConnectionPlace, remoteId: string): string | null;
}

export const CRM_VENDORS: Record<CrmVendor, CrmVendorDriver> = {
  hubspot: {
    vendor: 'hubspot',
    name: 'HubSpot',
    authorizeUrl: (app, redirectUri, state) => hubspotAuthorizeUrl(app as HubSpotApp, redirectUri, state),
    exchangeCode: async (app, code, redirectUri) => ({ ...(await exchangeHubSpotCode(app as HubSpotApp, code, redirectUri)), apiUrl: null }),
    refresh: (app, refreshToken) => refreshHubSpotToken(app as HubSpotApp, refreshToken),
    // Public apps: 110 requests per 10 seconds per account. A write: the key property's read and a
    // search (first time), upsert, associate.
    budget: { requests: 100, seconds: 10, perWrite: 4 },
    // The CRM search endpoints: 5 requests per second per account, whatever the app's other limits.
    searchBudget: { requests: 1, seconds: 0.25 },
    adapter: (app, _place, accessToken) => hubspotAdapter({ basePath: (app as HubSpotApp).apiBaseUrl, accessToken, timeoutMs: timeoutsOf(app).callMs }),
    recordUrl: (app, place, remoteId) =>
      place.account && app.appUrl ? `${app.appUrl}/contacts/${encodeURIComponent(place.account)}/record/0-1/${encodeURIComponent(remoteId)}` : null,
  },
  pipedrive: {
    vendor: 'pipedrive',
    name: 'Pipedrive',
    authorizeUrl: pipedriveAuthorizeUrl,
    exchangeCode: exchangePipedriveCode,
    refresh: refreshPipedriveToken,
    // OAuth apps on the smallest plan: 80 requests per 2 seconds per token. A write: search, list (on a retry), add or update.
    budget: { requests: 60, seconds: 2, perWrite: 3 },
    // The Search API's own limit: 10 requests per 2 seconds per token.
    searchBudget: { requests: 1, seconds: 0.25 },
    adapter: (app, place, accessToken) => {
      if (!place.apiUrl) throw new Error('a Pipedrive connection without its API domain');
      return pipedriveAdapter({ apiDomain: place.apiUrl, accessToken, timeoutMs: timeoutsOf(app).callMs });
    },
    recordUrl: (_app, place, remoteId) => (place.apiUrl ? `${place.apiUrl}/person/${encodeURIComponent(remoteId)}` : null),
  },
  salesforce: {
    vendor: 'salesforce',
    name: 'Salesforce',
    authorizeUrl: salesforceAuthorizeUrl,
    exchangeCode: exchangeSalesforceCode,
    refresh: refreshSalesforceToken,
    // No per-second limit, but 25 long-running requests at once per org and a daily total: stay modest.
    // A write: the org's closed Task status, then the upsert (finding the customer adds SOSL and SOQL).
    budget: { requests: 20, seconds: 1, perWrite: 3 },
    adapter: (app, place, accessToken) => {
      if (!place.apiUrl) throw new Error('a Salesforce connection without its instance URL');
      return salesforceAdapter({ instanceUrl: place.apiUrl, accessToken, timeoutMs: timeoutsOf(app).callMs });
    },
    // Lightning's record page; Salesforce redirects an id of either kind to its object.
    recordUrl: (_app, place, remoteId) =>
      place.apiUrl ? `${place.apiUrl}/lightning/r/${remoteId.startsWith('00Q') ? 'Lead' : 'Contact'}/${encodeURIComponent(remoteId)}/view` : null,
  },
  zoho: {
    vendor: 'zoho',
    name: 'Zoho CRM',
    regions: ZOHO_DATA_CENTRE_IDS,
    // The account is the data centre (checked against ZOHO_DATA_CENTRE_IDS by the route, and here again).
    authorizeUrl: (app, redirectUri, state, region) => zohoAuthorizeUrl(app, redirectUri, state, dataCentre(region)),
    exchangeCode: (app, code, redirectUri, region) => exchangeZohoCode(app, code, redirectUri, dataCentre(region)),
    refresh: (app, refreshToken, place) => refreshZohoToken(app, refreshToken, dataCentre(place.account)),
    // Concurrency limits start at 10 calls at once (Free and Standard editions). A write: the note,
    // and for a customer's first one the search (a match is kept an hour); a retry's notes list.
    budget: { requests: 10, seconds: 1, perWrite: 2 },
    adapter: (app, place, accessToken) => {
      if (!place.apiUrl) throw new Error('a Zoho connection without its API domain');
      return zohoAdapter({ apiDomain: place.apiUrl, accessToken, timeoutMs: timeoutsOf(app).callMs });
    },
    // Our id of a Zoho record is "<module>/<id>": the web app's tab and record.
    recordUrl: (app, place, remoteId) => `${zohoPlaces(app, dataCentre(place.account)).web}/crm/tab/${remoteId.split('/').map(encodeURIComponent).join('/')}`,
  },
};

function dataCentre(region: string | null): ZohoDataCentre {
  if (!region || !(ZOHO_DATA_CENTRE_IDS as string[]).includes(region)) throw new Error(`not a Zoho data centre: ${region}`);
  return region as ZohoDataCentre;
}

export const CRM_VENDOR_IDS = Object.keys(CRM_VENDORS) as CrmVendor[];
